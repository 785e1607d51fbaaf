import { createHash } from 'node:crypto';
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

  it('reuses the canvas of the last page: every page comes out as drawn alone, also two at once in one thread', async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    for (const [i, size] of ([[612, 792], [612, 792], [792, 612]] as const).entries()) {
      pdf.addPage([...size]).drawText(`Page ${i + 1}`, { x: 40 + 60 * i, y: 300, size: 20 + 10 * i, font });
    }
    const doc = await PdfDocument.open(Buffer.from(await pdf.save()));
    const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    try {
      const alone: string[] = [];
      for (const p of [1, 2, 3]) alone.push(hash((await doc.render(p, 72)).data));
      expect(new Set(alone).size).toBe(3);
      const seen: string[] = [];
      for (const p of [1, 2, 1, 3, 3, 2]) seen.push(await doc.renderWith(p, 72, Infinity, async (page) => hash(page.data)));
      expect(seen).toEqual([1, 2, 1, 3, 3, 2].map((p) => alone[p - 1]));
      // The second page is drawn while the first one's pixels are still lent: on its own canvas.
      const both = await doc.renderWith(1, 72, Infinity, async (first) => [hash(first.data), await doc.renderWith(2, 72, Infinity, async (second) => hash(second.data)), hash(first.data)]);
      expect(both).toEqual([alone[0], alone[1], alone[0]]);
    } finally {
      await doc.destroy();
    }
  });
});
