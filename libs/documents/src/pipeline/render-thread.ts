// The entry of a render or text thread (piscina, see page-renderer.ts): each thread keeps the last few PDFs it parsed,
// so the pages of one document handled by this thread share one parse.
import { workerData } from 'piscina';
import { PdfCache } from './pdf-cache';
import { loadPdfJs, PdfDocument } from './pdf-document';
import { runPageTask, toFailure, type PageTask, type TaskFailure } from './page-task';
import { loadPdfium, type WasmModule } from './pdfium-text';

export interface ThreadTask {
  /** The document's identity (its file id): pages of the same key reuse this thread's parsed PDF. */
  key: string;
  /** The file's bytes, on a SharedArrayBuffer (not copied on the way in); read only when this thread has not parsed it. */
  pdf: Uint8Array;
  task: PageTask;
}

// pdfjs inflates every Flate stream through the global DecompressionStream when there is one: a web stream
// and a hand-off to the libuv pool and back, 0.2-0.6 ms of CPU for a page's small content stream (ten times
// `zlib.inflateSync`), and the thread idles meanwhile. Without it pdfjs inflates synchronously with its own code:
// 7-17% less CPU per text-layer page, about 10% more on a page with a large Flate image (docs/documents.md#speed).
// This thread runs only pdfjs, the canvas and sharp, none of which needs the global.
delete (globalThis as { DecompressionStream?: unknown }).DecompressionStream;

// pdfjs loads as the thread starts (at the worker's boot: PageRenderer.start), not with its first document; the
// first document's open awaits the same load.
loadPdfJs().catch(() => undefined);

/** What PageRenderer tells a thread of the pool it starts (piscina's `workerData`). */
export interface ThreadData {
  /** A text thread (`mode: text` pages): it reads them with PDFium, instantiated as the thread starts. */
  text: boolean;
  /** A text thread's PDFium module, compiled once for the process (compilePdfium). */
  pdfium?: WasmModule;
}
const threadData = workerData as ThreadData | undefined;
const textThread = threadData?.text === true;
// A text thread instantiates PDFium's module (compiled once by PageRenderer) as it starts, not in the worker's first
// text job, and opens its documents in PDFium first (pdfjs only for the pages that need it: PdfDocument.openText).
if (textThread) loadPdfium(threadData?.pdfium).catch(() => undefined);
const cache = new PdfCache(3, textThread ? (bytes) => PdfDocument.openText(bytes) : (bytes) => PdfDocument.open(bytes));

export async function renderThreadTask({ key, pdf, task }: ThreadTask): Promise<unknown | TaskFailure> {
  try {
    return await cache.use(key, async () => Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength), (doc) => runPageTask(doc, task));
  } catch (err) {
    const failure = toFailure(err);
    if (failure) return failure;
    throw err;
  }
}
