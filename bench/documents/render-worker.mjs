// A piscina worker for bench/documents: renders and encodes pages of one PDF (opened once per thread).
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const dist = (p) => join(resolve(import.meta.dirname, '../..'), 'dist', p);
const { PdfDocument } = require(dist('libs/documents/src/pipeline/pdf-document.js'));
const { normalizeImage } = require(dist('libs/documents/src/pipeline/image-normalizer.js'));

let opened; // { key, doc }

export default async function renderPages({ key, pdf, pages, dpi }) {
  if (opened?.key !== key) {
    await opened?.doc.destroy();
    opened = { key, doc: await PdfDocument.open(Buffer.from(pdf)) };
  }
  let bytes = 0;
  for (const p of pages) {
    const raw = await opened.doc.render(p, dpi, 2000);
    bytes += (await normalizeImage(raw, { maxSide: 2000, maxPixels: 100_000_000, format: 'jpeg' })).data.length;
  }
  return bytes;
}
