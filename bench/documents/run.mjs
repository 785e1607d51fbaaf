// Documents benchmark: pages rendered per second at 150 DPI by the pipeline (pdfjs + @napi-rs/canvas,
// then sharp normalization) against `pdftoppm -r 150` on the same generated 50-page PDF, the text layer
// against `pdftotext -layout`, and the end-to-end time of a 50-page OCR job through REST + BullMQ workers
// with an instant mock vision model.
//
//   npm run build && node bench/documents/run.mjs [--repeats 3] [--skip-e2e | --only-e2e] [--text-only] [--concurrency N]
//     [--threads N] [--e2e-mode ocr|text] [--cpu-prof DIR] [--warm-passes N] [--boot-warmup N] [--text-tasks batch|page]
//     [--text-idle S]
//
// --text-only: only the text-layer rows and pdftotext (no rendering rows, no end-to-end job).
// --threads: render threads (DOCUMENTS_RENDER_THREADS) of the measured pipeline and of the worker (default: CPUs;
// 0 = the worker's main thread, as before the render pool). --cpu-prof DIR: the worker process runs with
// --cpu-prof (a .cpuprofile per thread in DIR, written when it stops). --warm-passes N: passes over the pages before
// the PageRenderer rows are measured (default 1; a long-running worker's threads are warmer: docs/documents.md#speed).
// --boot-warmup N: pages of the built-in PDF each text thread reads when the renderer starts, as a worker's threads do
// at boot (default DOCUMENTS_RENDER_WARMUP_PAGES's default; 0: none, as before it existed); also given to the
// end-to-end worker when set. --text-tasks: how the 2-thread text row hands pages to the threads: `batch` (default) as a
// `mode: text` page job does (10 pages per job, one task per text thread per job), `page` one task per page (`mode: auto`,
// on the render threads). --text-idle S: S seconds of sleep before each repeat's text rows (with --text-only: the text
// threads as idle before them as in a full run, where the poppler rows between the repeats take about 30 s).
// Every run prints where the 2-thread text row's CPU went, by thread (text threads, render threads, main, the rest).
// Needs PostgreSQL and Redis (as for the tests) for the end-to-end part, and poppler-utils for pdftoppm.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { makePdf, PAGES } from './bench-pdf.mjs';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '../..');
const dist = (p) => join(root, 'dist', p);
const args = process.argv.slice(2);
const repeats = Number(args[args.indexOf('--repeats') + 1]) || 3;
const flag = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
/** Page jobs in flight per worker (DOCUMENTS_WORKER_CONCURRENCY); unset: the worker's default. */
const concurrency = flag('--concurrency', null);
const threads = Number(flag('--threads', cpus().length));
const e2eMode = flag('--e2e-mode', 'ocr');
const cpuProf = flag('--cpu-prof', null);
const warmPasses = Number(flag('--warm-passes', 1));
const bootWarmupFlag = flag('--boot-warmup', null);
const textTasks = flag('--text-tasks', 'batch');
const textIdle = Number(flag('--text-idle', 0));
const DPI = 150;

const { PdfDocument } = require(dist('libs/documents/src/pipeline/pdf-document.js'));
const { runPageTask, TEXT_PAGES_PER_JOB } = require(dist('libs/documents/src/pipeline/page-task.js'));
const { PageRenderer } = require(dist('libs/documents/src/pipeline/page-renderer.js'));
const { parseConfig, rawEnv } = require(dist('libs/config/src/index.js'));
const bootWarmup = bootWarmupFlag === null ? parseConfig({ ...rawEnv(), NODE_ENV: 'test' }).documents.renderWarmupPages : Number(bootWarmupFlag);

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const fmt = (o, unit) => `min ${o.min.toFixed(2)} / median ${o.median.toFixed(2)} / max ${o.max.toFixed(2)} ${unit}`;

/** CPU seconds this process (all its threads) and its waited-for children used so far: less load-dependent than wall time. */
function cpuSeconds() {
  const own = process.cpuUsage();
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const children = (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, clock ticks (USER_HZ 100)
  return { own: (own.user + own.system) / 1e6, children };
}
/** CPU seconds (user + system, all threads) a running process has used, from /proc. */
function processCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks (USER_HZ 100)
}
/**
 * CPU seconds per thread group of a running process (the main thread, then threads by name: render threads, libuv,
 * sharp's libvips...), and under `wait:<group>` the seconds its threads were runnable but waited for a core
 * (schedstat's run delay: the machine's load, the other engineers' work included).
 */
function threadCpuSeconds(pid) {
  const out = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[-_ ]?\d+$/, '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[name] = (out[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100;
      const runDelayNs = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
      out[`wait:${name}`] = (out[`wait:${name}`] ?? 0) + runDelayNs / 1e9;
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}
/** CPU and run-delay seconds of each thread of a running process, by thread id. */
function threadTimes(pid) {
  const out = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [cpuNs, delayNs] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      out.set(tid, { cpu: cpuNs / 1e9, delay: delayNs / 1e9 });
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}
/**
 * The share of the job's wall time the `n` busiest threads besides the main one (the render threads) were idle:
 * neither running nor waiting for a core (the run delay is the machine's load), i.e. had no page to render or
 * waited for sharp's encode. Unlike the wall time, the machine's load hardly changes it.
 */
function renderIdleShare(before, after, pid, n, wall) {
  const deltas = [...after]
    .filter(([tid]) => tid !== String(pid) && before.has(tid))
    .map(([tid, t]) => ({ cpu: t.cpu - before.get(tid).cpu, delay: t.delay - before.get(tid).delay }))
    .sort((a, b) => b.cpu - a.cpu)
    .slice(0, n);
  return deltas.reduce((s, d) => s + Math.max(0, wall - d.cpu - d.delay), 0) / (deltas.length * wall);
}
/** Pages per second and CPU milliseconds per page of `fn` (which handles all PAGES pages). */
async function measure(fn, cpuOf = (c) => c.own) {
  const c0 = cpuSeconds();
  const th0 = threadTimes(process.pid);
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  const th1 = threadTimes(process.pid);
  /** CPU ms per page of each thread of this process during the row, by thread id. */
  const threadMs = new Map([...th1].map(([tid, t]) => [tid, ((t.cpu - (th0.get(tid)?.cpu ?? 0)) * 1000) / PAGES]));
  return { rate: PAGES / s, cpuMs: ((cpuOf(cpuSeconds()) - cpuOf(c0)) * 1000) / PAGES, threadMs };
}

/** Pages per second of `perPage` over every page of the opened PDF, one after the other (opening not timed). */
async function perPageRate(pdf, perPage) {
  const doc = await PdfDocument.open(pdf);
  const m = await measure(async () => {
    for (let p = 1; p <= doc.numPages; p++) await perPage(doc, p);
  });
  await doc.destroy();
  return m;
}

const imageTask = (page) => ({ op: 'image', page, dpi: DPI, maxSide: 2000, maxPixels: 100_000_000, format: 'jpeg' });
/** What a render thread does per OCR page: render, then encode the canvas's pixels (lent, not copied). */
const pipelineRender = (pdf) => perPageRate(pdf, (doc, p) => runPageTask(doc, imageTask(p)));
const pipelineRenderOnly = (pdf) => perPageRate(pdf, (doc, p) => doc.renderWith(p, DPI, 2000, async () => undefined));
/** The text layer of every page as Markdown (what `mode: text` does per page). */
const pipelineText = (pdf) => perPageRate(pdf, (doc, p) => doc.text(p));

/**
 * The pipeline's own PageRenderer (what a worker runs: `threads` piscina threads, each parsing the PDF once)
 * with every page in flight at once, as page jobs arrive at a worker; `pass(renderer, load)` hands it every page.
 * One renderer serves every row and repeat of the run, as a worker's render threads serve it for its whole life
 * (before, each repeat started new threads, measured on their second pass over the pages: JIT still warming up),
 * started as a worker starts it at boot (its threads warmed up with `bootWarmup` pages of the built-in PDF each).
 */
let renderer = null;
const warmed = new Set();
async function rendererRate(pdf, kind, pass) {
  if (!renderer) {
    renderer = new PageRenderer(threads);
    await renderer.start(bootWarmup);
  }
  const load = async () => pdf;
  const all = () => pass(renderer, load);
  // A first pass warms every thread on this PDF (the parsed document, its fonts), as a worker's threads are after
  // the first pages of a document; the one-thread rows run warm in this thread too. Each thread's JIT keeps warming
  // for hundreds of pages more (--warm-passes).
  if (!warmed.has(kind)) {
    warmed.add(kind);
    for (let w = 0; w < warmPasses; w++) await all();
  }
  return measure(all);
}
const pageNumbers = Array.from({ length: PAGES }, (_, i) => i + 1);
const rendererImage = (pdf) => rendererRate(pdf, 'image', (r, load) => Promise.all(pageNumbers.map((page) => r.run('bench', load, imageTask(page)))));
/** The text layer of every page: as `mode: text` page jobs hand it over (batches of TEXT_PAGES_PER_JOB), or page by page. */
const rendererText = (pdf) =>
  rendererRate(pdf, 'text', (r, load) => {
    if (textTasks === 'page') return Promise.all(pageNumbers.map((page) => r.run('bench', load, { op: 'text', page })));
    const batches = [];
    for (let i = 0; i < PAGES; i += TEXT_PAGES_PER_JOB) batches.push(pageNumbers.slice(i, i + TEXT_PAGES_PER_JOB));
    return Promise.all(batches.flatMap((pages) => r.texts('bench', load, pages)));
  });

const pdftotext = (file, out) => measure(async () => execFileSync('pdftotext', ['-layout', file, join(out, 'out.txt')]), (c) => c.children);

const pdftoppm = (file, out, format) =>
  measure(async () => execFileSync('pdftoppm', ['-r', String(DPI), ...(format ? [`-${format}`] : []), file, join(out, 'p')]), (c) => c.children);

/**
 * When each step of one job ran, in ms from the upload (BullMQ's own timestamps: added, processedOn, finishedOn):
 * the time to the first page, the page jobs' spread and their idle gaps, the finalize step and the answer.
 */
async function timeline(redis, bull, jobId, t0, t1) {
  const get = async (queue, id) => {
    const h = await redis.hgetall(`${bull}:${queue}:${id}`);
    return { added: Number(h.timestamp) - t0, start: Number(h.processedOn) - t0, end: Number(h.finishedOn) - t0 };
  };
  const prepare = await get('documents-prepare', `${jobId}.prepare`);
  const pages = [];
  for (let p = 1; p <= PAGES; p++) {
    const j = await get('documents-page', `${jobId}.p${p}`);
    if (Number.isFinite(j.start)) pages.push(j);
  }
  const final = await get('documents-finalize', `${jobId}.final`);
  const firstStart = Math.min(...pages.map((p) => p.start));
  const lastEnd = Math.max(...pages.map((p) => p.end));
  const durations = pages.map((p) => p.end - p.start);
  return {
    prepareStart: prepare.start, prepareEnd: prepare.end, firstPage: firstStart, lastPage: lastEnd,
    pageMs: stats(durations).median, finalStart: final.start, finalEnd: final.end, answer: t1 - t0,
  };
}

async function endToEnd(pdf) {
  const { ensureDatabase, createDataSource, migrateUp } = require(dist('libs/persistence/src/index.js'));
  const t = require(dist('libs/testing/src/index.js'));
  const base = parseConfig({ ...rawEnv(), NODE_ENV: 'test' });
  const id = randomBytes(4).toString('hex');
  const url = new URL(base.database.url);
  url.pathname = `/sy_bench_${id}`;
  await ensureDatabase(url.toString());
  const ds = await createDataSource({ database: { url: url.toString(), poolSize: 2 } }, 'bench').initialize();
  await migrateUp(ds);
  await ds.destroy();
  const mock = await t.MockOpenAIServer.start();
  mock.respond = () => ({ content: '# Page\n\nTranscribed.', usage: { prompt_tokens: 800, completion_tokens: 40 } });
  const env = {
    NODE_ENV: 'test', DATABASE_URL: url.toString(), REDIS_URL: base.redis.url, REDIS_PREFIX: `sybench-${id}`,
    GATEWAY_ADMIN_TOKEN: `bench-admin-${id}-xxxxxxxx`, GATEWAY_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn', DOCUMENTS_RENDER_THREADS: String(threads),
    ...(bootWarmupFlag === null ? {} : { DOCUMENTS_RENDER_WARMUP_PAGES: bootWarmupFlag }),
    ...(concurrency ? { DOCUMENTS_WORKER_CONCURRENCY: concurrency } : {}),
  };
  const procs = [];
  const { Redis } = require('ioredis');
  const redis = new Redis(base.redis.url);
  try {
    const router = await t.startServiceProcess('router', env, await t.freePort()); procs.push(router);
    const api = await t.startServiceProcess('documents', env, await t.freePort()); procs.push(api);
    const worker = await t.startWorkerProcess(env, 60_000, cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${resolve(cpuProf)}`] : []); procs.push(worker);
    const tenant = await t.seedTenant(router.url, env.GATEWAY_ADMIN_TOKEN, { provider: 'openai', slug: 'openai', credentials: { api_key: 'sk-bench' }, base_url: mock.url });
    const times = [];
    const cpu = { worker: [], api: [], router: [] };
    const cpuNow = () => ({ worker: processCpuSeconds(worker.child.pid), api: processCpuSeconds(api.child.pid), router: processCpuSeconds(router.child.pid) });
    const threadCpu = [];
    const timelines = [];
    const idle = [];
    for (let r = 0; r < repeats; r++) {
      const c0 = cpuNow();
      const t0cpu = threadCpuSeconds(worker.child.pid);
      const t0threads = threadTimes(worker.child.pid);
      const form = new FormData();
      form.append('options', JSON.stringify({ mode: e2eMode, model: 'openai/gpt-4o-mini', dpi: DPI }));
      form.append('file', new Blob([pdf]), 'bench.pdf');
      const t0 = performance.now();
      const t0ms = Date.now();
      const res = await fetch(`${api.url}/v1/documents/parse?wait=300`, { method: 'POST', headers: { authorization: `Bearer ${tenant.projectKey}` }, body: form });
      const body = await res.json();
      if (body.status !== 'succeeded') throw new Error(`job ${body.status}: ${JSON.stringify(body.error)}`);
      if (body.result.pages.length !== PAGES) throw new Error(`job answered ${body.result.pages.length} pages`);
      times.push((performance.now() - t0) / 1000);
      if (threads > 0) idle.push(renderIdleShare(t0threads, threadTimes(worker.child.pid), worker.child.pid, threads, times.at(-1)));
      timelines.push(await timeline(redis, `${env.REDIS_PREFIX}:bull`, body.id, t0ms, Date.now()));
      const c1 = cpuNow();
      for (const k of Object.keys(cpu)) cpu[k].push(c1[k] - c0[k]);
      const t1cpu = threadCpuSeconds(worker.child.pid);
      threadCpu.push(Object.fromEntries(Object.entries(t1cpu).map(([k, v]) => [k, v - (t0cpu[k] ?? 0)])));
    }
    return { times, cpu, threadCpu, timelines, idle, calls: mock.requests.length };
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await mock.close();
    const admin = await t.adminClient(base.database.url);
    await admin.query(`DROP DATABASE IF EXISTS "sy_bench_${id}" WITH (FORCE)`);
    await admin.end();
    const keys = await redis.keys(`sybench-${id}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'sy-bench-docs-'));
try {
  const pdf = await makePdf();
  const file = join(dir, 'bench.pdf');
  writeFileSync(file, pdf);
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`documents benchmark: ${PAGES}-page PDF (${(pdf.length / 1024).toFixed(0)} KiB), ${DPI} DPI, ${repeats} repeats, ${cpus().length} CPUs, ${threads} render threads (started with ${bootWarmup} warm-up pages each, then ${warmPasses} warm-up passes; text tasks: ${textTasks})`);
  const onlyE2e = args.includes('--only-e2e');
  const havePoppler = spawnSync('pdftoppm', ['-v']).status === 0;
  if (!havePoppler) console.log('pdftoppm not found (apt-get install -y poppler-utils): poppler rows skipped');
  /** Each row: a label and one measurement of all PAGES pages; the poppler rows write into a fresh directory. */
  const fresh = (prefix) => mkdtempSync(join(dir, prefix));
  const textOnly = args.includes('--text-only');
  const L = {
    render: 'render+JPEG, one thread, one page at a time (pdfjs + @napi-rs/canvas + sharp)',
    renderOnly: 'render only, one thread (pdfjs + @napi-rs/canvas)',
    renderer: `render+JPEG, pipeline PageRenderer, ${threads} threads, all pages in flight`,
    text: 'text layer as Markdown, one thread (getTextContent, operator list where needed, reflow)',
    textRenderer: `text layer as Markdown, pipeline PageRenderer, ${threads} threads, ${textTasks === 'page' ? 'a task per page' : `batches of ${TEXT_PAGES_PER_JOB} pages`}`,
    pdftotext: 'pdftotext -layout',
    ppm: `pdftoppm -r ${DPI} (PPM, no compression)`,
    jpeg: `pdftoppm -r ${DPI} -jpeg`,
  };
  const rows = [
    ...(textOnly
      ? []
      : [
          [L.render, () => pipelineRender(pdf)],
          [L.renderOnly, () => pipelineRenderOnly(pdf)],
          [L.renderer, () => rendererImage(pdf)],
        ]),
    [L.text, () => pipelineText(pdf)],
    [L.textRenderer, () => rendererText(pdf)],
    ...(havePoppler
      ? [
          [L.pdftotext, () => pdftotext(file, dir)],
          ...(textOnly
            ? []
            : [
                [L.ppm, () => pdftoppm(file, fresh('ppm-'))],
                [L.jpeg, () => pdftoppm(file, fresh('jpg-'), 'jpeg')],
                [`pdftoppm -r ${DPI} -png`, () => pdftoppm(file, fresh('png-'), 'png')],
              ]),
        ]
      : []),
  ];
  const results = new Map(rows.map(([label]) => [label, []]));
  if (!onlyE2e) {
    await (textOnly ? pipelineText(pdf) : pipelineRender(pdf)); // warm-up (loads pdfjs, fonts, sharp)
    for (let r = 0; r < repeats; r++) {
      for (const [label, run] of rows) {
        if (textIdle && label === L.text) await new Promise((r) => setTimeout(r, textIdle * 1000));
        results.get(label).push(await run());
      }
      // Drop this repeat's images (150 pages of bitmaps) but keep the PDF.
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, pdf);
    }
    const median = (label) => stats(results.get(label).map((m) => m.rate)).median;
    for (const [label] of rows) {
      const ms = results.get(label);
      console.log(`${label.padEnd(90)} ${fmt(stats(ms.map((m) => m.rate)), 'pages/s')}; CPU ${stats(ms.map((m) => m.cpuMs)).median.toFixed(1)} ms/page`);
    }
    const ratio = (a, b) => `${(median(a) / median(b)).toFixed(2)}x`;
    if (havePoppler && !textOnly) {
      console.log(`ratio render+JPEG one thread / pdftoppm -r ${DPI} (medians): ${ratio(L.render, L.ppm)}; / -jpeg: ${ratio(L.render, L.jpeg)}`);
      console.log(`ratio render+JPEG ${threads} threads / pdftoppm -r ${DPI} (medians): ${ratio(L.renderer, L.ppm)}; / -jpeg: ${ratio(L.renderer, L.jpeg)}`);
    }
    if (havePoppler) console.log(`ratio text one thread / pdftotext -layout (medians): ${ratio(L.text, L.pdftotext)}; ${threads} threads: ${ratio(L.textRenderer, L.pdftotext)}`);
    // Where the 2-thread text row's CPU went, by thread: its text threads (the busiest in that row), the render threads
    // (the busiest in the render row), the main thread and the rest (libuv, V8's platform threads, sharp's libvips).
    const summed = (label) => {
      const out = new Map();
      for (const m of results.get(label)) for (const [tid, ms] of m.threadMs) out.set(tid, (out.get(tid) ?? 0) + ms / repeats);
      return out;
    };
    const busiest = (m) => [...m].filter(([tid]) => tid !== String(process.pid)).sort((a, b) => b[1] - a[1]).slice(0, threads).map(([tid]) => tid);
    const textMs = summed(L.textRenderer);
    const groups = { text: busiest(textMs), render: textOnly ? [] : busiest(summed(L.renderer)), main: [String(process.pid)] };
    const sum = (tids) => tids.reduce((a, tid) => a + (textMs.get(tid) ?? 0), 0);
    const other = [...textMs.keys()].filter((tid) => !Object.values(groups).flat().includes(tid));
    console.log(
      `CPU ms per page of the ${threads}-thread text row by thread (mean of repeats): text threads ${sum(groups.text).toFixed(2)}` +
        `${textOnly ? '' : `, render threads ${sum(groups.render).toFixed(2)}`}, main ${sum(groups.main).toFixed(2)}, other ${sum(other).toFixed(2)} (${other.length} threads)`,
    );
    if (!textOnly) console.log(`sharp share of a page's time on one thread (1 - render+JPEG / render only, medians): ${((1 - median(L.render) / median(L.renderOnly)) * 100).toFixed(0)}%`);
  }
  if (!args.includes('--skip-e2e') && !textOnly) {
    const e2e = await endToEnd(pdf);
    const es = stats(e2e.times);
    console.log(
      `end-to-end ${PAGES}-page ${e2eMode} job (REST + BullMQ, 1 worker, page concurrency ${concurrency ?? 'default'}, ${threads} render threads, instant mock vision): ${fmt(es, 's')} (${(PAGES / es.median).toFixed(1)} pages/s; ${e2e.calls} model calls)`,
    );
    const cpuMs = (k) => `${((stats(e2e.cpu[k]).median * 1000) / PAGES).toFixed(1)}`;
    console.log(`  CPU per page (medians, all threads of each process): worker ${cpuMs('worker')} ms, documents API ${cpuMs('api')} ms, router ${cpuMs('router')} ms`);
    const names = [...new Set(e2e.threadCpu.flatMap((t) => Object.keys(t)))].filter((n) => e2e.threadCpu.some((t) => (t[n] ?? 0) > 0.005));
    const perThread = (ns) => ns.map((n) => `${n.replace(/^wait:/, '')} ${((stats(e2e.threadCpu.map((t) => t[n] ?? 0)).median * 1000) / PAGES).toFixed(1)}`).join(', ');
    console.log(`  worker CPU per page by thread (medians, ms; threads grouped by name): ${perThread(names.filter((n) => !n.startsWith('wait:')))}`);
    console.log(`  worker threads' wait for a core per page (run delay, medians, ms): ${perThread(names.filter((n) => n.startsWith('wait:')))}`);
    if (e2e.idle.length) console.log(`  render threads idle (neither running nor waiting for a core), share of the job's wall time: ${e2e.idle.map((x) => `${(x * 100).toFixed(0)}%`).join(', ')}`);
    const tl = (k) => stats(e2e.timelines.map((t) => t[k])).median.toFixed(0);
    console.log(
      `  timeline (medians, ms from the upload): prepare ${tl('prepareStart')}-${tl('prepareEnd')}, pages ${tl('firstPage')}-${tl('lastPage')} (a page job ${tl('pageMs')} ms), finalize ${tl('finalStart')}-${tl('finalEnd')}, answer ${tl('answer')}`,
    );
    for (const t of e2e.timelines) console.log(`    ${JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)])))}`);
  }
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await renderer?.close();
  rmSync(dir, { recursive: true, force: true });
}
