/** A positioned run of text from a PDF text layer (pdfjs `getTextContent` items). */
export interface TextItem {
  str: string;
  /** [a, b, c, d, e, f]: e, f is the baseline origin in PDF user space (y grows upwards). */
  transform: number[];
  width: number;
  height: number;
  hasEOL?: boolean;
}

interface Line {
  y: number;
  height: number;
  items: TextItem[];
}

/** A run of a line's text between wide horizontal gaps: a table cell when lines align into columns. */
interface Cell {
  x: number;
  end: number;
  text: string;
}

/** A gap wider than this many line heights separates cells (a word gap is ~0.25). */
const CELL_GAP = 1.2;
/** Column starts of consecutive rows may differ by this many line heights and still align. */
const COLUMN_SLACK = 1.5;
/** Two-column tables need short cells, so that two-column prose is not taken for a table. */
const MAX_TWO_COLUMN_CELL = 30;

/**
 * Reflows a page's text layer into Markdown: items grouped into lines by baseline, ordered top to bottom
 * and left to right, words separated where there is a gap, a blank line between paragraphs (a vertical gap
 * clearly larger than the line height), and rows whose cells align into columns (at least two rows) as a
 * Markdown table, the first row as its header.
 */
export function reflowText(items: TextItem[]): string {
  const runs = items.filter((i) => i.str.trim().length > 0 && Array.isArray(i.transform));
  if (!runs.length) return '';
  const lines: Line[] = [];
  const sorted = [...runs].sort((a, b) => (b.transform[5] ?? 0) - (a.transform[5] ?? 0) || (a.transform[4] ?? 0) - (b.transform[4] ?? 0));
  for (const item of sorted) {
    const y = item.transform[5] ?? 0;
    const h = Math.abs(item.height || item.transform[3] || 10);
    const line = lines.find((l) => Math.abs(l.y - y) <= Math.max(l.height, h) * 0.5);
    if (line) {
      line.items.push(item);
      line.height = Math.max(line.height, h);
    } else {
      lines.push({ y, height: h, items: [item] });
    }
  }
  lines.sort((a, b) => b.y - a.y);
  const cells = lines.map(cellsOf);
  const tables = findTables(lines, cells);
  let md = '';
  let afterTable = false;
  for (let i = 0; i < lines.length; i++) {
    const table = tables.get(i);
    if (i > 0) {
      const prev = lines[i - 1] as Line;
      const cur = lines[i] as Line;
      const gap = prev.y - cur.y;
      md += table || afterTable || gap > Math.max(prev.height, cur.height) * 1.9 ? '\n\n' : '\n';
    }
    afterTable = table !== undefined;
    if (table) {
      md += markdownTable(cells.slice(i, i + table).map((row) => row.map((c) => c.text)));
      i += table - 1;
    } else {
      md += (cells[i] as Cell[]).map((c) => c.text).join(' ');
    }
  }
  return md.trim();
}

/** A line's runs joined into words, split into cells at wide gaps. */
function cellsOf(line: Line): Cell[] {
  const parts = [...line.items].sort((a, b) => (a.transform[4] ?? 0) - (b.transform[4] ?? 0));
  const cells: Cell[] = [];
  let cell: Cell | null = null;
  for (const p of parts) {
    const x = p.transform[4] ?? 0;
    const gap = cell ? x - cell.end : 0;
    if (!cell || gap > line.height * CELL_GAP) {
      cell = { x, end: x + p.width, text: p.str };
      cells.push(cell);
      continue;
    }
    if (gap > line.height * 0.15 && !cell.text.endsWith(' ') && !p.str.startsWith(' ')) cell.text += ' ';
    cell.text += p.str;
    cell.end = x + p.width;
  }
  for (const c of cells) c.text = c.text.replace(/\s+/g, ' ').trim();
  return cells;
}

/** The tables among the lines: first line index -> number of rows (runs of at least two aligned rows). */
function findTables(lines: Line[], cells: Cell[][]): Map<number, number> {
  const tables = new Map<number, number>();
  let i = 0;
  while (i < lines.length) {
    const head = cells[i] as Cell[];
    let n = 1;
    if (head.length >= 2) {
      while (i + n < lines.length && aligned(head, cells[i + n] as Cell[], (lines[i] as Line).height)) n++;
    }
    const rows = cells.slice(i, i + n);
    const short = rows.every((row) => row.every((c) => c.text.length <= MAX_TWO_COLUMN_CELL));
    if (n >= 2 && (head.length >= 3 || short)) tables.set(i, n);
    i += n;
  }
  return tables;
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
