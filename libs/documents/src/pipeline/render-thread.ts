// The entry of a render thread (piscina, see page-renderer.ts): each thread keeps the last few PDFs it parsed,
// so the pages of one document handled by this thread share one parse.
import { PdfCache } from './pdf-cache';
import { runPageTask, toFailure, type PageTask, type TaskFailure } from './page-task';

export interface ThreadTask {
  /** The document's identity (its file id): pages of the same key reuse this thread's parsed PDF. */
  key: string;
  /** The file's bytes, on a SharedArrayBuffer (not copied on the way in); read only when this thread has not parsed it. */
  pdf: Uint8Array;
  task: PageTask;
}

const cache = new PdfCache();

export async function renderThreadTask({ key, pdf, task }: ThreadTask): Promise<unknown | TaskFailure> {
  try {
    return await cache.use(key, async () => Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength), (doc) => runPageTask(doc, task));
  } catch (err) {
    const failure = toFailure(err);
    if (failure) return failure;
    throw err;
  }
}
