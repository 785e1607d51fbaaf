// Documents quality benchmark: generates the quality corpus (born-digital pages with headings, one- and
// two-column prose, bullet and numbered lists, tables with a merged header, ruled and aligned, small print,
// and scanned pages: text drawn on a turned, noisy image) with its ground truth, reads every page in each mode
// and prints character and word error rates per mode and page kind, and table-structure accuracy.
//
//   npm run build && node bench/documents-quality/run.mjs [--pages 35] [--modes text,tesseract,llm-mock] [--kinds K,…] [--show 0]
//
// `--kinds` reads only the pages of those kinds (e.g. `table-aligned,scan`); `--show N` prints the Markdown of page N in each mode. Needs no database, Redis or network.
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '../..');
const dist = (p) => join(root, 'dist', p);
const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const pages = Number(arg('pages', 35));
const modes = arg('modes', 'text,tesseract,llm-mock').split(',');
const show = Number(arg('show', 0));
const only = arg('kinds', '') ? new Set(arg('kinds', '').split(',')) : null;

const { qualityCorpus, groundTruthVisionCaller } = require(dist('libs/testing/src/index.js'));
const { evaluateQuality } = require(dist('libs/documents/src/quality/evaluate.js'));

const corpus = await qualityCorpus({ pages });
console.log(`corpus: ${corpus.pages.length} pages, ${(corpus.pdf.length / 1024).toFixed(0)} KiB; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const out = await evaluateQuality(corpus.pdf, corpus.pages, {
  modes,
  llmCaller: groundTruthVisionCaller(corpus.pages),
  ...(only ? { only: (_mode, page) => only.has(page.kind) } : {}),
});
const pct = (x) => (x === null || x === undefined ? '-' : `${(x * 100).toFixed(2)}%`);

console.log('\nper mode and page kind (CER / WER over the kind\'s pages, mean table accuracy):');
const kinds = [...new Set(corpus.pages.map((p) => p.kind))].filter((k) => !only || only.has(k));
console.log(['mode'.padEnd(10), ...kinds.map((k) => k.padStart(22))].join(''));
for (const mode of modes) {
  const cells = kinds.map((k) => {
    const set = out.pages.filter((p) => p.mode === mode && p.kind === k);
    const mean = (f) => set.reduce((a, p) => a + f(p), 0) / set.length;
    const t = set.some((p) => p.table !== undefined) ? ` t${(mean((p) => p.table) * 100).toFixed(0)}` : '';
    return `${pct(mean((p) => p.cer))}/${pct(mean((p) => p.wer))}${t}`.padStart(22);
  });
  console.log([mode.padEnd(10), ...cells].join(''));
}
console.log('\nsummary:');
console.log('mode       pages          n     CER      WER   tables   time');
for (const s of out.summary) {
  console.log(
    `${s.mode.padEnd(10)} ${s.pages.padEnd(13)} ${String(s.count).padStart(3)} ${pct(s.cer).padStart(8)} ${pct(s.wer).padStart(8)} ${pct(s.table).padStart(8)} ${(s.ms / 1000).toFixed(1).padStart(6)} s`,
  );
}
if (show) for (const p of out.pages.filter((p) => p.page === show)) console.log(`\n--- page ${show} (${p.kind}) ${p.mode}:\n${p.markdown}`);
console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
process.exit(0);
