import { createCanvas } from '@napi-rs/canvas';
import sharp from 'sharp';
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';

/** What a corpus page exercises. */
export type CorpusPageKind = 'prose' | 'two-column' | 'lists' | 'table-ruled' | 'table-aligned' | 'small-print' | 'scan';

/** One page of the quality corpus with its ground truth. */
export interface CorpusPage {
  page: number;
  kind: CorpusPageKind;
  /** The page as Markdown (headings, lists, tables as a reader would write them). */
  markdown: string;
  /** The table on the page, row by row (a merged header cell sits in the first column of its span, the rest empty). */
  table?: string[][];
  /** The page has no text layer (an image of text): only OCR can read it. */
  scanned: boolean;
}

export interface QualityCorpus {
  pdf: Buffer;
  pages: CorpusPage[];
}

const KINDS: CorpusPageKind[] = ['prose', 'two-column', 'lists', 'table-ruled', 'scan', 'table-aligned', 'small-print'];
/** The 5-page corpus of `npm test`: one page of each main kind. */
export const SMALL_CORPUS_KINDS: CorpusPageKind[] = ['prose', 'two-column', 'lists', 'table-ruled', 'scan'];

const WORDS = (
  'account annual balance budget capital client contract cost customer data delivery demand department design ' +
  'energy equipment estimate export factory figure finance growth income industry inventory invoice labour ' +
  'language letter machine market material member method network office order output payment period plant ' +
  'policy price process product profit project quality quarter rate record region report research result ' +
  'revenue sales schedule service share staff standard station storage supply system target term total trade ' +
  'transport value volume warehouse water weather window winter worker yield north south river bridge harbour ' +
  'garden library museum theatre village county committee council meeting evening morning summer autumn spring'
).split(' ');

/** A small deterministic PRNG (mulberry32), so the corpus is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Words {
  constructor(private readonly rand: () => number) {}
  pick<T>(xs: T[]): T {
    return xs[Math.floor(this.rand() * xs.length)] as T;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }
  phrase(n: number): string {
    return Array.from({ length: n }, () => this.pick(WORDS)).join(' ');
  }
  title(n: number): string {
    return this.phrase(n).replace(/\b\w/g, (c) => c.toUpperCase());
  }
  sentence(): string {
    const words = Array.from({ length: this.int(7, 14) }, () => (this.rand() < 0.08 ? String(this.int(2, 980)) : this.pick(WORDS)));
    const s = words.join(' ');
    return s.charAt(0).toUpperCase() + s.slice(1) + '.';
  }
  paragraph(sentences: number): string {
    return Array.from({ length: sentences }, () => this.sentence()).join(' ');
  }
}

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
}

/** Greedy word wrap at `width` points. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && font.widthOfTextAtSize(next, size) > width) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Draws wrapped text from `y` (baseline of the first line) downwards; returns the y below it. */
function drawWrapped(page: PDFPage, text: string, o: { x: number; y: number; width: number; size: number; font: PDFFont; indent?: number }): number {
  let y = o.y;
  for (const [i, line] of wrap(text, o.font, o.size, o.width - (o.indent ?? 0)).entries()) {
    page.drawText(line, { x: o.x + (i > 0 ? (o.indent ?? 0) : 0), y, size: o.size, font: o.font });
    y -= o.size * 1.3;
  }
  return y;
}

const W = 612;
const H = 792;
const BODY = 10.5;

function prosePage(page: PDFPage, f: Fonts, w: Words): string {
  const title = w.title(4);
  const h2 = w.title(3);
  const p1 = w.paragraph(5);
  const p2 = w.paragraph(6);
  page.drawText(title, { x: 60, y: 720, size: 20, font: f.bold });
  const y = drawWrapped(page, p1, { x: 60, y: 685, width: 490, size: BODY, font: f.regular });
  page.drawText(h2, { x: 60, y: y - 18, size: 14, font: f.bold });
  drawWrapped(page, p2, { x: 60, y: y - 44, width: 490, size: BODY, font: f.regular });
  return `# ${title}\n\n${p1}\n\n## ${h2}\n\n${p2}`;
}

function twoColumnPage(page: PDFPage, f: Fonts, w: Words): string {
  const title = w.title(5);
  page.drawText(title, { x: 60, y: 720, size: 20, font: f.bold });
  const columns = [
    [w.paragraph(4), w.paragraph(3)],
    [w.paragraph(3), w.paragraph(4)],
  ];
  columns.forEach((paras, c) => {
    let y = 680;
    for (const p of paras) y = drawWrapped(page, p, { x: 60 + c * 258, y, width: 232, size: BODY, font: f.regular }) - BODY;
  });
  return [`# ${title}`, ...columns.flat()].join('\n\n');
}

function listsPage(page: PDFPage, f: Fonts, w: Words): string {
  const h = w.title(3);
  const intro = w.sentence();
  const bullets = [w.phrase(5), w.paragraph(2), w.phrase(7), w.sentence()];
  const h2 = w.title(2);
  const steps = [w.sentence(), w.phrase(6), w.paragraph(2)];
  page.drawText(h, { x: 60, y: 720, size: 14, font: f.bold });
  let y = drawWrapped(page, intro, { x: 60, y: 690, width: 490, size: BODY, font: f.regular }) - 6;
  for (const b of bullets) {
    page.drawText('\u2022', { x: 70, y, size: BODY, font: f.regular });
    y = drawWrapped(page, b, { x: 84, y, width: 460, size: BODY, font: f.regular }) - 3;
  }
  page.drawText(h2, { x: 60, y: y - 16, size: 14, font: f.bold });
  y -= 42;
  steps.forEach((s, i) => {
    page.drawText(`${i + 1}.`, { x: 68, y, size: BODY, font: f.regular });
    y = drawWrapped(page, s, { x: 84, y, width: 460, size: BODY, font: f.regular }) - 3;
  });
  return [`## ${h}`, intro, bullets.map((b) => `- ${b}`).join('\n'), `## ${h2}`, steps.map((s, i) => `${i + 1}. ${s}`).join('\n')].join('\n\n');
}

/** A table whose first header cell spans two columns ("Sales <year>" over "Q1" and "Q2"). */
function tablePage(page: PDFPage, f: Fonts, w: Words, ruled: boolean): { markdown: string; table: string[][] } {
  const h = w.title(3);
  const intro = w.sentence();
  const outro = w.sentence();
  const year = String(2020 + w.int(0, 6));
  const rows = Array.from({ length: 5 }, () => [w.title(1), String(w.int(10, 999)), String(w.int(10, 999)), `${w.int(1, 99)}.${w.int(10, 99)}`]);
  const table = [['Region', `Sales ${year}`, '', 'Share'], ['', 'Q1', 'Q2', '%'], ...rows];
  page.drawText(h, { x: 60, y: 720, size: 14, font: f.bold });
  drawWrapped(page, intro, { x: 60, y: 690, width: 490, size: BODY, font: f.regular });
  const cols = [70, 200, 300, 420, 520]; // column boundaries
  const top = 650;
  const rowH = 20;
  // The first column left-aligned, the numeric ones right-aligned, their headers aligned like their numbers.
  const text = (s: string, x0: number, x1: number, y: number, font = f.regular) => {
    if (!s) return;
    const width = font.widthOfTextAtSize(s, BODY);
    page.drawText(s, { x: x0 === cols[0] ? x0 + 8 : x1 - 8 - width, y, size: BODY, font });
  };
  table.forEach((row, r) => {
    const y = top - (r + 1) * rowH + 6;
    const font = r < 2 ? f.bold : f.regular;
    if (r === 0) {
      text(row[0]!, cols[0]!, cols[1]!, y, font);
      const label = row[1]!;
      const lw = font.widthOfTextAtSize(label, BODY);
      page.drawText(label, { x: (cols[1]! + cols[3]!) / 2 - lw / 2, y, size: BODY, font });
      text(row[3]!, cols[3]!, cols[4]!, y, font);
    } else {
      row.forEach((cell, c) => text(cell, cols[c]!, cols[c + 1]!, y, font));
    }
  });
  if (ruled) {
    const bottom = top - table.length * rowH;
    const line = (x1: number, y1: number, x2: number, y2: number) =>
      page.drawLine({ start: { x: x1, y: y1 }, end: { x: x2, y: y2 }, thickness: 0.8, color: rgb(0, 0, 0) });
    // Region spans the two header rows (no rule under it); "Sales" spans Q1 and Q2 (no rule between them).
    for (let r = 0; r <= table.length; r++) line(r === 1 ? cols[1]! : cols[0]!, top - r * rowH, cols[4]!, top - r * rowH);
    for (const x of cols) line(x, x === cols[2] ? top - rowH : top, x, bottom);
  }
  const esc = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const md = [esc(table[0]!), esc(table[0]!.map(() => '---')), ...table.slice(1).map(esc)].join('\n');
  drawWrapped(page, outro, { x: 60, y: top - table.length * rowH - 30, width: 490, size: BODY, font: f.regular });
  return { markdown: [`## ${h}`, intro, md, outro].join('\n\n'), table };
}

function smallPrintPage(page: PDFPage, f: Fonts, w: Words): string {
  const h = w.title(4);
  const body = w.paragraph(5);
  const fine = [w.paragraph(3), w.paragraph(3)];
  page.drawText(h, { x: 60, y: 720, size: 14, font: f.bold });
  let y = drawWrapped(page, body, { x: 60, y: 690, width: 490, size: BODY, font: f.regular }) - 30;
  for (const p of fine) y = drawWrapped(page, p, { x: 60, y, width: 490, size: 6.5, font: f.regular }) - 6;
  return [`## ${h}`, body, ...fine].join('\n\n');
}

/** A scanned page: the text drawn onto an image at 200 DPI, turned by a small angle, with speckle noise. */
async function scanPage(doc: PDFDocument, page: PDFPage, w: Words): Promise<string> {
  const title = w.title(3);
  const paras = [w.paragraph(3), w.paragraph(3)];
  const scale = 200 / 72;
  const width = Math.round(W * scale);
  const height = Math.round(H * scale);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#f7f5f0';
  ctx.fillRect(0, 0, width, height);
  ctx.translate(width / 2, height / 2);
  ctx.rotate((1.5 * Math.PI) / 180);
  ctx.translate(-width / 2, -height / 2);
  ctx.fillStyle = '#161616';
  const lineH = 12 * 1.4 * scale;
  let y = 100 * scale;
  ctx.font = `bold ${18 * scale}px "DejaVu Sans"`;
  ctx.fillText(title, 60 * scale, y);
  y += 36 * scale;
  ctx.font = `${11 * scale}px "DejaVu Sans"`;
  for (const p of paras) {
    let line = '';
    for (const word of p.split(' ')) {
      const next = line ? `${line} ${word}` : word;
      if (line && ctx.measureText(next).width > 480 * scale) {
        ctx.fillText(line, 60 * scale, y);
        y += lineH;
        line = word;
      } else line = next;
    }
    ctx.fillText(line, 60 * scale, y);
    y += lineH * 1.8;
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  const img = ctx.getImageData(0, 0, width, height);
  const rand = prng(7);
  for (let i = 0; i < img.data.length; i += 4) {
    const r = rand();
    if (r < 0.0015) img.data[i] = img.data[i + 1] = img.data[i + 2] = 60;
    else {
      const n = Math.floor((rand() - 0.5) * 24);
      for (let c = 0; c < 3; c++) img.data[i + c] = Math.max(0, Math.min(255, (img.data[i + c] as number) + n));
    }
  }
  const jpeg = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width, height, channels: 4 } })
    .greyscale()
    .jpeg({ quality: 80 })
    .toBuffer();
  page.drawImage(await doc.embedJpg(jpeg), { x: 0, y: 0, width: W, height: H });
  return [`# ${title}`, ...paras].join('\n\n');
}

/**
 * The documents quality corpus: `pages` US Letter pages cycling through the page kinds (or the kinds given),
 * born-digital text in Helvetica with its ground truth as Markdown, plus scanned pages (images only).
 */
export async function qualityCorpus(opts: { pages?: number; kinds?: CorpusPageKind[]; seed?: number } = {}): Promise<QualityCorpus> {
  const kinds = opts.kinds ?? KINDS;
  const n = opts.pages ?? kinds.length;
  const doc = await PDFDocument.create();
  const f: Fonts = { regular: await doc.embedFont(StandardFonts.Helvetica), bold: await doc.embedFont(StandardFonts.HelveticaBold) };
  const w = new Words(prng(opts.seed ?? 17));
  const pages: CorpusPage[] = [];
  for (let i = 0; i < n; i++) {
    const kind = kinds[i % kinds.length] as CorpusPageKind;
    const page = doc.addPage([W, H]);
    let markdown: string;
    let table: string[][] | undefined;
    if (kind === 'prose') markdown = prosePage(page, f, w);
    else if (kind === 'two-column') markdown = twoColumnPage(page, f, w);
    else if (kind === 'lists') markdown = listsPage(page, f, w);
    else if (kind === 'table-ruled' || kind === 'table-aligned') ({ markdown, table } = tablePage(page, f, w, kind === 'table-ruled'));
    else if (kind === 'small-print') markdown = smallPrintPage(page, f, w);
    else markdown = await scanPage(doc, page, w);
    pages.push({ page: i + 1, kind, markdown, scanned: kind === 'scan', ...(table ? { table } : {}) });
  }
  return { pdf: Buffer.from(await doc.save()), pages };
}

/**
 * A vision "model" for the quality harness's plumbing check: answers each page's ground truth, after checking
 * that the request carries the page number and a JPEG page image as a base64 data URL (what a real model gets).
 */
export function groundTruthVisionCaller(pages: { page: number; markdown: string }[]) {
  const byPage = new Map(pages.map((p) => [p.page, p.markdown]));
  return {
    async chat(_ctx: unknown, body: { model: string; messages: { content: unknown }[] }) {
      const parts = (body.messages.at(-1)?.content ?? []) as { type: string; text?: string; image_url?: { url: string } }[];
      const page = Number(/page (\d+)/.exec(parts.find((p) => p.type === 'text')?.text ?? '')?.[1]);
      const url = parts.find((p) => p.type === 'image_url')?.image_url?.url ?? '';
      const jpeg = Buffer.from(url.replace(/^data:image\/jpeg;base64,/, ''), 'base64');
      if (!url.startsWith('data:image/jpeg;base64,') || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('the page image is not a JPEG data URL');
      const content = byPage.get(page);
      if (content === undefined) throw new Error(`no ground truth for page ${page}`);
      return {
        id: `gt-${page}`,
        object: 'chat.completion' as const,
        created: 0,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant' as const, content }, finish_reason: 'stop' as const }],
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      };
    },
  };
}
