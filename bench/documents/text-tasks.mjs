// How text-layer pages reach the render threads, two ways alternated on the same warm threads of one PageRenderer
// (so the machine's load and the threads' JIT warm-up fall on both alike): one task per page (as `mode: auto` pages
// are read, and `mode: text` ones were before) and a `mode: text` page job's way (batches of TEXT_PAGES_PER_JOB
// pages, PageRenderer.texts: one task per render thread per batch). Every page of the bench PDF in flight at once;
// prints the CPU per page (this process, all threads) and pages/s of each way, and checks both give the same Markdown.
//
//   npm run build && node bench/documents/text-tasks.mjs [--passes 20] [--threads N] [--boot-warmup N]
import { deepStrictEqual } from 'node:assert';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { makePdf, PAGES } from './bench-pdf.mjs';

const require = createRequire(import.meta.url);
const dist = (p) => join(resolve(import.meta.dirname, '../..'), 'dist', p);
const { PageRenderer } = require(dist('libs/documents/src/pipeline/page-renderer.js'));
const { TEXT_PAGES_PER_JOB } = require(dist('libs/documents/src/pipeline/page-task.js'));
const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const passes = flag('--passes', 20);
const threads = flag('--threads', cpus().length);
const bootWarmup = flag('--boot-warmup', 0);

const pdf = await makePdf();
const load = async () => pdf;
const pages = Array.from({ length: PAGES }, (_, i) => i + 1);
const batches = [];
for (let i = 0; i < PAGES; i += TEXT_PAGES_PER_JOB) batches.push(pages.slice(i, i + TEXT_PAGES_PER_JOB));
const renderer = new PageRenderer(threads);
const ways = {
  page: () => Promise.all(pages.map((page) => renderer.run('bench', load, { op: 'text', page }))),
  batch: () => Promise.all(batches.flatMap((b) => renderer.texts('bench', load, b))),
  whole: () => Promise.all(renderer.texts('bench', load, pages)),
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;

try {
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${PAGES} pages, ${threads} threads, ${bootWarmup} boot warm-up pages each, ${passes} passes per way`);
  await renderer.start(bootWarmup);
  const first = await ways.page(); // and the document parsed in every thread
  deepStrictEqual(await ways.batch(), first);
  deepStrictEqual(await ways.whole(), first);
  const out = { page: [], batch: [], whole: [] };
  for (let i = 0; i < passes; i++) {
    for (const way of i % 2 ? ['whole', 'batch', 'page'] : ['page', 'batch', 'whole']) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await ways[way]();
      const s = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      out[way].push({ cpuMs: (c.user + c.system) / 1000 / PAGES, rate: PAGES / s });
    }
  }
  for (const way of ['page', 'batch', 'whole']) {
    const cpu = out[way].map((m) => m.cpuMs);
    const rate = out[way].map((m) => m.rate);
    console.log(`${way.padEnd(6)} CPU ${median(cpu).toFixed(2)} ms/page (${range(cpu)}), ${median(rate).toFixed(0)} pages/s (${range(rate)})`);
  }
  for (const way of ['batch', 'whole']) {
    const ratios = out.page.map((p, i) => out[way][i].cpuMs / p.cpuMs);
    console.log(`${way} / page CPU per page, pass by pass: median ${median(ratios).toFixed(3)} (${range(ratios)})`);
  }
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await renderer.close();
}
