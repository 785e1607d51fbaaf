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

/**
 * Reflows a page's text layer into Markdown-ish plain text: items grouped into lines by baseline,
 * ordered top to bottom and left to right, words separated where there is a gap, and a blank line
 * between paragraphs (a vertical gap clearly larger than the line height).
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
  const texts = lines.map((line) => {
    const parts = [...line.items].sort((a, b) => (a.transform[4] ?? 0) - (b.transform[4] ?? 0));
    let out = '';
    let lastEnd: number | null = null;
    for (const p of parts) {
      const x = p.transform[4] ?? 0;
      const gap = lastEnd === null ? 0 : x - lastEnd;
      if (out && gap > line.height * 0.15 && !out.endsWith(' ') && !p.str.startsWith(' ')) out += ' ';
      out += p.str;
      lastEnd = x + p.width;
    }
    return out.replace(/\s+/g, ' ').trim();
  });
  let md = '';
  for (let i = 0; i < lines.length; i++) {
    const text = texts[i] as string;
    if (i > 0) {
      const prev = lines[i - 1] as Line;
      const cur = lines[i] as Line;
      const gap = prev.y - cur.y;
      md += gap > Math.max(prev.height, cur.height) * 1.9 ? '\n\n' : '\n';
    }
    md += text;
  }
  return md.trim();
}
