import type { Rule } from './page-graphics';

/** A positioned run of text from a PDF text layer (pdfjs `getTextContent` items). */
export interface TextItem {
  str: string;
  /** [a, b, c, d, e, f]: e, f is the baseline origin in PDF user space (y grows upwards). */
  transform: number[];
  width: number;
  height: number;
  hasEOL?: boolean;
  fontName?: string;
}

export interface LayoutOptions {
  /** Ruling lines of the page (from its operator list): boxes of vertical and horizontal rules are tables. */
  rules?: Rule[];
  /** Whether a font (`TextItem.fontName`) is bold. */
  isBold?: (fontName: string) => boolean;
  /** The body text size when the items are only part of a page (headings are sized against it); else measured. */
  bodySize?: number;
}

interface Run {
  x: number;
  end: number;
  y: number;
  size: number;
  text: string;
  bold: boolean;
}

/** A run of a line's text between wide horizontal gaps: a table cell when lines align into columns. */
interface Cell {
  x: number;
  end: number;
  text: string;
}

interface Line {
  y: number;
  /** Largest font size on the line. */
  size: number;
  bold: boolean;
  x: number;
  runs: Run[];
  cells: Cell[];
  text: string;
}

interface Table {
  /** Number of lines of the flow the table takes. */
  lines: number;
  rows: string[][];
}

/** A gap wider than this many line heights separates cells (a word gap is ~0.25). */
export const CELL_GAP = 1.2;
/** Column starts of consecutive rows may differ by this many line heights and still align. */
const COLUMN_SLACK = 1.5;
/** Table cells (two-column tables, merged header rows) are at most this long, so that prose is not taken for a table. */
const MAX_SHORT_CELL = 30;
/** A vertical gap wider than this many line heights starts a new paragraph. */
const PARAGRAPH_GAP = 1.9;
/** Both sides of a column gutter carry prose: cells at least this long. */
const MIN_PROSE_CELL = 20;
const BULLET = /^[\u2022\u25cf\u25aa\u25e6\u2023\u2219\u00b7\u2013*-]\s+/;
const NUMBERED = /^(\d{1,3})[.)]\s+/;

/**
 * Turns a page's text layer into Markdown: runs grouped into lines by baseline; two-column regions (a gutter
 * no line crosses, with prose on both sides) read column by column; tables from ruling lines (cells placed by
 * the vertical rules, rows between the horizontal ones, a merged cell in the first column it spans) or from
 * alignment (at least two rows whose cells line up, header rows above them placed by column); headings from
 * font size relative to the body text (and bold short lines); bullet and numbered lists with their wrapped
 * lines; paragraphs (separated by vertical gaps) reflowed onto one line, so that a wrapped line starting with
 * "- " or "1. " does not turn into a list.
 */
export function reflowText(items: TextItem[], opts: LayoutOptions = {}): string {
  const runs = toRuns(items, opts.isBold);
  if (!runs.length) return '';
  const lines = groupLines(runs);
  const body = opts.bodySize ?? bodySize(lines);
  const grids = ruledGrids(opts.rules ?? []);
  return readingOrder(lines)
    .flatMap((flow) => flowBlocks(flow, body, grids))
    .join('\n\n')
    .trim();
}

/** Runs on one line further apart than this many font sizes (of the smaller run) may be cells of a ruled table. */
const RULED_CELL_GAP = 0.3;

/**
 * Whether the page's ruling lines can change its Markdown: only when some line has runs apart by more than a
 * word space (pdfjs starts a new text item at a gap of 0.6 font sizes, so a ruled table's cells on one line
 * are separate runs). A page of flowing text (one run per line, or runs a word space apart) reads the same
 * with or without its rules, and its operator list need not be read. A ruled table whose cells pdfjs merges
 * into one run (cells closer than 0.6 font sizes) is then read as text, as it would be if it had no rules.
 */
export function rulesMayMatter(items: TextItem[]): boolean {
  return groupLines(toRuns(items)).some((l) =>
    l.runs.some((r, j) => {
      const prev = l.runs[j - 1];
      return prev !== undefined && r.x - prev.end > Math.min(prev.size, r.size) * RULED_CELL_GAP;
    }),
  );
}

/** Characters the bidi algorithm reorders (pdfjs `bidi`: Hebrew, Arabic and their presentation forms). */
const RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/;

/**
 * The items of a text layer read without pdfjs's Unicode normalization, normalized as pdfjs does (`normalize`
 * is its `normalizeUnicode`: NFKC of ligatures, compatibility spaces and presentation forms). pdfjs
 * normalizes an item before reordering right-to-left text, so where either the raw or the normalized text has
 * right-to-left characters the result could differ: null then, and the caller reads the normalized layer.
 */
export function normalizeItems(items: TextItem[], normalize: (s: string) => string): TextItem[] | null {
  const out: TextItem[] = [];
  for (const i of items) {
    const str = normalize(i.str);
    if (str === i.str) {
      out.push(i);
      continue;
    }
    if (RTL.test(i.str) || RTL.test(str)) return null;
    out.push({ ...i, str });
  }
  return out;
}

function toRuns(items: TextItem[], isBold?: (fontName: string) => boolean): Run[] {
  const runs: Run[] = [];
  for (const i of items) {
    if (!i.str || !i.str.trim() || !Array.isArray(i.transform)) continue;
    const [a = 0, b = 0, c = 0, d = 0, x = 0, y = 0] = i.transform;
    const size = Math.abs(Math.hypot(c, d) || Math.hypot(a, b) || i.height || 10);
    runs.push({ x, end: x + i.width, y, size, text: i.str, bold: !!(i.fontName && isBold?.(i.fontName)) });
  }
  return runs;
}

/** Runs sharing a baseline (within half a line height) are a line; lines top to bottom. */
function groupLines(runs: Run[]): Line[] {
  const sorted = [...runs].sort((a, b) => b.y - a.y || a.x - b.x);
  const groups: { y: number; size: number; runs: Run[] }[] = [];
  for (const r of sorted) {
    const g = groups.slice(-3).find((l) => Math.abs(l.y - r.y) <= Math.max(l.size, r.size) * 0.5);
    if (g) {
      g.runs.push(r);
      g.size = Math.max(g.size, r.size);
    } else groups.push({ y: r.y, size: r.size, runs: [r] });
  }
  return groups.sort((a, b) => b.y - a.y).map((g) => makeLine(g.y, g.runs));
}

function makeLine(y: number, runs: Run[]): Line {
  const sorted = [...runs].sort((a, b) => a.x - b.x);
  const size = Math.max(...sorted.map((r) => r.size));
  const cells = cellsOf(sorted, size);
  return { y, size, bold: sorted.every((r) => r.bold), x: sorted[0]?.x ?? 0, runs: sorted, cells, text: cells.map((c) => c.text).join(' ') };
}

/** A line's runs joined into words, split into cells at wide gaps. */
function cellsOf(runs: Run[], height: number): Cell[] {
  const cells: Cell[] = [];
  let cell: Cell | null = null;
  for (const p of runs) {
    const gap = cell ? p.x - cell.end : 0;
    if (!cell || gap > height * CELL_GAP) {
      cell = { x: p.x, end: p.end, text: p.text };
      cells.push(cell);
      continue;
    }
    if (gap > height * 0.15 && !cell.text.endsWith(' ') && !p.text.startsWith(' ')) cell.text += ' ';
    cell.text += p.text;
    cell.end = Math.max(cell.end, p.end);
  }
  for (const c of cells) c.text = c.text.replace(/\s+/g, ' ').trim();
  return cells;
}

/** The body text size: the largest font size carrying at least 30% of the characters (small print is not body text). */
function bodySize(lines: Line[]): number {
  const chars = new Map<number, number>();
  let total = 0;
  for (const l of lines) {
    for (const r of l.runs) {
      const size = Math.round(r.size * 2) / 2;
      chars.set(size, (chars.get(size) ?? 0) + r.text.length);
      total += r.text.length;
    }
  }
  const sizes = [...chars.entries()].sort((a, b) => b[0] - a[0]);
  return (sizes.find(([, n]) => n >= total * 0.3) ?? sizes.sort((a, b) => b[1] - a[1])[0])?.[0] ?? 10;
}

/**
 * The lines as flows in reading order: a two-column region (lines none of which crosses a gutter that at
 * least three lines have prose on both sides of) becomes its left column then its right column.
 */
function readingOrder(lines: Line[]): Line[][] {
  const gx = gutter(lines);
  if (gx === null) return [lines];
  const crosses = (l: Line) => l.runs.some((r) => r.x < gx - 1 && r.end > gx + 1);
  const prose = lines.map((l, i) => (twoSidedProse(l, gx) ? i : -1)).filter((i) => i >= 0);
  let a = prose[0] as number;
  let b = prose[prose.length - 1] as number;
  if (lines.slice(a, b + 1).some(crosses)) return [lines];
  while (a > 0 && !crosses(lines[a - 1] as Line)) a--;
  while (b < lines.length - 1 && !crosses(lines[b + 1] as Line)) b++;
  const side = (left: boolean) =>
    lines
      .slice(a, b + 1)
      .map((l) => l.runs.filter((r) => r.x < gx === left))
      .map((runs, k) => (runs.length ? makeLine((lines[a + k] as Line).y, runs) : null))
      .filter((l): l is Line => l !== null);
  const before = lines.slice(0, a);
  return [...(before.length ? [before] : []), side(true), side(false), ...(b + 1 < lines.length ? readingOrder(lines.slice(b + 1)) : [])];
}

function twoSidedProse(l: Line, gx: number): boolean {
  const left = l.cells.filter((c) => c.end <= gx);
  const right = l.cells.filter((c) => c.x >= gx);
  return left.some((c) => c.text.length >= MIN_PROSE_CELL) && right.some((c) => c.text.length >= MIN_PROSE_CELL);
}

/** The x of a gutter between two columns of prose, if at least three lines show one. */
function gutter(lines: Line[]): number | null {
  const gaps: [number, number][] = [];
  for (const l of lines) {
    for (let j = 1; j < l.cells.length; j++) {
      const p = l.cells[j - 1] as Cell;
      const c = l.cells[j] as Cell;
      if (p.text.length >= MIN_PROSE_CELL && c.text.length >= MIN_PROSE_CELL) gaps.push([p.end, c.x]);
    }
  }
  if (gaps.length < 3) return null;
  const mids = gaps.map(([s, e]) => (s + e) / 2).sort((x, y) => x - y);
  const gx = mids[Math.floor(mids.length / 2)] as number;
  return gaps.filter(([s, e]) => s <= gx && gx <= e).length >= 3 ? gx : null;
}

/** A flow's Markdown blocks: tables, headings, lists and paragraphs. */
function flowBlocks(flow: Line[], body: number, grids: Grid[]): string[] {
  const tables = findTables(flow, grids);
  const blocks: string[] = [];
  const gapAbove = (i: number) => ((flow[i - 1] as Line).y - (flow[i] as Line).y) / Math.max((flow[i - 1] as Line).size, (flow[i] as Line).size);
  const starts = (i: number) => tables.has(i) || headingLevel(flow[i] as Line, body) > 0 || listMarker((flow[i] as Line).text) !== null;
  let i = 0;
  while (i < flow.length) {
    const table = tables.get(i);
    if (table) {
      blocks.push(markdownTable(table.rows));
      i += table.lines;
      continue;
    }
    const line = flow[i] as Line;
    const level = headingLevel(line, body);
    if (level) {
      let text = line.text;
      const first = i;
      for (i++; i < flow.length && i - first < 3 && !tables.has(i) && headingLevel(flow[i] as Line, body) === level && gapAbove(i) <= 1.6; i++) text += ` ${(flow[i] as Line).text}`;
      blocks.push(`${'#'.repeat(level)} ${text}`);
      continue;
    }
    if (listMarker(line.text) !== null) {
      const items: string[] = [];
      let next = 1;
      while (i < flow.length && !tables.has(i) && listMarker((flow[i] as Line).text, next) !== null && (items.length === 0 || gapAbove(i) <= PARAGRAPH_GAP)) {
        const head = flow[i] as Line;
        let item = listMarker(head.text, next) as string;
        next = Number(NUMBERED.exec(head.text)?.[1] ?? 0) + 1;
        for (i++; i < flow.length && !starts(i) && (flow[i] as Line).x > head.x + head.size * 0.5 && gapAbove(i) <= PARAGRAPH_GAP; i++) item += ` ${(flow[i] as Line).text}`;
        items.push(item);
      }
      blocks.push(items.join('\n'));
      continue;
    }
    const para = [line.text];
    for (i++; i < flow.length && !starts(i) && gapAbove(i) <= PARAGRAPH_GAP && sameSize(flow[i - 1] as Line, flow[i] as Line); i++) para.push((flow[i] as Line).text);
    blocks.push(para.join(' '));
  }
  return blocks;
}

const sameSize = (a: Line, b: Line) => Math.max(a.size, b.size) / Math.min(a.size, b.size) < 1.15;

/** 1-3 from the size relative to the body text (a short bold line of body size is a level-3 heading), else 0. */
function headingLevel(line: Line, body: number): number {
  if (line.text.length > 120) return 0;
  const ratio = line.size / body;
  if (ratio >= 1.6) return 1;
  if (ratio >= 1.25) return 2;
  if ((ratio >= 1.1 || line.bold) && line.text.length <= 80 && !/[.:;,]$/.test(line.text) && listMarker(line.text) === null) return 3;
  return 0;
}

/**
 * The line as a Markdown list item (`- text`, `3. text`), or null when it does not start with a marker. A
 * number starts a list only at 1, or continues one at the next number (`expected`): a wrapped line that
 * happens to begin with "557." is prose.
 */
function listMarker(text: string, expected = 1): string | null {
  if (BULLET.test(text)) return `- ${text.replace(BULLET, '')}`;
  const n = NUMBERED.exec(text);
  return n && (Number(n[1]) === 1 || Number(n[1]) === expected) ? `${n[1]}. ${text.replace(NUMBERED, '')}` : null;
}

/** A box of ruling lines: column boundaries (vertical rules) and row separators (horizontal rules). */
interface Grid {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  columns: number[];
  separators: number[];
}

/** Groups vertical rules whose spans overlap into grids with at least two columns. */
function ruledGrids(rules: Rule[]): Grid[] {
  const verticals = rules.filter((r) => r.x1 - r.x0 < r.y1 - r.y0).sort((a, b) => a.y1 - b.y1);
  const horizontals = rules.filter((r) => r.x1 - r.x0 >= r.y1 - r.y0);
  const groups: Rule[][] = [];
  for (const v of verticals) {
    const g = groups.find((grp) => grp.some((o) => o.y0 <= v.y1 + 1 && v.y0 <= o.y1 + 1));
    if (g) g.push(v);
    else groups.push([v]);
  }
  const grids: Grid[] = [];
  for (const g of groups) {
    const xs = dedupe(g.map((v) => (v.x0 + v.x1) / 2));
    if (xs.length < 3) continue;
    const grid = { x0: xs[0] as number, x1: xs[xs.length - 1] as number, y0: Math.min(...g.map((v) => v.y0)), y1: Math.max(...g.map((v) => v.y1)) };
    const separators = dedupe(
      horizontals
        .filter((h) => h.y0 >= grid.y0 - 2 && h.y1 <= grid.y1 + 2 && h.x1 - h.x0 >= (grid.x1 - grid.x0) * 0.5)
        .map((h) => (h.y0 + h.y1) / 2),
    );
    grids.push({ ...grid, columns: xs, separators });
  }
  return grids;
}

function dedupe(xs: number[]): number[] {
  const out: number[] = [];
  for (const x of [...xs].sort((a, b) => a - b)) if (!out.length || x - (out[out.length - 1] as number) > 3) out.push(x);
  return out;
}

/** The tables of a flow: first line index -> table. Ruled grids first, then aligned rows. */
function findTables(flow: Line[], grids: Grid[]): Map<number, Table> {
  const tables = new Map<number, Table>();
  const used = new Set<number>();
  for (const g of grids) {
    const idx = flow.map((l, i) => (l.y > g.y0 && l.y < g.y1 && l.runs.every((r) => r.x >= g.x0 - 2 && r.end <= g.x1 + 2) ? i : -1)).filter((i) => i >= 0);
    if (idx.length < 2) continue;
    const first = idx[0] as number;
    const last = idx[idx.length - 1] as number;
    if (last - first + 1 !== idx.length) continue;
    tables.set(first, { lines: idx.length, rows: gridRows(flow.slice(first, last + 1), g) });
    for (const i of idx) used.add(i);
  }
  let i = 0;
  while (i < flow.length) {
    const head = flow[i] as Line;
    let n = 1;
    if (!used.has(i) && head.cells.length >= 2 && !listMarker(head.text)) {
      while (i + n < flow.length && !used.has(i + n) && aligned(head.cells, (flow[i + n] as Line).cells, head.size)) n++;
    }
    const rows = flow.slice(i, i + n);
    const short = rows.every((row) => row.cells.every((c) => c.text.length <= MAX_SHORT_CELL));
    if (n >= 2 && (head.cells.length >= 3 || short)) {
      const headers = headerRows(flow, i, rows, used);
      const start = i - headers.length;
      tables.set(start, { lines: n + headers.length, rows: [...headers, ...rows.map((r) => r.cells.map((c) => c.text))] });
      for (let k = start; k < i + n; k++) used.add(k);
    }
    i += n;
  }
  return tables;
}

/** One row per band between row separators; each run in the column its start falls in. */
function gridRows(lines: Line[], g: Grid): string[][] {
  const rows = new Map<number, string[][]>();
  for (const l of lines) {
    const band = g.separators.filter((s) => s > l.y).length;
    const row = rows.get(band) ?? g.columns.slice(1).map(() => [] as string[]);
    rows.set(band, row);
    for (const cell of cellsOf(l.runs, l.size)) {
      const col = Math.max(0, g.columns.filter((x) => x <= cell.x + 1).length - 1);
      row[Math.min(col, row.length - 1)]?.push(cell.text);
    }
  }
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, cells]) => cells.map((c) => c.join(' ')));
}

/**
 * Up to three short rows right above an aligned table whose cells each fall in a distinct column (by overlap
 * with the column's extent in the body rows, else the nearest): header rows with merged or missing cells.
 */
function headerRows(flow: Line[], start: number, body: Line[], used: Set<number>): string[][] {
  const n = (body[0] as Line).cells.length;
  const extents = Array.from({ length: n }, (_, j) => ({
    x: Math.min(...body.map((r) => (r.cells[j] as Cell).x)),
    end: Math.max(...body.map((r) => (r.cells[j] as Cell).end)),
  }));
  const out: string[][] = [];
  for (let k = start - 1; k >= 0 && k >= start - 3 && !used.has(k); k--) {
    const line = flow[k] as Line;
    const below = flow[k + 1] as Line;
    if ((line.y - below.y) / line.size > 2.5 || line.cells.length > n || line.cells.some((c) => c.text.length > MAX_SHORT_CELL)) break;
    const cols = line.cells.map((c) => {
      const overlap = extents.findIndex((e) => c.x < e.end && e.x < c.end);
      if (overlap >= 0) return overlap;
      const dist = extents.map((e) => Math.max(e.x - c.end, c.x - e.end));
      return dist.indexOf(Math.min(...dist));
    });
    if (cols.some((c, j) => j > 0 && c <= (cols[j - 1] as number))) break;
    const row = extents.map(() => '');
    line.cells.forEach((c, j) => (row[cols[j] as number] = c.text));
    out.unshift(row);
  }
  return out;
}

/** Same number of cells, each starting (or ending, for right-aligned numbers) where the header's does. */
function aligned(head: Cell[], row: Cell[], height: number): boolean {
  if (row.length !== head.length) return false;
  const slack = height * COLUMN_SLACK;
  return row.every((c, j) => {
    const h = head[j] as Cell;
    return Math.abs(c.x - h.x) <= slack || Math.abs(c.end - h.end) <= slack || (c.x < h.end && h.x < c.end);
  });
}

function markdownTable(rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  const [header, ...body] = rows as [string[], ...string[][]];
  return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
}
