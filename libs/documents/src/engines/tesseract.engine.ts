import { dirname, join } from 'node:path';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import type { CallContext } from '@switchyard/types';
import type { OcrEngine, PageImage, Transcription } from './ocr-engine';

/**
 * `local-ocr/tesseract`: tesseract.js with the English data of @tesseract.js-data/eng, loaded from
 * node_modules (no network). One recognizer per process, created lazily, calls serialized.
 */
export class TesseractEngine implements OcrEngine {
  readonly model = 'local-ocr/tesseract';
  readonly imageFormat = 'png' as const;
  private worker: Promise<Worker> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  async transcribe(_ctx: CallContext, image: PageImage, page: { signal?: AbortSignal } = {}): Promise<Transcription> {
    const run = this.queue.then(async () => {
      // A recognition cannot be interrupted; one whose job ended while it queued is not started.
      page.signal?.throwIfAborted();
      const worker = await this.getWorker();
      const { data } = await worker.recognize(image.data);
      return data.text;
    });
    this.queue = run.catch(() => undefined);
    const text = await run;
    return { markdown: textToMarkdown(text), inputTokens: 0, outputTokens: 0, cost: 0 };
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await (await w).terminate();
  }

  private getWorker(): Promise<Worker> {
    this.worker ??= createWorker('eng', OEM.LSTM_ONLY, {
      langPath: join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int'),
      cacheMethod: 'none',
      gzip: true,
    })
      .then(async (worker) => {
        // The library's default reads the page as one block (across columns); the tesseract CLI's own default
        // segments the page first (columns, blocks), which keeps two-column text in reading order.
        await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO });
        return worker;
      })
      .catch((err: unknown) => {
        this.worker = undefined;
        throw err;
      });
    return this.worker;
  }
}

/** Tesseract gives lines; Markdown wants paragraphs separated by blank lines and no stray whitespace. */
export function textToMarkdown(text: string): string {
  return text
    .replace(/\r/g, '')
    .split(/\n{2,}/)
    .map((para) =>
      para
        .split('\n')
        .map((l) => l.replace(/\s+/g, ' ').trim())
        .filter(Boolean)
        .join('\n'),
    )
    .filter(Boolean)
    .join('\n\n');
}
