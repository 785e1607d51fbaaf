import { readFileSync } from 'node:fs';
import { init } from '@embedpdf/pdfium';
import { multiply, ruleOf, type Matrix, type Rule } from './page-graphics';
import { CELL_GAP, type TextItem } from './text-layer';

/**
 * The PDFium exports called here, straight on the WebAssembly instance (the package's cwrap wrappers cost 2-3x per
 * call), and the heap's views (new views after the heap grows: read them after any call that may allocate).
 */
interface PdfiumRuntime {
  wasmExports: {
    malloc(size: number): number;
    free(ptr: number): void;
    FPDF_LoadMemDocument(data: number, size: number, password: number): number;
    FPDF_CloseDocument(doc: number): void;
    FPDF_GetPageCount(doc: number): number;
    FPDF_LoadPage(doc: number, index: number): number;
    FPDF_ClosePage(page: number): void;
    FPDF_GetPageBoundingBox(page: number, rect: number): number;
    FPDFText_LoadPage(page: number): number;
    FPDFText_ClosePage(text: number): void;
    FPDFText_CountChars(text: number): number;
    FPDFText_GetTextObject(text: number, index: number): number;
    FPDFText_GetUnicode(text: number, index: number): number;
    FPDFText_IsGenerated(text: number, index: number): number;
    FPDFText_GetLooseCharBox(text: number, index: number, rect: number): number;
    FPDFText_GetCharOrigin(text: number, index: number, x: number, y: number): number;
    FPDFText_GetMatrix(text: number, index: number, matrix: number): number;
    FPDFTextObj_GetFont(obj: number): number;
    FPDFTextObj_GetFontSize(obj: number, size: number): number;
    FPDFFont_GetIsEmbedded(font: number): number;
    FPDFFont_GetBaseFontName(font: number, buffer: number, length: number): number;
    FPDFPage_CountObjects(page: number): number;
    FPDFPage_GetObject(page: number, index: number): number;
    FPDFFormObj_CountObjects(form: number): number;
    FPDFFormObj_GetObject(form: number, index: number): number;
    FPDFPageObj_GetType(obj: number): number;
    FPDFPageObj_GetMatrix(obj: number, matrix: number): number;
    FPDFPath_GetDrawMode(path: number, fillMode: number, stroke: number): number;
    FPDFPath_CountSegments(path: number): number;
    FPDFPath_GetPathSegment(path: number, index: number): number;
    FPDFPathSegment_GetType(segment: number): number;
    FPDFPathSegment_GetPoint(segment: number, x: number, y: number): number;
    FPDFPage_GetAnnotCount(page: number): number;
    FPDFPage_GetAnnot(page: number, index: number): number;
    FPDFAnnot_GetSubtype(annot: number): number;
    FPDFPage_CloseAnnot(annot: number): void;
  };
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  HEAPF32: Float32Array;
  HEAPF64: Float64Array;
}
type Exports = PdfiumRuntime['wasmExports'];

let pdfiumPromise: Promise<PdfiumRuntime> | undefined;
/** The module this thread was handed (loadPdfium), kept to instantiate it again (PdfiumDocument.open). */
let pdfiumModule: WasmModule | undefined;

/**
 * The WebAssembly heap an instance may keep before the next document opens in a new one: WebAssembly memory grows
 * (to the largest document the thread held, the document's bytes and PDFium's parse) and never shrinks. The old
 * instance is released, its heap with it, when its last document is destroyed (PdfCache's eviction).
 */
export const PDFIUM_HEAP_KEEP_BYTES = 64 * 1024 * 1024;

/** A compiled WebAssembly module (opaque here). */
export type WasmModule = object;
/** The part of the WebAssembly API used here (TypeScript declares it only in the DOM's lib). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  instantiate(module: WasmModule, imports: object): Promise<object>;
};

/** The bytes of PDFium's WebAssembly module (`@embedpdf/pdfium`'s `pdfium.wasm`). */
const pdfiumWasm = (): Buffer => readFileSync(require.resolve('@embedpdf/pdfium/pdfium.wasm'));

/** PDFium's WebAssembly module, compiled: V8 compiles its functions lazily. */
export const compilePdfium = (): WasmModule => new WebAssembly.Module(pdfiumWasm());

/**
 * PDFium (`@embedpdf/pdfium`, PDFium compiled to WebAssembly), instantiated once per thread, its heap (which holds the
 * documents' bytes) the thread's. `module`: the module compiled once for the process (compilePdfium, handed to the
 * text threads by PageRenderer): V8 shares a module's compiled code between the threads that instantiate it, so
 * the functions one thread compiled or optimized are compiled for the others too. Without it, the thread compiles
 * the module itself.
 */
export function loadPdfium(module?: WasmModule): Promise<PdfiumRuntime> {
  pdfiumModule ??= module;
  pdfiumPromise ??= (async () => {
    let failed: (err: unknown) => void = () => undefined;
    const failure = new Promise<never>((_, reject) => (failed = reject));
    const m = await Promise.race([
      init(
        module
          ? {
              // Emscripten's hook: it calls `receive` with the instance and its module (a failure rejects `failure`:
              // Emscripten would wait for `receive` forever).
              instantiateWasm: ((imports: object, receive: (instance: object, module: WasmModule) => void) => {
                WebAssembly.instantiate(module, imports).then((instance) => receive(instance, module), failed);
                return {};
              }) as never,
            }
          : { wasmBinary: pdfiumWasm() },
      ),
      failure,
    ]);
    m.PDFiumExt_Init();
    return m.pdfium as unknown as PdfiumRuntime;
  })();
  return pdfiumPromise;
}

/** pdfjs's `getTextContent` thresholds, in font sizes (evaluator.js): the text items are split and spaced the same way. */
const NEGATIVE_SPACE = -0.2;
const SPACE_IN_FLOW_MIN = 0.102;
const SPACE_IN_FLOW_MAX = 0.6;
const VERTICAL_SHIFT = 0.25;
/**
 * Gaps (in font sizes) where a rounding decides: pdfjs's space and item thresholds, and reflowText's cell gap. A
 * monospace space is exactly 0.6 font sizes and two are 1.2: pdfjs's positions (doubles) and PDFium's (floats) can
 * fall on either side. Within TIE of one of them, the page is left to pdfjs.
 */
const THRESHOLDS = [SPACE_IN_FLOW_MIN, SPACE_IN_FLOW_MAX, CELL_GAP];
const TIE = 0.002;

/** Right-to-left characters (as text-layer.ts's RTL): pdfjs reorders them with its own bidi, PDFium with another. */
const isRtl = (c: number) => (c >= 0x590 && c <= 0x8ff) || (c >= 0xfb1d && c <= 0xfdff) || (c >= 0xfe70 && c <= 0xfeff);
const isSpace = (c: number) => c === 0x20 || c === 0xa0 || (c >= 0x2000 && c <= 0x200b) || c === 0x3000 || (c >= 0x09 && c <= 0x0d);

/** The page area glyphs must touch to count (pdfjs's `viewBox`): left, bottom, right, top in user space. */
export interface ViewBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Builds pdfjs-like text items from a page's glyphs in content order (horizontal, upright text): a glyph joins the
 * current item unless its font (or font size operand) changed, it starts left of the previous glyph's end by more
 * than 0.2 font sizes, a gap wider than 0.6 font sizes precedes it, or its baseline moved by more than a quarter
 * of the item's height; a gap of 0.102-0.6 font sizes or a space glyph puts one space before it. These are pdfjs's
 * own rules (`compareWithLastPosition`), so reflowText reads the same runs from either engine
 * (docs/documents.md#speed compares every page).
 */
export class GlyphItems {
  readonly items: TextItem[] = [];
  private str = '';
  private x = 0;
  private y = 0;
  private em = 0;
  private height = 0;
  private font = 0;
  private prevX = 0;
  private prevY = 0;
  private end = 0;
  private space = false;
  private started = false;
  /** A gap between two glyphs of a line within rounding of a threshold (THRESHOLDS): pdfjs must read the page. */
  ambiguous = false;

  constructor(private readonly view: ViewBox) {}

  /**
   * One glyph: its code point; its origin on the baseline (x, y) and advance end (`right`) in user space; the font
   * size in user space along x (`em`, for the gaps) and y (`height`); and its font (a font and size operand pair:
   * another starts another item).
   */
  add(code: number, x: number, y: number, right: number, em: number, height: number, font: number): void {
    if (right < this.view.x0 || x > this.view.x1 || y < this.view.y0 || y > this.view.y1) return;
    if (isSpace(code)) {
      if (this.str) this.space = true;
      return;
    }
    if (this.str && !this.space && x === this.prevX && y === this.prevY && font === this.font) {
      // A ligature's (or an expanded glyph's) further characters, which PDFium gives one by one at the glyph's
      // origin: pdfjs has one glyph (its normalization then expands a ligature alike).
      this.str += String.fromCodePoint(code);
      this.end = Math.max(this.end, right);
      return;
    }
    if (this.started && Math.abs(y - this.prevY) <= this.height * VERTICAL_SHIFT) {
      const gap = (x - this.end) / em;
      for (const t of THRESHOLDS) if (Math.abs(gap - t) < TIE) this.ambiguous = true;
    }
    if (this.str) {
      const gap = x - this.end;
      if (font !== this.font || gap < NEGATIVE_SPACE * em || gap > SPACE_IN_FLOW_MAX * em || Math.abs(y - this.prevY) > this.height * VERTICAL_SHIFT) this.flush();
      else if (gap >= SPACE_IN_FLOW_MIN * em) this.space = true;
    }
    if (!this.str) {
      this.x = x;
      this.y = y;
      this.em = em;
      this.height = height;
      this.font = font;
      this.space = false;
    } else if (this.space) {
      this.str += ' ';
      this.space = false;
    }
    this.str += String.fromCodePoint(code);
    this.end = right;
    this.prevX = x;
    this.prevY = y;
    this.started = true;
  }

  /** Ends the current item (at the page's last glyph, or before one that starts another). */
  flush(): void {
    if (this.str) {
      const h = this.height;
      this.items.push({ str: this.str, transform: [this.em, 0, 0, h, this.x, this.y], width: this.end - this.x, height: h });
    }
    this.str = '';
    this.space = false;
  }
}

/** Scratch memory for PDFium's out-parameters (a matrix, a rectangle, two doubles, a font name). */
const SCRATCH_BYTES = 320;
const NAME_OFFSET = 64;
/** What PDFium gives for a hyphen at a line's end (`FPDFText_IsHyphen`). */
const HYPHEN_MARK = 0x02;
/** PDFium's page object types, path segment type and annotation subtype read here (fpdf_edit.h, fpdf_annot.h). */
const OBJ_PATH = 2;
const OBJ_FORM = 5;
const SEGMENT_BEZIER = 1;
const ANNOT_LINK = 2;
/** The 14 standard fonts' bold faces: pdfjs reads them from its own font files and does not mark them bold. */
const STANDARD_BOLD = /^(Helvetica|Times|Courier)-Bold(Oblique|Italic)?$/;

interface FontInfo {
  /** A font pdfjs may mark bold (not embedded, named bold, not a standard face): the page is read by pdfjs. */
  maybeBold: boolean;
}

/**
 * An opened PDF in PDFium, for the text layer of `mode: text` pages: its glyphs turned into the text items pdfjs
 * would give (GlyphItems), and where they can matter its ruling lines as pdfjs's operator list gives them (rules).
 * A page it cannot give exactly as pdfjs would (right-to-left, rotated or vertical text, a font pdfjs may take for
 * bold, a character code PDFium cannot map, a gap at a threshold, curves or annotations where the rules matter)
 * reads as null, and the caller reads it with pdfjs.
 */
export class PdfiumDocument {
  private readonly fonts = new Map<number, FontInfo>();

  private constructor(
    private readonly m: PdfiumRuntime,
    private readonly doc: number,
    private readonly bytes: number,
    private readonly scratch: number,
  ) {}

  /**
   * The document in PDFium's heap (a copy of `data`), or null when PDFium cannot open it (pdfjs then reads every page).
   * When the thread's instance has grown past `heapKeepBytes` (PDFIUM_HEAP_KEEP_BYTES) it is left to the documents
   * still open in it, and this one opens in a new instance of the same module (tens of milliseconds, once after a
   * large document).
   */
  static async open(data: Uint8Array, heapKeepBytes = PDFIUM_HEAP_KEEP_BYTES): Promise<PdfiumDocument | null> {
    let m = await loadPdfium();
    if (m.HEAPU8.byteLength > heapKeepBytes) {
      pdfiumPromise = undefined;
      m = await loadPdfium(pdfiumModule);
    }
    const ex = m.wasmExports;
    const bytes = ex.malloc(data.byteLength);
    if (!bytes) return null; // past the heap's 2 GB
    m.HEAPU8.set(data, bytes);
    const doc = ex.FPDF_LoadMemDocument(bytes, data.byteLength, 0);
    if (!doc) {
      ex.free(bytes);
      return null;
    }
    return new PdfiumDocument(m, doc, bytes, ex.malloc(SCRATCH_BYTES));
  }

  /** The size of the WebAssembly heap of the instance this document is open in. */
  get heapBytes(): number {
    return this.m.HEAPU8.byteLength;
  }

  get pageCount(): number {
    return this.m.wasmExports.FPDF_GetPageCount(this.doc);
  }

  /**
   * The page's text items as pdfjs's `getTextContent` would give them (normalization aside) and, when `needRules(items)`, its ruling lines as pageGraphics finds them
   * in pdfjs's operator list (else none); null when pdfjs must read the page (see the class, and rules).
   */
  read(pageNumber: number, needRules: (items: TextItem[]) => boolean): { items: TextItem[]; rules: Rule[] } | null {
    const ex = this.m.wasmExports;
    const page = ex.FPDF_LoadPage(this.doc, pageNumber - 1);
    if (!page) return null;
    const text = ex.FPDFText_LoadPage(page);
    try {
      const items = text ? this.glyphs(ex, page, text) : null;
      if (!items || !needRules(items)) return items && { items, rules: [] };
      const rules = this.rules(ex, page);
      return rules && { items, rules };
    } finally {
      if (text) ex.FPDFText_ClosePage(text);
      ex.FPDF_ClosePage(page);
    }
  }

  destroy(): void {
    const ex = this.m.wasmExports;
    ex.FPDF_CloseDocument(this.doc);
    ex.free(this.bytes);
    ex.free(this.scratch);
  }

  private glyphs(ex: Exports, page: number, text: number): TextItem[] | null {
    const s = this.scratch;
    ex.FPDF_GetPageBoundingBox(page, s);
    let f32 = this.m.HEAPF32;
    // FS_RECTF: left, top, right, bottom.
    const out = new GlyphItems({ x0: f32[s >> 2]!, y0: f32[(s >> 2) + 3]!, x1: f32[(s >> 2) + 2]!, y1: f32[(s >> 2) + 1]! });
    const count = ex.FPDFText_CountChars(text);
    this.fonts.clear(); // a font's handle lives as long as a page uses it: not a key across pages
    let object = 0;
    let font = 0;
    let fontSize = 0;
    let fontId = 0;
    let em = 0;
    let height = 0;
    let baseline = 0;
    for (let i = 0; i < count; i++) {
      // PDFium's own spaces and line breaks between text objects have no text object: the gaps decide instead.
      const obj = ex.FPDFText_GetTextObject(text, i);
      if (!obj) continue;
      const raw = ex.FPDFText_GetUnicode(text, i);
      // PDFium marks a hyphen it takes for a line-end hyphenation as U+0002 (the PDF's "-" or a soft hyphen); any
      // other control character of a text object is a code PDFium could not map to Unicode (pdfjs may, by glyph name).
      const code = raw === HYPHEN_MARK ? 0x2d : raw;
      if (isRtl(code) || (code < 0x20 && code !== 0x09)) return null;
      // A space PDFium made up inside a text object (at a TJ gap): the gaps decide, as for the spaces between objects.
      if (isSpace(code) && ex.FPDFText_IsGenerated(text, i) === 1) continue;
      ex.FPDFText_GetLooseCharBox(text, i, s);
      ex.FPDFText_GetCharOrigin(text, i, s + 16, s + 24);
      f32 = this.m.HEAPF32;
      const f64 = this.m.HEAPF64;
      const right = f32[(s >> 2) + 2]!;
      const x = f64[(s + 16) >> 3]!;
      const y = f64[(s + 24) >> 3]!;
      if (obj !== object) {
        object = obj;
        const objFont = ex.FPDFTextObj_GetFont(obj);
        if (this.font(ex, objFont).maybeBold) return null;
        // The glyph's matrix in page space (the text object's, with the forms around it): upright text only.
        ex.FPDFText_GetMatrix(text, i, s + 32);
        ex.FPDFTextObj_GetFontSize(obj, s + 56);
        f32 = this.m.HEAPF32;
        const m = (s + 32) >> 2;
        const [a, b, c, d] = [f32[m]!, f32[m + 1]!, f32[m + 2]!, f32[m + 3]!];
        if (b !== 0 || c !== 0 || a <= 0 || d <= 0) return null;
        const size = f32[(s + 56) >> 2]!;
        if (objFont !== font || size !== fontSize) fontId++;
        font = objFont;
        fontSize = size;
        em = size * a;
        height = size * d;
        baseline = y;
      } else if (Math.abs(y - baseline) > height * 0.01) {
        return null; // vertical writing: one text object's glyphs on different baselines
      }
      out.add(code, x, y, right, em, height, fontId);
    }
    out.flush();
    return out.ambiguous ? null : out.items;
  }

  /**
   * The page's ruling lines: every painted path (in forms too) whose bounding box, its points' in its own space
   * under its matrix, is thin (ruleOf, as pageGraphics does with pdfjs's operator list). Null (pdfjs reads the page)
   * for a path with curves (pdfjs bounds a curve by its extremes, PDFium gives control points) and for a page with
   * annotations other than links (pdfjs draws their appearance into the operator list, PDFium's page has none).
   */
  private rules(ex: Exports, page: number): Rule[] | null {
    for (let a = ex.FPDFPage_GetAnnotCount(page) - 1; a >= 0; a--) {
      const annot = ex.FPDFPage_GetAnnot(page, a);
      const subtype = ex.FPDFAnnot_GetSubtype(annot);
      ex.FPDFPage_CloseAnnot(annot);
      if (subtype !== ANNOT_LINK) return null;
    }
    const rules: Rule[] = [];
    const s = this.scratch;
    const walk = (count: number, get: (i: number) => number, outer: Matrix | null): boolean => {
      for (let i = 0; i < count; i++) {
        const obj = get(i);
        const type = ex.FPDFPageObj_GetType(obj);
        if (type !== OBJ_PATH && type !== OBJ_FORM) continue;
        ex.FPDFPageObj_GetMatrix(obj, s);
        const f32 = this.m.HEAPF32;
        const own: Matrix = [f32[s >> 2]!, f32[(s >> 2) + 1]!, f32[(s >> 2) + 2]!, f32[(s >> 2) + 3]!, f32[(s >> 2) + 4]!, f32[(s >> 2) + 5]!];
        const matrix = outer ? multiply(outer, own) : own;
        if (type === OBJ_FORM) {
          if (!walk(ex.FPDFFormObj_CountObjects(obj), (k) => ex.FPDFFormObj_GetObject(obj, k), matrix)) return false;
          continue;
        }
        ex.FPDFPath_GetDrawMode(obj, s, s + 4);
        if (this.m.HEAP32[s >> 2] === 0 && this.m.HEAP32[(s + 4) >> 2] === 0) continue; // neither filled nor stroked
        let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
        for (let k = ex.FPDFPath_CountSegments(obj) - 1; k >= 0; k--) {
          const segment = ex.FPDFPath_GetPathSegment(obj, k);
          if (ex.FPDFPathSegment_GetType(segment) === SEGMENT_BEZIER) return false;
          ex.FPDFPathSegment_GetPoint(segment, s, s + 4);
          const x = this.m.HEAPF32[s >> 2]!;
          const y = this.m.HEAPF32[(s + 4) >> 2]!;
          [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
        }
        const rule = x0 <= x1 ? ruleOf(matrix, x0, y0, x1, y1) : null;
        if (rule) rules.push(rule);
      }
      return true;
    };
    return walk(ex.FPDFPage_CountObjects(page), (i) => ex.FPDFPage_GetObject(page, i), null) ? rules : null;
  }

  private font(ex: Exports, font: number): FontInfo {
    let info = this.fonts.get(font);
    if (!info) {
      const embedded = ex.FPDFFont_GetIsEmbedded(font) === 1;
      const n = embedded ? 0 : ex.FPDFFont_GetBaseFontName(font, this.scratch + NAME_OFFSET, SCRATCH_BYTES - NAME_OFFSET);
      const name = n > 1 ? Buffer.from(this.m.HEAPU8.subarray(this.scratch + NAME_OFFSET, this.scratch + NAME_OFFSET + n - 1)).toString('latin1') : '';
      const base = name.replace(/^[A-Z]{6}\+/, '');
      info = { maybeBold: !embedded && /bold|demi/i.test(base) && !STANDARD_BOLD.test(base) };
      this.fonts.set(font, info);
    }
    return info;
  }
}
