import {
  beginText,
  concatTransformationMatrix,
  degrees,
  endText,
  PDFDocument,
  PDFNumber,
  PDFOperator,
  popGraphicsState,
  pushGraphicsState,
  setCharacterSpacing,
  setFontAndSize,
  setTextMatrix,
  setTextRise,
  setWordSpacing,
  showText,
  StandardFonts,
} from 'pdf-lib';
import { encryptedPdf, textPdf, truncatedPdf } from '@switchyard/testing';
import { loadPdfJs, PdfDocument } from './pdf-document';
import { GlyphItems, PdfiumDocument } from './pdfium-text';
import type { TextItem } from './text-layer';

const SENTENCE = 'The quick brown fox jumps over the lazy dog and keeps running.';

/**
 * Text the way generators write it, and the ways pdfjs's item rules are tested by: a scaled CTM, font size 1 under
 * a scaled text matrix, character and word spacing, horizontal scaling, a superscript (text rise, smaller size),
 * two fonts on one line, gaps of a word space and of a column, and (page 2) a page drawn as a form at half size.
 */
async function layoutPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const times = await doc.embedFont(StandardFonts.TimesRoman);
  const page = doc.addPage([612, 792]);
  const F = page.node.newFontDictionary('Helvetica', font.ref);
  const T = page.node.newFontDictionary('Times-Roman', times.ref);
  const line = (size: number, x: number, y: number, text: string) => [setFontAndSize(F, size), setTextMatrix(1, 0, 0, 1, x, y), showText(font.encodeText(text))];
  page.pushOperators(
    pushGraphicsState(),
    concatTransformationMatrix(2, 0, 0, 2, 0, 0),
    beginText(),
    ...line(8, 25, 350, 'Under a scaled CTM'),
    ...line(5, 25, 330, SENTENCE),
    endText(),
    popGraphicsState(),
    beginText(),
    setFontAndSize(F, 1),
    setTextMatrix(11, 0, 0, 11, 50, 560),
    showText(font.encodeText('Font size one, scaled by the text matrix')),
    setCharacterSpacing(0.8),
    ...line(10, 50, 540, 'Letter spaced words'),
    setCharacterSpacing(0),
    setWordSpacing(6),
    ...line(10, 50, 525, 'Word spaced words here'),
    setWordSpacing(0),
    PDFOperator.of('Tz' as never, [PDFNumber.of(70)]),
    ...line(10, 50, 510, 'Condensed at seventy percent'),
    PDFOperator.of('Tz' as never, [PDFNumber.of(100)]),
    ...line(10, 50, 495, 'E = mc'),
    setTextRise(4),
    setFontAndSize(F, 7),
    showText(font.encodeText('2')),
    setTextRise(0),
    setFontAndSize(T, 10),
    showText(times.encodeText(' and Times on the same line')),
    ...line(10, 50, 480, 'Tight'),
    ...line(10, 78, 480, 'gap'),
    ...line(10, 120, 480, 'then a column'),
    endText(),
  );
  const inner = await PDFDocument.create();
  const innerFont = await inner.embedFont(StandardFonts.Helvetica);
  const innerPage = inner.addPage([612, 792]);
  innerPage.drawText('Inside a form', { x: 50, y: 700, size: 24, font: innerFont });
  for (let i = 0; i < 4; i++) innerPage.drawText(SENTENCE, { x: 50, y: 660 - i * 16, size: 12, font: innerFont });
  const [form] = await doc.embedPdf(await inner.save());
  doc.addPage([612, 792]).drawPage(form!, { x: 100, y: 300, xScale: 0.5, yScale: 0.5 });
  return Buffer.from(await doc.save());
}

/** pdfjs's items of a page (the non-blank ones), rounded: what PDFium's are compared with. */
async function pdfjsItems(pdf: Buffer, pageNumber: number): Promise<TextItem[]> {
  const pdfjs = await loadPdfJs();
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
  try {
    const content = await (await doc.getPage(pageNumber)).getTextContent({ disableNormalization: true });
    return rounded((content.items as TextItem[]).filter((i) => 'str' in i));
  } finally {
    await doc.destroy();
  }
}

/** A page's text items from PDFium, without its ruling lines (null: the page is left to pdfjs). */
const textItems = (doc: PdfiumDocument, page: number): TextItem[] | null => doc.read(page, () => false)?.items ?? null;
const rounded = (items: TextItem[]) =>
  items
    .filter((i) => i.str.trim())
    .map((i) => ({ str: i.str.trim(), transform: i.transform.map((v) => Math.round(v * 100) / 100), width: Math.round(i.width * 10) / 10, height: Math.round(i.height * 100) / 100 }));

describe('PDFium text items', () => {
  it('gives the items pdfjs gives: the same strings, origins, widths and sizes, form XObjects included', async () => {
    const pdf = await layoutPdf();
    const doc = await PdfiumDocument.open(pdf);
    try {
      for (const page of [1, 2]) expect(rounded(textItems(doc!, page)!)).toEqual(await pdfjsItems(pdf, page));
      expect(rounded(textItems(doc!, 1)!).map((i) => i.str)).toEqual([
        'Under a scaled CTM',
        SENTENCE,
        'Font size one, scaled by the text matrix',
        'Letter spaced words',
        'Word',
        'spaced',
        'words',
        'here',
        'Condensed at seventy percent',
        'E = mc',
        '2',
        'and Times on the same line',
        'Tight gap',
        'then a column',
      ]);
    } finally {
      doc?.destroy();
    }
  });

  it('leaves to pdfjs the pages it cannot give as pdfjs would: rotated text, a font pdfjs may take for bold', async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    pdf.addPage([612, 792]).drawText('Rotated', { x: 300, y: 300, size: 12, font, rotate: degrees(90) });
    const page = pdf.addPage([612, 792]);
    // Not embedded and not a standard font: pdfjs takes the name's "Bold" (its headings), PDFium cannot say so.
    const verdana = page.node.newFontDictionary('Verdana,Bold', pdf.context.register(pdf.context.obj({ Type: 'Font', Subtype: 'TrueType', BaseFont: 'Verdana,Bold', Encoding: 'WinAnsiEncoding' })));
    page.pushOperators(beginText(), setFontAndSize(verdana, 10), setTextMatrix(1, 0, 0, 1, 50, 700), showText(font.encodeText('Risks')), endText());
    page.drawText(SENTENCE, { x: 50, y: 680, size: 10, font });
    pdf.addPage([612, 792]).drawText(SENTENCE, { x: 50, y: 700, size: 10, font: await pdf.embedFont(StandardFonts.HelveticaBold) });
    const bytes = Buffer.from(await pdf.save());
    const doc = await PdfiumDocument.open(bytes);
    const pages = await PdfDocument.open(bytes);
    try {
      expect([1, 2, 3].map((p) => textItems(doc!, p)?.map((i) => i.str) ?? null)).toEqual([null, null, [SENTENCE]]);
      expect((await pages.pageText(2)).markdown).toBe(`### Risks\n\n${SENTENCE}`); // read by pdfjs: bold
    } finally {
      doc?.destroy();
      await pages.destroy();
    }
  });

  it("finds the ruling lines pdfjs's operator list gives, in forms too; leaves a page with curves to pdfjs", async () => {
    const inner = await PDFDocument.create();
    const table = inner.addPage([612, 792]);
    table.drawText('Total', { x: 60, y: 640, size: 10, font: await inner.embedFont(StandardFonts.Helvetica) }); // a page without text has no graphics read
    table.drawRectangle({ x: 50, y: 600, width: 300, height: 60, borderWidth: 1 });
    for (const x of [150, 250]) table.drawLine({ start: { x, y: 600 }, end: { x, y: 660 }, thickness: 1 });
    table.drawLine({ start: { x: 50, y: 630 }, end: { x: 350, y: 630 }, thickness: 0.5 });
    const pdf = await PDFDocument.create();
    const [form] = await pdf.embedPdf(await inner.save());
    pdf.addPage([612, 792]).drawPage(form!, { x: 20, y: -100, xScale: 0.8, yScale: 0.8 });
    const curved = pdf.addPage([612, 792]);
    curved.drawEllipse({ x: 300, y: 300, xScale: 50, yScale: 20, borderWidth: 1 });
    const bytes = Buffer.from(await pdf.save());
    const doc = await PdfiumDocument.open(bytes);
    const pages = await PdfDocument.open(bytes);
    const key = (rules: { x0: number; y0: number; x1: number; y1: number }[]) => rules.map((r) => [r.x0, r.y0, r.x1, r.y1].map((v) => v.toFixed(2)).join(' ')).sort();
    try {
      const rules = doc!.read(1, () => true)!.rules;
      expect(rules).toHaveLength(3); // the two inner verticals and the middle line (the border is a box, not a rule)
      expect(key(rules)).toEqual(key((await pages.pageText(1, { graphics: true })).graphics?.rules ?? []));
      expect(doc!.read(2, () => true)).toBeNull();
      expect(doc!.read(2, () => false)).toEqual({ items: [], rules: [] });
    } finally {
      doc?.destroy();
      await pages.destroy();
    }
  });

  it("gives a hyphen at a line's end as pdfjs does (PDFium marks it U+0002); leaves monospace text at pdfjs's thresholds to pdfjs", async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    const page = pdf.addPage([612, 792]);
    page.drawText('Distinguished Encoding Rules (DER) manip-', { x: 50, y: 700, size: 10, font });
    page.drawText('ulation, and more text on the line.', { x: 50, y: 688, size: 10, font });
    // Courier: a space is exactly 0.6 font sizes (pdfjs's item break), two are 1.2 (the cell break of reflowText).
    pdf.addPage([612, 792]).drawText('00000000  4d 49 4d 45  |MIME|', { x: 50, y: 700, size: 9, font: await pdf.embedFont(StandardFonts.Courier) });
    const bytes = Buffer.from(await pdf.save());
    const doc = await PdfiumDocument.open(bytes);
    try {
      expect(rounded(textItems(doc!, 1)!)).toEqual(await pdfjsItems(bytes, 1));
      expect(textItems(doc!, 1)![0]!.str).toBe('Distinguished Encoding Rules (DER) manip-');
      expect(textItems(doc!, 2)).toBeNull();
    } finally {
      doc?.destroy();
    }
  });

  it('opens nothing it cannot parse, and reads no page beyond the last', async () => {
    expect(await PdfiumDocument.open(Buffer.from('not a PDF at all'))).toBeNull();
    const pdf = await PDFDocument.create();
    pdf.addPage([612, 792]);
    const doc = await PdfiumDocument.open(await pdf.save());
    try {
      expect(textItems(doc!, 1)).toEqual([]);
      expect(textItems(doc!, 2)).toBeNull();
    } finally {
      doc?.destroy();
    }
  });
});

describe('PDFium heap', () => {
  it('opens the next document in a new instance once the heap has grown past the bound; documents open in the old one still read', async () => {
    const withText = async (padding: number) => {
      const pdf = await PDFDocument.create();
      const font = await pdf.embedFont(StandardFonts.Helvetica);
      pdf.addPage([612, 792]).drawText(SENTENCE, { x: 50, y: 700, size: 10, font });
      if (padding) pdf.context.register(pdf.context.stream(new Uint8Array(padding))); // an unreferenced stream: bytes only
      return Buffer.from(await pdf.save());
    };
    const [small, large] = [await withText(0), await withText(24 * 1024 * 1024)];
    const a = (await PdfiumDocument.open(small))!;
    const bound = a.heapBytes;
    const b = (await PdfiumDocument.open(large, bound))!; // the heap is within the bound: the same instance, grown
    const c = (await PdfiumDocument.open(small, bound))!; // grown past it: a new instance
    try {
      expect(b.heapBytes).toBeGreaterThan(Math.max(bound, large.length));
      expect(a.heapBytes).toBe(b.heapBytes);
      expect(c.heapBytes).toBeLessThanOrEqual(bound);
      const expected = await pdfjsItems(small, 1);
      for (const doc of [a, b, c]) expect(rounded(textItems(doc, 1)!)).toEqual(expected);
      const d = (await PdfiumDocument.open(small, bound))!; // the new instance is within the bound: kept
      expect(d.heapBytes).toBe(c.heapBytes);
      d.destroy();
    } finally {
      [a, b, c].forEach((d) => d.destroy());
    }
  });
});

describe('PdfDocument.openText (a text thread: PDFium first, pdfjs only for the pages that need it)', () => {
  it('reads what open() reads, pages left to pdfjs included, and fails a file as open() does', async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    pdf.addPage([612, 792]).drawText(SENTENCE, { x: 50, y: 700, size: 10, font });
    pdf.addPage([612, 792]).drawText('Rotated', { x: 300, y: 300, size: 12, font, rotate: degrees(90) });
    const bytes = Buffer.from(await pdf.save());
    const [text, full] = [await PdfDocument.openText(bytes), await PdfDocument.open(bytes)];
    try {
      expect(text.numPages).toBe(2);
      for (const page of [2, 1]) expect(await text.pageText(page)).toEqual(await full.pageText(page));
      expect(await text.pageText(1, { graphics: true })).toEqual(await full.pageText(1, { graphics: true }));
    } finally {
      await text.destroy();
      await full.destroy();
    }
    for (const file of [await encryptedPdf(), await truncatedPdf()]) {
      const [a, b] = await Promise.all([PdfDocument.openText(file).catch((e: unknown) => e), PdfDocument.open(file).catch((e: unknown) => e)]);
      expect(a).toEqual(b);
      expect((a as { code?: string }).code).toMatch(/encrypted_pdf|corrupt_file/);
    }
    const small = await PdfDocument.openText(await textPdf([['One page']]));
    await expect(small.pageText(2)).rejects.toMatchObject({ code: 'corrupt_file' });
    await small.destroy();
  });
});

describe('GlyphItems (pdfjs item rules on glyphs)', () => {
  const view = { x0: 0, y0: 0, x1: 612, y1: 792 };
  /** Glyphs of size 10, 5 wide, starting at x = 100 on y = 700, each after a gap (font sizes) from the previous one's end. */
  const itemsOf = (glyphs: [string, number, { font?: number; dy?: number; size?: number }?][]) => {
    const out = new GlyphItems(view);
    let x = 100;
    for (const [ch, gap, o = {}] of glyphs) {
      x += gap * 10;
      out.add(ch.codePointAt(0)!, x, 700 + (o.dy ?? 0), x + 5, o.size ?? 10, o.size ?? 10, o.font ?? 1);
      x += 5;
    }
    out.flush();
    return out.items.map((i) => [i.str, i.transform[4], i.width]);
  };

  it('joins glyphs closer than 0.102 font sizes, spaces those 0.102-0.6 apart, starts an item beyond', () => {
    expect(itemsOf([['a', 0], ['b', 0.05], ['c', 0.2], ['d', 0.61]])).toEqual([
      ['ab c', 100, 17.5],
      ['d', 123.6, 5],
    ]);
  });

  it('puts a space glyph in as one space, never at an item edge; two spaces (a gap of one font size) start an item', () => {
    expect(itemsOf([[' ', 0], ['a', 0], [' ', 0], ['b', 0], [' ', 0]])).toEqual([['a b', 105, 15]]);
    expect(itemsOf([['a', 0], [' ', 0], [' ', 0], ['b', 0]])).toEqual([
      ['a', 100, 5],
      ['b', 115, 5],
    ]);
  });

  it('starts an item at a glyph left of the previous end, at another font, and at a baseline moved by a quarter of its size', () => {
    expect(itemsOf([['a', 0], ['b', -0.25], ['c', 0, { font: 2 }], ['d', 0, { font: 2, dy: 3 }], ['e', 0, { font: 2, dy: 3 }]]).map((i) => i[0])).toEqual(['a', 'b', 'c', 'de']);
  });

  it('flags a gap within rounding of a threshold (0.102, 0.6 or 1.2 font sizes), not one clear of them', () => {
    const flagged = (gap: number) => {
      const out = new GlyphItems(view);
      out.add(0x61, 100, 700, 105, 10, 10, 1);
      out.add(0x62, 105 + gap * 10, 700, 110 + gap * 10, 10, 10, 1);
      return out.ambiguous;
    };
    expect([0.1025, 0.6, 0.6015, 1.2, 0.3, 0.59, 0.9, 1.25].map(flagged)).toEqual([true, true, true, true, false, false, false, false]);
  });

  it('drops glyphs outside the page, as pdfjs does', () => {
    const out = new GlyphItems(view);
    out.add(0x61, 610, 700, 615, 10, 10, 1);
    out.add(0x62, 615, 700, 620, 10, 10, 1);
    out.add(0x63, 50, -5, 55, 10, 10, 1);
    out.flush();
    expect(out.items.map((i) => i.str)).toEqual(['a']);
  });

  it('adds a ligature’s further characters (at the same origin) to its glyph, but not a glyph after a space', () => {
    const out = new GlyphItems(view);
    out.add(0x66, 100, 700, 106, 10, 10, 1);
    out.add(0x69, 100, 700, 105, 10, 10, 1);
    out.add(0x6e, 106, 700, 111, 10, 10, 1);
    out.add(0x20, 113, 700, 113, 10, 10, 1);
    out.add(0x4d, 113, 700, 121, 10, 10, 1);
    out.flush();
    expect(out.items.map((i) => [i.str, i.width])).toEqual([['fin M', 21]]);
  });
});
