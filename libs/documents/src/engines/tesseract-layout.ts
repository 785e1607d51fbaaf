import { reflowText, type TextItem } from '../pipeline/text-layer';

/** The parts of tesseract's block output the layout reads (pixel boxes, y growing downwards). */
export interface OcrBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OcrWord {
  text: string;
  bbox: OcrBox;
  symbols?: { text: string; bbox: OcrBox }[];
}

export interface OcrLine {
  words: OcrWord[];
  /** The line's baseline from (x0, y0) to (x1, y1). */
  baseline: OcrBox;
}

export interface OcrBlock {
  bbox: OcrBox;
  paragraphs: { lines: OcrLine[] }[];
}

/** Letters as tall as capitals (ascenders, digits), and the height of those over the font size. */
const TALL = /^[A-PR-Z0-9bdhkl]$/;
const CAP_HEIGHT = 0.72;
/** Letters of x-height only, and x-height over the font size: for a line without tall letters. */
const SHORT = /^[acemnorsuvwxz]$/;
const X_HEIGHT = 0.52;
/** Sizes within this fraction of each other are one size. */
const SAME_SIZE = 0.12;
/** Glyphs tesseract reads a list bullet as, at the start of a line. */
const BULLET_LOOKALIKE = /^[«»©®°•·●▪■◦*](?=\S|$)/;
/** Lines of two blocks whose baselines are this many line heights apart or less are on one row. */
const ROW_SLACK = 0.5;
/** Lines at least this long on both sides of a row are two columns of prose, not table cells. */
const PROSE_LINE = 20;

interface PlacedLine {
  /** Deskewed baseline, y growing downwards. */
  y: number;
  size: number;
  chars: number;
  items: TextItem[];
}

interface PlacedBlock {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  lines: PlacedLine[];
}

/**
 * Tesseract's page segmentation (its blocks in its reading order) as Markdown through the text layer's layout
 * (`reflowText`): headings from size, lists, paragraphs, and tables. Tesseract splits a table without ruling
 * lines into one block per column; blocks side by side whose lines sit on the same rows, and are not two
 * columns of prose, are joined into one region so that the table is read row by row (and comes out as a
 * Markdown table where the text layer would make one). Blocks of prose side by side stay apart, in
 * tesseract's column order. Coordinates are deskewed by the lines' median baseline slope first.
 */
export function ocrLayoutToMarkdown(blocks: OcrBlock[]): string {
  const slope = median(blocks.flatMap((b) => b.paragraphs.flatMap((p) => p.lines.map(lineSlope).filter((s): s is number => s !== null)))) ?? 0;
  const placed = blocks.map((b) => placeBlock(b, slope)).filter((b) => b.lines.length);
  const bodySize = bodySizeOf(placed.flatMap((b) => b.lines));
  return inReadingOrder(regions(placed))
    .map((region) => reflowText(region.flatMap((b) => b.lines.flatMap((l) => l.items)), { bodySize }))
    .filter(Boolean)
    .join('\n\n');
}

function lineSlope(l: OcrLine): number | null {
  const { x0, y0, x1, y1 } = l.baseline;
  return x1 - x0 > 0 ? (y1 - y0) / (x1 - x0) : null;
}

function placeBlock(b: OcrBlock, slope: number): PlacedBlock {
  const lines: PlacedLine[] = [];
  for (const line of b.paragraphs.flatMap((p) => p.lines)) {
    const words = line.words.filter((w) => w.text.trim());
    if (!words.length) continue;
    const first = words[0]!;
    words[0] = { ...first, text: first.text.replace(BULLET_LOOKALIKE, () => (first.text.length > 1 ? '• ' : '•')) };
    const { x0, y0, x1, y1 } = line.baseline;
    const baseAt = (x: number) => (x1 > x0 ? y0 + ((y1 - y0) * (x - x0)) / (x1 - x0) : y0);
    const size = Math.max(1, fontSize(words) ?? Math.max(...words.map((w) => baseAt(w.bbox.x0) - w.bbox.y0)) / CAP_HEIGHT);
    const mid = (words[0]!.bbox.x0 + words[words.length - 1]!.bbox.x1) / 2;
    const y = baseAt(mid) - slope * mid;
    // PDF text-layer convention: the baseline origin in `transform`, y growing upwards.
    const items = words.map((w) => ({ str: w.text, transform: [size, 0, 0, size, w.bbox.x0, -y], width: w.bbox.x1 - w.bbox.x0, height: size }));
    lines.push({ y, size, chars: words.reduce((n, w) => n + w.text.length + 1, -1), items });
  }
  return { x0: b.bbox.x0, x1: b.bbox.x1, y0: b.bbox.y0, y1: b.bbox.y1, lines };
}

/**
 * A line's font size from the median height of its letters as tall as capitals (else of its x-height letters):
 * a glyph's box is barely changed by a turned page, unlike a word's or a line's.
 */
function fontSize(words: OcrWord[]): number | undefined {
  const symbols = words.flatMap((w) => w.symbols ?? []);
  const heights = (re: RegExp) => symbols.filter((s) => re.test(s.text)).map((s) => s.bbox.y1 - s.bbox.y0);
  const tall = median(heights(TALL));
  if (tall !== undefined) return tall / CAP_HEIGHT;
  const short = median(heights(SHORT));
  return short === undefined ? undefined : short / X_HEIGHT;
}

/**
 * The body text size, as the text layer takes it: the largest size carrying at least 30% of the characters
 * (so small print is not the body), sizes within 12% of each other counting as one (OCR measures them roughly).
 */
function bodySizeOf(lines: PlacedLine[]): number | undefined {
  const total = lines.reduce((n, l) => n + l.chars, 0);
  const near = (s: number) => lines.filter((l) => Math.abs(l.size / s - 1) <= SAME_SIZE).reduce((n, l) => n + l.chars, 0);
  const bySize = [...lines].sort((a, b) => b.size - a.size);
  return (bySize.find((l) => near(l.size) >= total * 0.3) ?? bySize[0])?.size;
}

/** Blocks grouped into regions (union of row-aligned table blocks), in tesseract's order of their first blocks. */
function regions(blocks: PlacedBlock[]): PlacedBlock[][] {
  const parent = blocks.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) if (tableNeighbours(blocks[i]!, blocks[j]!)) parent[root(j)] = root(i);
  }
  const groups = new Map<number, PlacedBlock[]>();
  blocks.forEach((b, i) => groups.set(root(i), [...(groups.get(root(i)) ?? []), b]));
  return [...groups.values()];
}

/** Side by side, with at least half the lines of the shorter one on rows of the other, mostly not prose on both sides. */
/**
 * Regions in tesseract's order (its column order for side-by-side text), except that a region comes after every
 * region above it that it shares columns with (x-extents overlap): tesseract sometimes puts a paragraph above a
 * table after it. A topological order of "above, in the same columns", ties broken by tesseract's order.
 */
function inReadingOrder(regions: PlacedBlock[][]): PlacedBlock[][] {
  const box = regions.map((r) => ({
    x0: Math.min(...r.map((b) => b.x0)),
    x1: Math.max(...r.map((b) => b.x1)),
    y0: Math.min(...r.map((b) => b.y0)),
    y1: Math.max(...r.map((b) => b.y1)),
  }));
  const above = (a: (typeof box)[number], b: (typeof box)[number]) =>
    a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y0 && a.y1 - b.y0 < Math.min(a.y1 - a.y0, b.y1 - b.y0) / 2;
  const left = regions.map((_, i) => i);
  const out: PlacedBlock[][] = [];
  while (left.length) {
    const k = left.findIndex((i) => !left.some((j) => j !== i && above(box[j]!, box[i]!)));
    out.push(regions[left.splice(Math.max(0, k), 1)[0]!]!);
  }
  return out;
}

function tableNeighbours(a: PlacedBlock, b: PlacedBlock): boolean {
  if (a.x0 < b.x1 && b.x0 < a.x1) return false;
  let rows = 0;
  let prose = 0;
  for (const la of a.lines) {
    const lb = b.lines.find((l) => Math.abs(l.y - la.y) <= ROW_SLACK * Math.max(l.size, la.size));
    if (!lb) continue;
    rows++;
    if (la.chars >= PROSE_LINE && lb.chars >= PROSE_LINE) prose++;
  }
  const fewer = Math.min(a.lines.length, b.lines.length);
  return rows >= Math.min(2, fewer) && rows >= fewer / 2 && prose * 2 < rows;
}

function median(xs: number[]): number | undefined {
  const s = [...xs].sort((x, y) => x - y);
  return s.length ? s[Math.floor(s.length / 2)] : undefined;
}
