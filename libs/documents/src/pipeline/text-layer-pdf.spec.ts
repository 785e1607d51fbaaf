import { PDFDocument, StandardFonts } from 'pdf-lib';
import { loadPdfJs, PdfDocument } from './pdf-document';

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

/** Pages of a short bold line over a paragraph, the same fonts on every page. */
async function boldLinePdf(pages: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  for (let p = 1; p <= pages; p++) {
    const page = doc.addPage([612, 792]);
    page.drawText(`Risks and costs ${p}`, { x: 50, y: 720, size: 11, font: bold });
    page.drawText('Prices rose in the second half of the year.', { x: 50, y: 680, size: 11, font });
  }
  return Buffer.from(await doc.save());
}

describe('text layer of a real PDF (pdfjs)', () => {
  it("loads pdfjs without leaving its legacy build's polyfills in place of Node's own push and JSON", async () => {
    const native = { push: Array.prototype.push, parse: JSON.parse, stringify: JSON.stringify };
    await loadPdfJs();
    expect({ push: Array.prototype.push, parse: JSON.parse, stringify: JSON.stringify }).toEqual(native);
    expect(typeof (Promise as { withResolvers?: unknown }).withResolvers).toBe('function'); // what pdfjs needs of its polyfills stays
  });

  it('reads a page the same whether or not an earlier page loaded its fonts; image coverage only when asked for', async () => {
    const doc = await PdfDocument.open(await boldLinePdf(2));
    try {
      // Page 2 first (PDFium: without graphics), then page 1 with graphics (pdfjs: its fonts not loaded by an earlier page).
      const second = await doc.pageText(2);
      const first = await doc.pageText(1, { graphics: true });
      expect(second).toEqual({ markdown: 'Risks and costs 2\n\nPrices rose in the second half of the year.', chars: 49, graphics: null });
      expect(first).toEqual({ markdown: 'Risks and costs 1\n\nPrices rose in the second half of the year.', chars: 49, graphics: { rules: [], imageFraction: 0 } });
    } finally {
      await doc.destroy();
    }
  });

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
