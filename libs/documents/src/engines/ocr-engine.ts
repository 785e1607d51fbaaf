import type { CallContext } from '@switchyard/types';

export interface PageImage {
  data: Buffer;
  mime: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
}

export interface Transcription {
  markdown: string;
  inputTokens: number;
  outputTokens: number;
  cost: number;
}

/** Turns one page image into Markdown. */
export interface OcrEngine {
  readonly model: string;
  /** The image format the engine reads best. */
  readonly imageFormat: 'png' | 'jpeg';
  transcribe(ctx: CallContext, image: PageImage, page: { number: number; signal?: AbortSignal }): Promise<Transcription>;
}

/** Model names that select the local tesseract engine (no provider, no key). */
export const LOCAL_OCR_MODELS = new Set(['local-ocr/tesseract', 'local-ocr', 'tesseract']);
export const isLocalOcrModel = (model: string) => LOCAL_OCR_MODELS.has(model.trim().toLowerCase());
