import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { normalizeImage } from './image-normalizer';
import { PdfDocument } from './pdf-document';

async function letterPdf(text: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([612, 792]);
  page.drawText(text, { x: 50, y: 700, size: 24, font: await doc.embedFont(StandardFonts.Helvetica) });
  return Buffer.from(await doc.save());
}

describe('page images', () => {
  it('renders at the requested DPI, or at the smaller scale that fits maxSide, and encodes once without changing the size', async () => {
    const doc = await PdfDocument.open(await letterPdf('Scaled page'));
    try {
      const full = await doc.render(1, 100);
      expect([full.width, full.height]).toEqual([850, 1100]);
      expect(full.data.length).toBe(850 * 1100 * 4);
      // RGBA, opaque: white paper and black text.
      expect([...full.data.subarray(0, 4)]).toEqual([255, 255, 255, 255]);
      const alphas = new Set<number>();
      for (let i = 3; i < full.data.length; i += 4) alphas.add(full.data[i]!);
      expect([...alphas]).toEqual([255]);
      const fitted = await doc.render(1, 300, 1000);
      expect(fitted.height).toBe(1000);
      expect(Math.abs(fitted.width - 773)).toBeLessThanOrEqual(1);
      for (const format of ['jpeg', 'png'] as const) {
        const img = await normalizeImage(fitted, { maxSide: 1000, maxPixels: 1e8, format });
        const meta = await sharp(img.data).metadata();
        expect([meta.format, meta.width, meta.height, meta.channels]).toEqual([format, fitted.width, 1000, 3]);
        const grey = await sharp(img.data).greyscale().stats();
        expect(grey.channels[0]!.min).toBeLessThan(80); // text drawn
        expect(grey.channels[0]!.mean).toBeGreaterThan(220); // on white
      }
      // A rendering larger than maxSide (an older caller) is still downsized.
      const big = await normalizeImage(full, { maxSide: 500, maxPixels: 1e8, format: 'jpeg' });
      expect([big.width, big.height]).toEqual([386, 500]);
    } finally {
      await doc.destroy();
    }
  });
});
