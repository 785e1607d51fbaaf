import { PDFDocument, StandardFonts } from 'pdf-lib';
import { PdfDocument } from './pdf-document';

/** A born-digital page: a title, a table drawn as positioned text (numbers right-aligned), and a closing note. */
async function invoicePdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([612, 792]);
  page.drawText('Invoice 4711', { x: 50, y: 720, size: 18, font });
  const rows = [
    ['Item', 'Qty', 'Price'],
    ['Hammer', '2', '12.50'],
    ['Box of nails', '10', '3.25'],
  ];
  rows.forEach((row, r) => {
    const y = 670 - r * 18;
    page.drawText(row[0]!, { x: 50, y, size: 11, font });
    for (const [j, right] of [
      [1, 330],
      [2, 480],
    ] as const) {
      const text = row[j]!;
      page.drawText(text, { x: right - font.widthOfTextAtSize(text, 11), y, size: 11, font });
    }
  });
  page.drawText('Payable within 30 days.', { x: 50, y: 580, size: 11, font });
  return Buffer.from(await doc.save());
}

describe('text layer of a real PDF (pdfjs)', () => {
  it('reads a positioned-text table as a Markdown table with every cell in its row and column', async () => {
    const doc = await PdfDocument.open(await invoicePdf());
    try {
      expect(await doc.text(1)).toBe(
        ['# Invoice 4711', '', '| Item | Qty | Price |', '| --- | --- | --- |', '| Hammer | 2 | 12.50 |', '| Box of nails | 10 | 3.25 |', '', 'Payable within 30 days.'].join('\n'),
      );
    } finally {
      await doc.destroy();
    }
  });
});
