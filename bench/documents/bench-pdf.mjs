// The documents benchmarks' PDF: PAGES US Letter pages of text (a bold heading, 40 lines) and a ruled box each.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { PDFDocument, StandardFonts, rgb } = require('pdf-lib');

export const PAGES = 50;

export async function makePdf() {
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
