import { removeRulingLines } from './ruling-lines';
import { ocrLayoutToMarkdown, type OcrBlock, type OcrLine, type OcrWord } from './tesseract-layout';

/** A word of `size` px on a baseline at `y` (plus `slope` px per px of x), ~0.5 size per character. */
function word(text: string, x: number, y: number, size = 40, slope = 0): OcrWord {
  const base = y + slope * x;
  return { text, bbox: { x0: x, y0: base - 0.72 * size, x1: x + text.length * size * 0.5, y1: base + 0.2 * size } };
}

/** A line of words, each placed at the given x (words of a cell follow each other with a 0.3 size gap). */
function line(cells: [string, number][], y: number, size = 40, slope = 0): OcrLine {
  const words: OcrWord[] = [];
  for (const [text, x0] of cells) {
    let x = x0;
    for (const w of text.split(' ')) {
      words.push(word(w, x, y, size, slope));
      x += (w.length + 0.6) * size * 0.5;
    }
  }
  const first = words[0]!.bbox;
  const last = words[words.length - 1]!.bbox;
  return { words, baseline: { x0: first.x0, y0: y + slope * first.x0, x1: last.x1, y1: y + slope * last.x1 } };
}

function block(lines: OcrLine[]): OcrBlock {
  const boxes = lines.flatMap((l) => l.words.map((w) => w.bbox));
  return {
    bbox: { x0: Math.min(...boxes.map((b) => b.x0)), y0: Math.min(...boxes.map((b) => b.y0)), x1: Math.max(...boxes.map((b) => b.x1)), y1: Math.max(...boxes.map((b) => b.y1)) },
    paragraphs: [{ lines }],
  };
}

describe('ocrLayoutToMarkdown (tesseract blocks to Markdown)', () => {
  it('joins the blocks tesseract splits an unruled table into (one per column), reads it row by row, and in place', () => {
    const rows: [string, string, string][] = [
      ['Region', 'Sales', 'Share'],
      ['North', '357', '42.39'],
      ['South', '277', '31.69'],
      ['East', '125', '8.10'],
    ];
    const intro = block([line([['The figures for the year by region are below.', 100]], 40)]);
    const left = block(rows.map(([a, b], r) => line([[a, 100], [b, 600]], 120 + r * 60)));
    const right = block(rows.map(([, , c], r) => line([[c, 1100]], 120 + r * 60)));
    const outro = block([line([['Every figure is unaudited and may change.', 100]], 420)]);
    // Tesseract's order: the right column after the text below the table, the text above it last.
    expect(ocrLayoutToMarkdown([left, outro, right, intro])).toBe(
      [
        'The figures for the year by region are below.',
        '| Region | Sales | Share |\n| --- | --- | --- |\n| North | 357 | 42.39 |\n| South | 277 | 31.69 |\n| East | 125 | 8.10 |',
        'Every figure is unaudited and may change.',
      ].join('\n\n'),
    );
  });

  it('keeps two columns of prose apart in tesseract order, even with their lines on the same rows', () => {
    const leftLines = ['the left column starts here and', 'goes on for a few lines of text', 'until it ends at this very line.'];
    const rightLines = ['then the right column begins and', 'it too runs on for several lines', 'before it stops at the bottom.'];
    const column = (lines: string[], x: number) => [
      block(lines.map((t, i) => line([[t, x]], 100 + i * 52))),
      block(lines.map((t, i) => line([[t, x]], 350 + i * 52))), // a second paragraph, level with the other column's
    ];
    const [l1, l2] = column(leftLines, 100);
    const [r1, r2] = column(rightLines, 1000);
    const left = leftLines.join(' ');
    const right = rightLines.join(' ');
    expect(ocrLayoutToMarkdown([l1!, l2!, r1!, r2!])).toBe([left, left, right, right].join('\n\n'));
  });

  it('reads a turned page: headings from size, list bullets misread as «, paragraphs reflowed', () => {
    const slope = 0.026; // 1.5 degrees
    const blocks = [
      block([line([['Annual Report', 100]], 100, 70, slope)]),
      block([
        line([['Sales rose in every region and the', 100]], 200, 40, slope),
        line([['costs stayed flat over the year.', 100]], 252, 40, slope),
      ]),
      block([line([['«first item of the list', 130]], 340, 40, slope), line([['« second item', 130]], 392, 40, slope)]),
    ];
    expect(ocrLayoutToMarkdown(blocks)).toBe(
      '# Annual Report\n\nSales rose in every region and the costs stayed flat over the year.\n\n- first item of the list\n- second item',
    );
  });

  it('gives nothing for a page without words', () => {
    expect(ocrLayoutToMarkdown([])).toBe('');
    expect(ocrLayoutToMarkdown([{ bbox: { x0: 0, y0: 0, x1: 10, y1: 10 }, paragraphs: [{ lines: [{ words: [], baseline: { x0: 0, y0: 0, x1: 0, y1: 0 } }] }] }])).toBe('');
  });
});

describe('removeRulingLines', () => {
  const W = 1000;
  const H = 800;
  const page = () => new Uint8Array(W * H).fill(255);
  const fill = (img: Uint8Array, x0: number, y0: number, x1: number, y1: number, v = 0) => {
    for (let y = y0; y < y1; y++) img.fill(v, y * W + x0, y * W + x1);
  };
  const inkIn = (img: Uint8Array, x0: number, y0: number, x1: number, y1: number) => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) n += (img[y * W + x] as number) < 128 ? 1 : 0;
    return n;
  };

  it('whitens long thin rules with their grey edges, and leaves glyph strokes and filled areas', () => {
    const img = page();
    fill(img, 100, 200, 900, 203); // horizontal rule, 3 px
    fill(img, 100, 199, 900, 200, 180); // its anti-aliased edge
    fill(img, 500, 100, 503, 700); // vertical rule
    fill(img, 200, 300, 204, 330); // a glyph stem (30 px)
    fill(img, 600, 500, 800, 600); // a filled box
    const glyph = inkIn(img, 200, 300, 204, 330);
    const box = inkIn(img, 600, 500, 800, 600);
    expect(removeRulingLines(img, W, H)).toBe(true);
    expect(inkIn(img, 100, 195, 900, 206)).toBe(0);
    expect(img[199 * W + 300]).toBe(255);
    expect(inkIn(img, 497, 100, 506, 700)).toBe(0);
    expect(inkIn(img, 200, 300, 204, 330)).toBe(glyph);
    expect(inkIn(img, 600, 500, 800, 600)).toBe(box);
  });

  it('leaves a page without rules as it is', () => {
    const img = page();
    fill(img, 200, 300, 204, 330);
    expect(removeRulingLines(img, W, H)).toBe(false);
    expect(inkIn(img, 200, 300, 204, 330)).toBe(4 * 30);
  });

  it('leaves the strokes of large text on a small image (long, but not thin enough to be rules)', () => {
    const [w, h] = [800, 190];
    const img = new Uint8Array(w * h).fill(255);
    for (let y = 40; y < 80; y++) img.fill(0, y * w + 100, y * w + 106); // a stem, 40 x 6
    for (let y = 120; y < 126; y++) img.fill(0, y * w + 300, y * w + 345); // a bar, 45 x 6
    const before = Buffer.from(img);
    expect(removeRulingLines(img, w, h)).toBe(false);
    expect(Buffer.from(img).equals(before)).toBe(true);
  });
});
