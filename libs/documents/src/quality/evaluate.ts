import type { CallContext } from '@switchyard/types';
import type { ChatCaller } from '../engines/chat-caller';
import { LlmOcrEngine } from '../engines/llm-ocr.engine';
import type { OcrEngine } from '../engines/ocr-engine';
import { TesseractEngine } from '../engines/tesseract.engine';
import { normalizeImage } from '../pipeline/image-normalizer';
import { PdfDocument } from '../pipeline/pdf-document';
import { characterErrorRate, plainText, tableAccuracy, wordErrorRate } from './metrics';

/** A page of a quality corpus: its ground truth as Markdown, its table, whether it is an image only. */
export interface TruthPage {
  page: number;
  kind: string;
  markdown: string;
  table?: string[][];
  scanned: boolean;
}

/** `text`: the PDF text layer; `tesseract`: rendered at `ocrDpi` and read by local OCR; `llm-mock`: the vision-model path. */
export type QualityMode = 'text' | 'tesseract' | 'llm-mock';

export interface PageScore {
  page: number;
  kind: string;
  mode: QualityMode;
  cer: number;
  wer: number;
  /** Table-structure accuracy, on pages with a table. */
  table?: number;
  ms: number;
  markdown: string;
}

export interface ModeSummary {
  mode: QualityMode;
  /** `born-digital` pages (with a text layer) or `scanned` ones. */
  pages: 'born-digital' | 'scanned';
  count: number;
  /** Edits over reference characters (words), summed over the pages. */
  cer: number;
  wer: number;
  /** Mean table-structure accuracy over the pages with a table (null when none). */
  table: number | null;
  ms: number;
}

const CTX: CallContext = { organizationId: 'quality', projectId: 'quality', keyId: null };

/**
 * Reads every page of `pdf` in each mode and scores it against the ground truth. The LLM mode goes through
 * the real path (render, JPEG encoding, the vision engine's request and answer parsing) with `llmCaller` as
 * the model: a caller that answers the ground truth proves the plumbing loses nothing.
 */
export async function evaluateQuality(
  pdf: Buffer,
  truth: TruthPage[],
  opts: { modes: QualityMode[]; llmCaller?: ChatCaller; ocrDpi?: number; visionDpi?: number; only?: (mode: QualityMode, page: TruthPage) => boolean },
): Promise<{ pages: PageScore[]; summary: ModeSummary[] }> {
  const doc = await PdfDocument.open(pdf);
  const tesseract = new TesseractEngine();
  const scores: PageScore[] = [];
  try {
    for (const mode of opts.modes) {
      const engine: OcrEngine | null =
        mode === 'tesseract' ? tesseract : mode === 'llm-mock' ? new LlmOcrEngine(required(opts.llmCaller), 'quality/ground-truth') : null;
      for (const t of truth.filter((p) => opts.only?.(mode, p) ?? true)) {
        const t0 = performance.now();
        let markdown: string;
        if (!engine) {
          markdown = await doc.text(t.page);
        } else {
          const dpi = mode === 'tesseract' ? (opts.ocrDpi ?? 300) : (opts.visionDpi ?? 150);
          const raw = await doc.render(t.page, dpi);
          const image = await normalizeImage(raw, { maxSide: 10_000, maxPixels: 200_000_000, format: engine.imageFormat });
          markdown = (await engine.transcribe(CTX, image, { number: t.page })).markdown;
        }
        const ms = performance.now() - t0;
        scores.push({
          page: t.page,
          kind: t.kind,
          mode,
          cer: characterErrorRate(t.markdown, markdown),
          wer: wordErrorRate(t.markdown, markdown),
          ...(t.table ? { table: tableAccuracy(t.table, markdown) } : {}),
          ms,
          markdown,
        });
      }
    }
  } finally {
    await tesseract.close();
    await doc.destroy();
  }
  return { pages: scores, summary: summarize(truth, scores) };
}

function required<T>(x: T | undefined): T {
  if (!x) throw new Error('llm-mock mode needs an llmCaller');
  return x;
}

const words = (md: string) => plainText(md).split(' ').filter(Boolean);

/** Error rates as total edits over total reference length, per mode and page class. */
export function summarize(truth: TruthPage[], scores: PageScore[]): ModeSummary[] {
  const byPage = new Map(truth.map((t) => [t.page, t]));
  const out: ModeSummary[] = [];
  for (const mode of [...new Set(scores.map((s) => s.mode))]) {
    for (const cls of ['born-digital', 'scanned'] as const) {
      const set = scores.filter((s) => s.mode === mode && (byPage.get(s.page)?.scanned ? 'scanned' : 'born-digital') === cls);
      if (!set.length) continue;
      let chars = 0;
      let charEdits = 0;
      let ws = 0;
      let wordEdits = 0;
      for (const s of set) {
        const ref = (byPage.get(s.page) as TruthPage).markdown;
        const len = plainText(ref).length;
        chars += len;
        charEdits += s.cer * len;
        ws += words(ref).length;
        wordEdits += s.wer * words(ref).length;
      }
      const tables = set.filter((s) => s.table !== undefined).map((s) => s.table as number);
      out.push({
        mode,
        pages: cls,
        count: set.length,
        cer: charEdits / Math.max(1, chars),
        wer: wordEdits / Math.max(1, ws),
        table: tables.length ? tables.reduce((a, b) => a + b, 0) / tables.length : null,
        ms: set.reduce((a, s) => a + s.ms, 0),
      });
    }
  }
  return out;
}
