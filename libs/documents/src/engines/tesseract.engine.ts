import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import type { CallContext } from '@switchyard/types';
import type { OcrEngine, PageImage, Transcription } from './ocr-engine';
import { removeRulingLines } from './ruling-lines';
import { ocrLayoutToMarkdown } from './tesseract-layout';

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
    const input = await withoutRulingLines(image.data);
    const run = this.queue.then(async () => {
      // A recognition cannot be interrupted; one whose job ended while it queued is not started.
      page.signal?.throwIfAborted();
      const worker = await this.getWorker();
      const { data } = await worker.recognize(input, {}, { text: false, blocks: true });
      return data.blocks ?? [];
    });
    this.queue = run.catch(() => undefined);
    const blocks = await run;
    return { markdown: ocrLayoutToMarkdown(blocks), inputTokens: 0, outputTokens: 0, cost: 0 };
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
        // segments the page first (columns, blocks), which keeps two-column text in reading order. The blocks
        // of a table without rules (one per column) are joined again by row in `ocrLayoutToMarkdown`.
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

/** The page image with its ruling lines whitened (re-encoded only when it has some), so that ruled tables are read. */
async function withoutRulingLines(png: Buffer): Promise<Buffer> {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  if (!removeRulingLines(data, info.width, info.height)) return png;
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } }).png({ compressionLevel: 1 }).toBuffer();
}
