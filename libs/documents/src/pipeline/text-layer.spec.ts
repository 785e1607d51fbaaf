import { pageGraphics, type OpCodes } from './page-graphics';
import { choosePageMethod } from './page-method';
import { normalizeItems, reflowText, rulesMayMatter, type TextItem } from './text-layer';

const item = (str: string, x: number, y: number, size = 10, fontName = 'regular'): TextItem => ({
  str,
  transform: [size, 0, 0, size, x, y],
  width: str.length * size * 0.5,
  height: size,
  fontName,
});
const isBold = (name: string) => name === 'bold';
const prose = (n: number) => `word${n} `.repeat(8).trim();

describe('reflowText: structure from the text layer', () => {
  it('headings from size relative to the body (small print is not the body), and short bold lines', () => {
    const items = [
      item('Annual Report', 50, 750, 20),
      item(prose(1), 50, 720),
      item(prose(2), 50, 707),
      item('Outlook', 50, 680, 14),
      item('Risks and costs', 50, 655, 10, 'bold'),
      item(prose(3), 50, 640),
      // about as much small print as body text: still not the body
      ...[0, 1, 2].map((k) => item(prose(k + 4), 50, 600 - k * 8, 6)),
    ];
    const md = reflowText(items, { isBold }).split('\n\n');
    expect(md.slice(0, 5)).toEqual(['# Annual Report', `${prose(1)} ${prose(2)}`, '## Outlook', '### Risks and costs', prose(3)]);
    expect(md[5]).not.toMatch(/^#/);
  });

  it('bullet and numbered lists with their wrapped lines; a wrapped line starting with "557." stays prose', () => {
    const items = [
      item('\u2022 first point that wraps', 60, 700),
      item('onto a second line', 74, 687),
      item('\u2022 second point', 60, 671),
      item('1. step one', 60, 640),
      item('2. step two', 60, 624),
      item('The total was', 50, 590),
      item('557. Then the next sentence went on.', 50, 577),
    ];
    expect(reflowText(items)).toBe(
      ['- first point that wraps onto a second line\n- second point', '1. step one\n2. step two', 'The total was 557. Then the next sentence went on.'].join('\n\n'),
    );
  });

  it('reads two columns of prose column by column, under a full-width title', () => {
    const left = ['left column line one is long', 'left column line two is long', 'left column line three is long'];
    const right = ['right column line one is long', 'right column line two is long', 'right column line three is long'];
    const items = [
      item('A title across both columns of the page', 50, 750, 20),
      ...left.map((t, k) => item(t, 50, 700 - k * 13)),
      ...right.map((t, k) => item(t, 320, 700 - k * 13)),
    ];
    expect(reflowText(items)).toBe(['# A title across both columns of the page', left.join(' '), right.join(' ')].join('\n\n'));
  });

  it('a ruled table: cells placed by the vertical rules, a merged header in the first column it spans', () => {
    const cols = [50, 150, 250, 350];
    const rules = [
      ...cols.map((x) => ({ x0: x - 0.4, x1: x + 0.4, y0: 600, y1: x === 250 ? 680 : 700 })),
      ...[700, 680, 660, 640, 620, 600].map((y) => ({ x0: y === 680 ? 150 : 50, x1: 350, y0: y - 0.4, y1: y + 0.4 })),
    ];
    const items = [
      item('Name', 58, 686, 10, 'bold'),
      item('Sales', 185, 686, 10, 'bold'),
      item('Q1', 158, 666),
      item('Q2', 258, 666),
      ...['Ann', 'Bob'].flatMap((n, r) => [item(n, 58, 646 - r * 20), item(String(10 + r), 158, 646 - r * 20), item(String(20 + r), 258, 646 - r * 20)]),
    ];
    expect(reflowText(items, { rules, isBold })).toBe(
      ['| Name | Sales |  |', '| --- | --- | --- |', '|  | Q1 | Q2 |', '| Ann | 10 | 20 |', '| Bob | 11 | 21 |'].join('\n'),
    );
  });

  it('an aligned table without rules takes the short rows above it as header rows, cells by column', () => {
    const body = (y: number, c: string[]) => [item(c[0]!, 50, y), item(c[1]!, 200 - c[1]!.length * 5, y), item(c[2]!, 300 - c[2]!.length * 5, y)];
    const items = [
      item('Region', 50, 700),
      item('Sales 2024', 215, 700),
      item('Q1', 190, 686),
      item('Q2', 290, 686),
      ...body(672, ['North', '120', '340']),
      ...body(658, ['South', '95', '410']),
    ];
    expect(reflowText(items)).toBe(
      ['| Region | Sales 2024 |  |', '| --- | --- | --- |', '|  | Q1 | Q2 |', '| North | 120 | 340 |', '| South | 95 | 410 |'].join('\n'),
    );
  });
});

describe('pageGraphics', () => {
  const OPS: OpCodes = {
    save: 1,
    restore: 2,
    transform: 3,
    constructPath: 4,
    endPath: 5,
    paintImageXObject: 6,
    paintInlineImageXObject: 7,
    paintImageMaskXObject: 8,
    paintFormXObjectBegin: 9,
    paintFormXObjectEnd: 10,
  };
  const STROKE = 20;

  it('finds thin paths as rules under the current transform, skips clips and boxes, and sums image area', () => {
    const g = pageGraphics(
      [OPS.save, OPS.transform, OPS.constructPath, OPS.restore, OPS.constructPath, OPS.constructPath, OPS.constructPath, OPS.save, OPS.transform, OPS.paintImageXObject, OPS.restore],
      [
        null,
        [1, 0, 0, 1, 100, 0],
        [STROKE, [], [0, 500, 200, 500]], // a horizontal line, moved right by 100
        null,
        [STROKE, [], [50, 100, 50, 300]], // a vertical line
        [OPS.endPath, [], [0, 0, 612, 1]], // a clip: not drawn
        [STROKE, [], [0, 0, 100, 100]], // a box: not a rule
        null,
        [306, 0, 0, 396, 0, 0], // an image on a quarter of the page
        [],
        null,
      ],
      OPS,
      612 * 792,
    );
    expect(g.rules).toEqual([
      { x0: 100, y0: 500, x1: 300, y1: 500 },
      { x0: 50, y0: 100, x1: 50, y1: 300 },
    ]);
    expect(g.imageFraction).toBeCloseTo(0.25);
  });
});

describe('choosePageMethod', () => {
  const auto = { mode: 'auto' as const, isPdf: true, minChars: 20 };
  it('decides per page and says why', () => {
    expect(choosePageMethod({ ...auto, textChars: 800, imageCoverage: 0.1 })).toEqual({ method: 'text', decision: { reason: 'text_layer', text_chars: 800, image_coverage: 0.1 } });
    expect(choosePageMethod({ ...auto, textChars: 3 })).toEqual({ method: 'ocr', decision: { reason: 'no_text_layer', text_chars: 3 } });
    expect(choosePageMethod({ ...auto, textChars: 900, imageCoverage: 1 }).decision.reason).toBe('image_covers_page');
    expect(choosePageMethod({ ...auto, isPdf: false }).decision.reason).toBe('image_file');
    expect(choosePageMethod({ ...auto, mode: 'text', textChars: 0 })).toEqual({ method: 'text', decision: { reason: 'mode_text', text_chars: 0 } });
    expect(choosePageMethod({ ...auto, mode: 'ocr' })).toEqual({ method: 'ocr', decision: { reason: 'mode_ocr' } });
  });
});

describe('rulesMayMatter: whether the operator list is read for ruling lines', () => {
  it('no for flowing text (one run per line, or runs a word space apart), yes for runs apart like table cells', () => {
    expect(rulesMayMatter([item(prose(1), 50, 700), item(prose(2), 50, 687)])).toBe(false);
    // "word" then a bold "word" a word space (0.25 font sizes) further: one line of prose.
    expect(rulesMayMatter([item('Total', 50, 700), item('due', 77.5, 700, 10, 'bold')])).toBe(false);
    // Cells of a row: 6 points (0.6 font sizes) apart, as pdfjs splits its items.
    expect(rulesMayMatter([item('Item', 50, 700), item('Qty', 76, 700), item(prose(2), 50, 687)])).toBe(true);
  });
});

describe("normalizeItems: pdfjs's text normalization applied to a layer read without it", () => {
  const nfkc = (s: string) => s.normalize('NFKC');
  it('normalizes ligatures and compatibility spaces, keeping unchanged items as they are', () => {
    const plain = item('plain text', 50, 700);
    const out = normalizeItems([plain, item('e\ufb03cient\u00a0o\ufb00er', 50, 690)], nfkc);
    expect(out?.[0]).toBe(plain);
    expect(out?.[1]).toMatchObject({ str: 'efficient offer', transform: [10, 0, 0, 10, 50, 690] });
  });

  it('gives up (the caller reads the normalized layer) where normalizing meets right-to-left text', () => {
    // Arabic presentation forms: pdfjs normalizes before reordering, so normalizing the reordered text could differ.
    expect(normalizeItems([item('\ufefb\ufe8e', 50, 700)], nfkc)).toBeNull();
    // Hebrew presentation forms normalize to right-to-left letters.
    expect(normalizeItems([item('\ufb2e', 50, 700)], nfkc)).toBeNull();
    // Right-to-left text with nothing to normalize is kept.
    const hebrew = item('\u05e9\u05dc\u05d5\u05dd', 50, 700);
    expect(normalizeItems([hebrew], nfkc)).toEqual([hebrew]);
  });
});
