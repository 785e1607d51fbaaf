import { dirname, join } from 'node:path';
import { createCanvas, type Canvas } from '@napi-rs/canvas';
import { DocumentError } from './document.exception';
import { pageGraphics, type PageGraphics } from './page-graphics';
import { PdfiumDocument } from './pdfium-text';
import { normalizeItems, reflowText, rulesMayMatter, type TextItem } from './text-layer';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type PdfDocumentProxy = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
type PdfPageProxy = Awaited<ReturnType<PdfDocumentProxy['getPage']>>;

let pdfjsPromise: Promise<PdfJs> | undefined;
/** pdfjs's worker code, run in this thread (its "fake worker"): loaded with the API, see loadPdfJs. */
const PDFJS_WORKER = 'pdfjs-dist/legacy/build/pdf.worker.mjs';

/**
 * pdfjs-dist is ESM-only: loaded once with a real dynamic import (kept as-is by swc), its worker code with it
 * (`globalThis.pdfjsWorker`, which pdfjs uses instead of importing it at the first document). The legacy build's
 * core-js polyfills replace some built-ins process-wide although Node has them: `Array.prototype.push` (a
 * JavaScript loop, about 5% of a text page's CPU, more on two threads) and `JSON.parse`/`JSON.stringify`. The
 * native ones are put back once both modules are loaded; the polyfills that add what Node 20 lacks
 * (`Promise.withResolvers`, the new `Set` and `Uint8Array` methods) stay.
 */
export function loadPdfJs(): Promise<PdfJs> {
  pdfjsPromise ??= (async () => {
    const native = ([
      [Array.prototype, 'push'],
      [JSON, 'parse'],
      [JSON, 'stringify'],
    ] as [object, string][]).map(([target, key]) => ({ target, key, descriptor: Object.getOwnPropertyDescriptor(target, key) as PropertyDescriptor }));
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker ??= await import(PDFJS_WORKER);
    for (const n of native) Object.defineProperty(n.target, n.key, n.descriptor);
    return pdfjs;
  })();
  return pdfjsPromise;
}

const pdfjsRoot = dirname(require.resolve('pdfjs-dist/package.json'));

/** Raw RGBA pixels of a rendered page. */
export interface RenderedPage {
  data: Buffer;
  width: number;
  height: number;
}

/** A page's text layer as Markdown, with what decides between it and OCR. */
export interface PageText {
  markdown: string;
  /** Non-whitespace characters in the text layer. */
  chars: number;
  /** Ruling lines and image coverage: only when asked for (`graphics`), and null for a page without text (not read). */
  graphics: PageGraphics | null;
}

/**
 * An opened PDF: page count, per-page text layer and rendering, with pdfjs; the text layer without `graphics` is
 * read with PDFium where it gives pdfjs's items (opened in PDFium with the first such page: see pageText). A text
 * thread's documents (openText) are opened in PDFium first and in pdfjs only when a page needs it.
 */
export class PdfDocument {
  private pdfium: Promise<PdfiumDocument | null> | undefined;
  /** pdfjs's document: opened by open(), by openText() only for a page PDFium leaves to pdfjs. */
  private pdfjsDoc: Promise<PdfDocumentProxy> | undefined;
  private pages = 0;

  private constructor(
    /** The file's bytes as given (in a thread, a view of the shared file: no copy), for pdfjs's and PDFium's copies. */
    private readonly data: Uint8Array,
  ) {}

  /** Opens a PDF, mapping pdfjs failures to clear domain errors (encrypted, corrupt). */
  static async open(data: Buffer): Promise<PdfDocument> {
    const doc = new PdfDocument(data);
    doc.pages = (await doc.pdfjs()).numPages;
    return doc;
  }

  /**
   * Opens a PDF for its text layers without graphics (`mode: text`, on the text threads): in PDFium, and in pdfjs
   * only when a page needs it (pageText), which saves pdfjs's copy of the file and its parse (4-65 ms of CPU per
   * document and thread: docs/documents.md#speed). A file PDFium cannot open is opened with pdfjs at once (its
   * errors: encrypted, corrupt). The page count is PDFium's then.
   */
  static async openText(data: Buffer): Promise<PdfDocument> {
    const doc = new PdfDocument(data);
    doc.pdfium = PdfiumDocument.open(data);
    const pdfium = await doc.pdfium;
    doc.pages = pdfium ? pdfium.pageCount : (await doc.pdfjs()).numPages;
    return doc;
  }

  get numPages(): number {
    return this.pages;
  }

  /** Page size in pixels at `dpi`. */
  async pageSize(pageNumber: number, dpi: number): Promise<{ width: number; height: number }> {
    const page = await this.page(pageNumber);
    const vp = page.getViewport({ scale: dpi / 72 });
    return { width: Math.ceil(vp.width), height: Math.ceil(vp.height) };
  }

  /** The page's text layer as Markdown ('' when it has none). */
  async text(pageNumber: number): Promise<string> {
    return (await this.pageText(pageNumber)).markdown;
  }

  /**
   * The page's text layer as Markdown (see reflowText) with its character count. Without `graphics`, PDFium reads
   * the page's glyphs into the items pdfjs would give, and its ruling lines where a line's runs are apart like
   * table cells (PdfiumDocument: about half of pdfjs's CPU per page, docs/documents.md#speed), unless the page
   * needs pdfjs (right-to-left, rotated or vertical text, a font pdfjs may take for bold, a character code PDFium
   * cannot map, a gap at a threshold, curves or annotations where the rules matter). With pdfjs, the page's operator list (its drawing, the slower half of the work) is
   * read only when it can change the result: for ruling lines where runs are apart like table cells (see
   * rulesMayMatter), for bold fonts (headings) not yet loaded by an earlier page of this document, and for the
   * image coverage when `graphics` is asked for (`mode: auto`).
   */
  async pageText(pageNumber: number, opts: { graphics?: boolean } = {}): Promise<PageText> {
    const pdfjs = await loadPdfJs();
    if (!opts.graphics) {
      const pdfium = await (this.pdfium ??= PdfiumDocument.open(this.data));
      const read = pdfium?.read(pageNumber, rulesMayMatter);
      const items = read && normalizeItems(read.items, pdfjs.normalizeUnicode);
      if (read && items) {
        const chars = charCount(items);
        return { markdown: chars ? reflowText(items, { rules: read.rules }) : '', chars, graphics: null };
      }
    }
    const page = await this.page(pageNumber);
    try {
      const items = await textItems(page, pdfjs.normalizeUnicode);
      const chars = charCount(items);
      if (!chars) return { markdown: '', chars: 0, graphics: null };
      const fonts = page.commonObjs;
      const fontsLoaded = items.every((i) => !i.fontName || fonts.has(i.fontName));
      let graphics: PageGraphics | null = null;
      if (opts.graphics || !fontsLoaded || rulesMayMatter(items)) {
        const ops = await page.getOperatorList();
        const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] = page.view;
        graphics = pageGraphics(ops.fnArray, ops.argsArray, pdfjs.OPS, (x1 - x0) * (y1 - y0));
      }
      const isBold = (name: string) => fonts.has(name) && (fonts.get(name) as { bold?: boolean } | null)?.bold === true;
      return { markdown: reflowText(items, { rules: graphics?.rules, isBold }), chars, graphics: opts.graphics ? graphics : null };
    } catch (err) {
      throw mapPdfError(err);
    } finally {
      page.cleanup();
    }
  }

  /**
   * Renders a page at `dpi` onto a white @napi-rs/canvas and returns a copy of its RGBA pixels. With `maxSide`,
   * a page whose longest side would exceed it is rendered at the smaller scale that fits instead (drawn once at
   * the target size rather than drawn large and downsized). The pipeline uses `renderWith` (no copy).
   */
  render(pageNumber: number, dpi: number, maxSide = Number.POSITIVE_INFINITY): Promise<RenderedPage> {
    return this.renderWith(pageNumber, dpi, maxSide, async (page) => ({ ...page, data: Buffer.from(page.data) }));
  }

  /**
   * Renders a page as `render` does and lends its pixels to `use`: they are the canvas's own memory, valid until
   * `use` settles (not copied; the canvas is then reused for the next page of the same size in this thread).
   */
  async renderWith<T>(pageNumber: number, dpi: number, maxSide: number, use: (page: RenderedPage) => Promise<T>): Promise<T> {
    const page = await this.page(pageNumber);
    const unscaled = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: Math.min(dpi / 72, maxSide / Math.max(unscaled.width, unscaled.height)) });
    const width = Math.ceil(viewport.width);
    const height = Math.ceil(viewport.height);
    const canvas = canvases.take(width, height);
    try {
      const ctx = canvas.getContext('2d');
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      try {
        // pdfjs paints the page's white background itself. With `canvas: null` it draws on this context instead of
        // asking the canvas for one with its options (0.7-0.9 ms per page in @napi-rs/canvas, for the same context).
        await page.render({ canvasContext: ctx as never, canvas: null, viewport }).promise;
      } catch (err) {
        throw mapPdfError(err);
      } finally {
        page.cleanup();
      }
      // The canvas's own RGBA pixels: the page is opaque (drawn on white), so its premultiplied pixels are the
      // straight ones getImageData would convert them to, at twice the cost.
      return await use({ data: canvas.data(), width, height });
    } finally {
      canvases.give(canvas);
    }
  }

  async destroy(): Promise<void> {
    (await this.pdfium)?.destroy();
    await (await this.pdfjsDoc?.catch(() => null))?.destroy();
  }

  private async page(pageNumber: number) {
    const doc = await this.pdfjs();
    try {
      return await doc.getPage(pageNumber);
    } catch (err) {
      throw mapPdfError(err);
    }
  }

  /** pdfjs's document, opened the first time it is needed (a failure mapped to a domain error, and kept). */
  private pdfjs(): Promise<PdfDocumentProxy> {
    this.pdfjsDoc ??= (async () => {
      const pdfjs = await loadPdfJs();
      const task = pdfjs.getDocument({
        data: new Uint8Array(this.data.buffer, this.data.byteOffset, this.data.byteLength).slice(),
        standardFontDataUrl: join(pdfjsRoot, 'standard_fonts') + '/',
        cMapUrl: join(pdfjsRoot, 'cmaps') + '/',
        cMapPacked: true,
        wasmUrl: join(pdfjsRoot, 'wasm') + '/',
        isEvalSupported: false,
        useSystemFonts: false,
        stopAtErrors: false,
        verbosity: 0,
      });
      try {
        return await task.promise;
      } catch (err) {
        await task.destroy().catch(() => undefined);
        throw mapPdfError(err);
      }
    })();
    return this.pdfjsDoc;
  }
}

/**
 * The canvas of the last page rendered in this thread, kept for the next page of the same size: a new 8 MB
 * canvas per page (and its copy-out) was a large share of a page's CPU, in page faults and garbage collection.
 * A canvas in use is not lent twice (pages rendered at once in one thread get their own).
 */
const canvases = {
  spare: null as Canvas | null,
  take(width: number, height: number): Canvas {
    const c = this.spare;
    if (c && c.width === width && c.height === height) {
      this.spare = null;
      return c;
    }
    return createCanvas(width, height);
  },
  give(canvas: Canvas): void {
    this.spare = canvas;
  },
};

/**
 * The page's text items, normalized as pdfjs's own normalization would (read without it, it costs a third
 * less; see normalizeItems), or read again with it for the rare page where right-to-left text makes the two differ.
 */
async function textItems(page: PdfPageProxy, normalize: (s: string) => string): Promise<TextItem[]> {
  const strs = (c: { items: unknown[] }) => c.items.filter((i) => typeof i === 'object' && i !== null && 'str' in i) as TextItem[];
  const raw = strs(await page.getTextContent({ disableNormalization: true }));
  return normalizeItems(raw, normalize) ?? strs(await page.getTextContent());
}

const charCount = (items: TextItem[]) => items.reduce((n, i) => n + i.str.replace(/\s+/g, '').length, 0);

function mapPdfError(err: unknown): Error {
  if (err instanceof DocumentError) return err;
  const name = (err as { name?: string })?.name ?? '';
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'PasswordException') {
    return new DocumentError('encrypted_pdf', 'The PDF is encrypted (password-protected): remove the password and upload it again.');
  }
  if (name === 'InvalidPDFException' || name === 'FormatError' || name === 'UnknownErrorException' || name === 'MissingPDFException') {
    return new DocumentError('corrupt_file', `The PDF is damaged or truncated and cannot be read (${message}).`);
  }
  return new DocumentError('corrupt_file', `The PDF could not be read (${message}).`);
}
