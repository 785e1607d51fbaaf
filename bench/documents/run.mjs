// Documents benchmark: pages rendered per second at 150 DPI by the pipeline (pdfjs + @napi-rs/canvas,
// then sharp normalization) against `pdftoppm -r 150` on the same generated 50-page PDF, and the
// end-to-end time of a 50-page OCR job through REST + BullMQ workers with an instant mock vision model.
//
//   npm run build && node bench/documents/run.mjs [--repeats 3] [--skip-e2e | --only-e2e] [--concurrency 2]
//
// Needs PostgreSQL and Redis (as for the tests) for the end-to-end part, and poppler-utils for pdftoppm.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '../..');
const dist = (p) => join(root, 'dist', p);
const args = process.argv.slice(2);
const repeats = Number(args[args.indexOf('--repeats') + 1]) || 3;
const concurrency = args.includes('--concurrency') ? Number(args[args.indexOf('--concurrency') + 1]) : 2;
const PAGES = 50;
const DPI = 150;

const { PDFDocument, StandardFonts, rgb } = require('pdf-lib');
const { PdfDocument } = require(dist('libs/documents/src/pipeline/pdf-document.js'));
const { normalizeImage } = require(dist('libs/documents/src/pipeline/image-normalizer.js'));

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const fmt = (o, unit) => `min ${o.min.toFixed(2)} / median ${o.median.toFixed(2)} / max ${o.max.toFixed(2)} ${unit}`;

async function makePdf() {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  for (let p = 1; p <= PAGES; p++) {
    const page = doc.addPage([612, 792]); // US Letter
    page.drawText(`Section ${p}: Quarterly operations report`, { x: 50, y: 740, size: 18, font: bold });
    for (let l = 0; l < 40; l++) {
      page.drawText(`Line ${l + 1} of page ${p}. The quick brown fox jumps over the lazy dog; 0123456789 ${'x'.repeat(l % 7)}`, {
        x: 50, y: 710 - l * 15, size: 10, font,
      });
    }
    page.drawRectangle({ x: 50, y: 60, width: 500, height: 20, borderColor: rgb(0, 0, 0), borderWidth: 1 });
  }
  return Buffer.from(await doc.save());
}

/** Pages per second of `perPage` over every page of the opened PDF (opening not timed). */
async function perPageRate(pdf, perPage) {
  const doc = await PdfDocument.open(pdf);
  const t0 = performance.now();
  for (let p = 1; p <= doc.numPages; p++) await perPage(doc, p);
  const s = (performance.now() - t0) / 1000;
  await doc.destroy();
  return PAGES / s;
}

const pipelineRender = (pdf) =>
  perPageRate(pdf, async (doc, p) => normalizeImage(await doc.render(p, DPI, 2000), { maxSide: 2000, maxPixels: 100_000_000, format: 'jpeg' }));
const pipelineRenderOnly = (pdf) => perPageRate(pdf, (doc, p) => doc.render(p, DPI));
/** The text layer of every page as Markdown (what `mode: text` does per page). */
const pipelineText = (pdf) => perPageRate(pdf, (doc, p) => doc.text(p));

/** The same render+encode on `threads` worker threads (piscina), pages dealt out in batches of `batch`. */
async function threadedRender(pdf, threads, batch = 1) {
  const { Piscina } = require('piscina');
  const pool = new Piscina({ filename: join(import.meta.dirname, 'render-worker.mjs'), minThreads: threads, maxThreads: threads });
  const shared = new Uint8Array(new SharedArrayBuffer(pdf.length));
  shared.set(pdf);
  // Warm each thread (pdfjs, fonts, the parsed PDF), as a long-running worker would be.
  await Promise.all(Array.from({ length: threads }, () => pool.run({ key: 'bench', pdf: shared, pages: [1], dpi: DPI })));
  const t0 = performance.now();
  const jobs = [];
  for (let p = 1; p <= PAGES; p += batch) jobs.push(pool.run({ key: 'bench', pdf: shared, pages: Array.from({ length: Math.min(batch, PAGES - p + 1) }, (_, k) => p + k), dpi: DPI }));
  await Promise.all(jobs);
  const s = (performance.now() - t0) / 1000;
  await pool.destroy();
  return PAGES / s;
}

function pdftotext(file, out) {
  const t0 = performance.now();
  execFileSync('pdftotext', ['-layout', file, join(out, 'out.txt')]);
  return PAGES / ((performance.now() - t0) / 1000);
}

function pdftoppm(file, out, format) {
  const t0 = performance.now();
  execFileSync('pdftoppm', ['-r', String(DPI), ...(format ? [`-${format}`] : []), file, join(out, 'p')]);
  return PAGES / ((performance.now() - t0) / 1000);
}

async function endToEnd(pdf) {
  const { parseConfig, rawEnv } = require(dist('libs/config/src/index.js'));
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
    LOG_LEVEL: 'warn', DOCUMENTS_WORKER_CONCURRENCY: String(concurrency),
  };
  const procs = [];
  try {
    const router = await t.startServiceProcess('router', env, await t.freePort()); procs.push(router);
    const api = await t.startServiceProcess('documents', env, await t.freePort()); procs.push(api);
    const worker = await t.startWorkerProcess(env); procs.push(worker);
    const tenant = await t.seedTenant(router.url, env.GATEWAY_ADMIN_TOKEN, { provider: 'openai', slug: 'openai', credentials: { api_key: 'sk-bench' }, base_url: mock.url });
    const times = [];
    for (let r = 0; r < repeats; r++) {
      const form = new FormData();
      form.append('options', JSON.stringify({ mode: 'ocr', model: 'openai/gpt-4o-mini', dpi: DPI }));
      form.append('file', new Blob([pdf]), 'bench.pdf');
      const t0 = performance.now();
      const res = await fetch(`${api.url}/v1/documents/parse?wait=300`, { method: 'POST', headers: { authorization: `Bearer ${tenant.projectKey}` }, body: form });
      const body = await res.json();
      if (body.status !== 'succeeded') throw new Error(`job ${body.status}: ${JSON.stringify(body.error)}`);
      times.push((performance.now() - t0) / 1000);
    }
    return { times, calls: mock.requests.length };
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await mock.close();
    const admin = await t.adminClient(base.database.url);
    await admin.query(`DROP DATABASE IF EXISTS "sy_bench_${id}" WITH (FORCE)`);
    await admin.end();
    const { Redis } = require('ioredis');
    const redis = new Redis(base.redis.url);
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
  console.log(`documents benchmark: ${PAGES}-page PDF (${(pdf.length / 1024).toFixed(0)} KiB), ${DPI} DPI, ${repeats} repeats, ${cpus().length} CPUs`);
  const onlyE2e = args.includes('--only-e2e');
  if (!onlyE2e) await pipelineRender(pdf); // warm-up (loads pdfjs, fonts, sharp)
  const pipe = [], renderOnly = [], threaded = [], text = [], poppler = [], popplerPng = [], popplerJpeg = [], popplerText = [];
  const havePoppler = spawnSync('pdftoppm', ['-v']).status === 0;
  for (let r = 0; r < (onlyE2e ? 0 : repeats); r++) {
    pipe.push(await pipelineRender(pdf));
    renderOnly.push(await pipelineRenderOnly(pdf));
    threaded.push(await threadedRender(pdf, cpus().length));
    text.push(await pipelineText(pdf));
    if (havePoppler) {
      popplerText.push(pdftotext(file, dir));
      poppler.push(pdftoppm(file, mkdtempSync(join(dir, 'ppm-'))));
      popplerJpeg.push(pdftoppm(file, mkdtempSync(join(dir, 'jpg-')), 'jpeg'));
      popplerPng.push(pdftoppm(file, mkdtempSync(join(dir, 'png-')), 'png'));
      // Drop this repeat's images (150 pages of bitmaps) but keep the PDF.
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, pdf);
    }
  }
  if (!onlyE2e) printRender();
  function printRender() {
  const ps = stats(pipe);
  console.log(`pipeline render+sharp (pdfjs-dist + @napi-rs/canvas + sharp jpeg): ${fmt(ps, 'pages/s')}`);
  console.log(`pipeline render only (pdfjs-dist + @napi-rs/canvas):              ${fmt(stats(renderOnly), 'pages/s')}`);
  const ts = stats(threaded);
  console.log(`pipeline render+sharp on ${cpus().length} worker threads (piscina):       ${fmt(ts, 'pages/s')}`);
  const xs = stats(text);
  console.log(`pipeline text layer as Markdown (getTextContent + operator list):  ${fmt(xs, 'pages/s')}`);
  console.log(`sharp step share of the page time (1 - render+sharp / render only, medians): ${((1 - ps.median / stats(renderOnly).median) * 100).toFixed(0)}%`);
  if (havePoppler) {
    const pp = stats(poppler);
    const pj = stats(popplerJpeg);
    console.log(`pdftoppm -r ${DPI} (PPM, no compression):                         ${fmt(pp, 'pages/s')}`);
    console.log(`pdftoppm -r ${DPI} -jpeg:                                          ${fmt(pj, 'pages/s')}`);
    console.log(`pdftoppm -r ${DPI} -png:                                           ${fmt(stats(popplerPng), 'pages/s')}`);
    console.log(`ratio pipeline render+sharp / pdftoppm -r ${DPI} (medians): ${(ps.median / pp.median).toFixed(2)}x`);
    console.log(`ratio pipeline render+sharp / pdftoppm -r ${DPI} -jpeg (medians): ${(ps.median / pj.median).toFixed(2)}x`);
    console.log(`ratio ${cpus().length} threads render+sharp / pdftoppm -r ${DPI} (medians): ${(ts.median / pp.median).toFixed(2)}x`);
    const pt = stats(popplerText);
    console.log(`pdftotext -layout:                                                 ${fmt(pt, 'pages/s')}`);
    console.log(`ratio pipeline text / pdftotext -layout (medians): ${(xs.median / pt.median).toFixed(2)}x`);
  } else {
    console.log('pdftoppm not found: apt-get install -y poppler-utils');
  }
  }
  if (!args.includes('--skip-e2e')) {
    const e2e = await endToEnd(pdf);
    const es = stats(e2e.times);
    console.log(`end-to-end ${PAGES}-page OCR job (REST + BullMQ, 1 worker, page concurrency ${concurrency}, instant mock vision): ${fmt(es, 's')} (${(PAGES / es.median).toFixed(1)} pages/s; ${e2e.calls} model calls)`);
  }
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
