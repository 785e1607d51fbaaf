// What the page image sent to a vision model keeps, by its size and JPEG chroma subsampling: every page of the
// quality corpus rendered at 150 DPI (the default) no larger than each --max-side, encoded as the pipeline does
// (quality 85, each --subsampling), then read by tesseract, a reader more sensitive to resolution than a vision
// model, and scored against the ground truth (CER/WER, born-digital and scanned pages), with the JPEG bytes per page.
//
//   npm run build && node bench/documents-quality/vision-image.mjs [--max-side 2000,1568] [--subsampling 4:4:4,4:2:0] [--pages 35]
//
// Needs no database, Redis or network.
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '../..');
const dist = (p) => require(join(root, 'dist', p));
const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const sides = arg('max-side', '2000,1568').split(',').map(Number);
const subsamplings = arg('subsampling', '4:4:4,4:2:0').split(',');

const sharp = require('sharp');
const { qualityCorpus } = dist('libs/testing/src/index.js');
const { PdfDocument } = dist('libs/documents/src/pipeline/pdf-document.js');
const { TesseractEngine } = dist('libs/documents/src/engines/tesseract.engine.js');
const { characterErrorRate, wordErrorRate, plainText } = dist('libs/documents/src/quality/metrics.js');

const corpus = await qualityCorpus({ pages: Number(arg('pages', 35)) });
console.log(`corpus: ${corpus.pages.length} pages; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const doc = await PdfDocument.open(corpus.pdf);
const tesseract = new TesseractEngine();
const ctx = { organizationId: 'quality', projectId: 'quality', keyId: null };
const variants = sides.flatMap((maxSide) => subsamplings.map((chromaSubsampling) => ({ maxSide, chromaSubsampling })));
const totals = variants.map(() => ({ 'born-digital': { ce: 0, c: 0, we: 0, w: 0 }, scanned: { ce: 0, c: 0, we: 0, w: 0 }, bytes: 0, size: '' }));
try {
  for (const t of corpus.pages) {
    for (const [i, v] of variants.entries()) {
      const out = await doc.renderWith(t.page, 150, v.maxSide, (raw) =>
        sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 4 } })
          .removeAlpha()
          .jpeg({ quality: 85, chromaSubsampling: v.chromaSubsampling, optimiseCoding: false })
          .toBuffer({ resolveWithObject: true }),
      );
      const image = { data: out.data, mime: 'image/jpeg', width: out.info.width, height: out.info.height };
      const markdown = (await tesseract.transcribe(ctx, image, { number: t.page })).markdown;
      const text = plainText(t.markdown);
      const words = text.split(' ').filter(Boolean).length;
      const acc = totals[i][t.scanned ? 'scanned' : 'born-digital'];
      acc.ce += characterErrorRate(t.markdown, markdown) * text.length;
      acc.c += text.length;
      acc.we += wordErrorRate(t.markdown, markdown) * words;
      acc.w += words;
      totals[i].bytes += out.data.length;
      totals[i].size ||= `${out.info.width}x${out.info.height}`;
    }
  }
} finally {
  await tesseract.close();
  await doc.destroy();
}
const pct = (a, b) => `${((100 * a) / b).toFixed(2)}%`;
console.log('\nmax side  subsampling  first page    born-digital CER/WER   scanned CER/WER   JPEG KB/page');
for (const [i, v] of variants.entries()) {
  const t = totals[i];
  const cls = (k) => (t[k].c ? `${pct(t[k].ce, t[k].c)}/${pct(t[k].we, t[k].w)}` : '-');
  console.log(
    `${String(v.maxSide).padEnd(9)} ${v.chromaSubsampling.padEnd(12)} ${t.size.padEnd(13)} ${cls('born-digital').padEnd(22)} ${cls('scanned').padEnd(17)} ${(t.bytes / corpus.pages.length / 1024).toFixed(0)}`,
  );
}
console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
process.exit(0);
