import { deflateSync } from 'node:zlib';

/** Pages of the built-in PDF. */
export const WARMUP_PAGES = 4;

const WORDS = (
  'the quarterly report covers revenue costs and margins of each region with figures reviewed by the finance team ' +
  'while operations cut delivery times across all warehouses and customers renewed their contracts at higher rates'
).split(' ');

/** `count` words of WORDS from a deterministic position, capitalized, with a full stop. */
function sentence(seed: number, count: number): string {
  const words = Array.from({ length: count }, (_, i) => WORDS[(seed * 7 + i * 3) % WORDS.length]!);
  const s = words.join(' ');
  return `${s[0]!.toUpperCase()}${s.slice(1)}.`;
}

/** A PDF string literal (backslash and parentheses escaped); `\225` is a bullet in WinAnsiEncoding. */
const literal = (s: string) => `(${s.replace(/[\\()]/g, (c) => `\\${c}`).replace(/\u2022/g, '\\225')})`;

/**
 * What one page draws: a bold heading, prose, a bulleted list, a table aligned without rules, a ruled table and two
 * columns, so that reading it runs the text layer's paths (runs, fonts, rules from the operator list, reflow, tables).
 */
function pageContent(p: number): string {
  const ops: string[] = [];
  const text = (font: 'F1' | 'F2', size: number, x: number, y: number, s: string) =>
    ops.push(`BT /${font} ${size} Tf 1 0 0 1 ${x} ${y} Tm ${literal(s)} Tj ET`);
  let y = 742;
  text('F2', 18, 50, y, `Section ${p}: Operations review`);
  y -= 30;
  for (let l = 0; l < 12; l++, y -= 13) text('F1', 10, 50, y, `${sentence(p * 31 + l, 13)} (${p}.${l + 1})`);
  y -= 10;
  text('F2', 12, 50, y, 'Highlights');
  y -= 18;
  for (let l = 0; l < 4; l++, y -= 13) text('F1', 10, 60, y, `\u2022 ${sentence(p + l * 5, 8)}`);
  y -= 10;
  const row = (cells: string[], x: number[]) => cells.forEach((c, i) => text('F1', 10, x[i]!, y, c));
  row(['Region', 'Revenue', 'Cost', 'Margin %'], [50, 220, 330, 440]);
  for (let r = 0; r < 5; r++) {
    y -= 13;
    row([WORDS[(p + r) % WORDS.length]!, String(1000 + p * 97 + r * 31), String(400 + r * 17), `${(30 + r * 1.5).toFixed(2)}`], [50, 220, 330, 440]);
  }
  y -= 24;
  const top = y + 12;
  for (let r = 0; r < 4; r++, y -= 16) row([`Item ${p}-${r + 1}`, `${r * 3 + p} units`, `${(r + 1) * 12.5}`], [56, 216, 376]);
  const bottom = y + 12;
  for (let r = 0; r <= 4; r++) ops.push(`50 ${top - r * 16} m 530 ${top - r * 16} l S`);
  for (const x of [50, 210, 370, 530]) ops.push(`${x} ${top} m ${x} ${bottom} l S`);
  y -= 14;
  for (let l = 0; l < 14; l++, y -= 13) {
    text('F1', 9, 50, y, sentence(p * 13 + l, 7));
    text('F1', 9, 320, y, sentence(p * 17 + l + 40, 7));
  }
  text('F1', 7, 50, 40, `Page ${p}. Figures are unaudited; amounts in thousands.`);
  return ops.join('\n');
}

let built: Buffer | undefined;

/**
 * A small born-digital PDF (WARMUP_PAGES US Letter pages of Helvetica and Helvetica-Bold text, Flate-compressed as
 * most PDFs' content streams are) that the text threads read at start to compile pdfjs's text path before the
 * first document's pages: PageRenderer.start. Built once, by hand: no PDF library at run time.
 */
export function warmupPdf(): Buffer {
  if (built) return built;
  const head = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  const parts: Buffer[] = [head];
  const offsets: number[] = [];
  let at = head.length;
  const obj = (n: number, ...body: (string | Buffer)[]) => {
    const b = Buffer.concat([`${n} 0 obj\n`, ...body, '\nendobj\n'].map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : x)));
    offsets[n] = at;
    parts.push(b);
    at += b.length;
  };
  const pageObj = (p: number) => 5 + 2 * (p - 1);
  const kids = Array.from({ length: WARMUP_PAGES }, (_, i) => `${pageObj(i + 1)} 0 R`).join(' ');
  obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
  obj(2, `<< /Type /Pages /Kids [${kids}] /Count ${WARMUP_PAGES} >>`);
  obj(3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  obj(4, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  for (let p = 1; p <= WARMUP_PAGES; p++) {
    const n = pageObj(p);
    obj(n, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${n + 1} 0 R >>`);
    const stream = deflateSync(Buffer.from(pageContent(p), 'latin1'));
    obj(n + 1, `<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`, stream, '\nendstream');
  }
  const size = offsets.length;
  const xref = [`xref\n0 ${size}\n`, '0000000000 65535 f \n', ...offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${size} /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`, 'latin1'));
  built = Buffer.concat(parts);
  return built;
}
