import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Piscina } from 'piscina';
import { PdfCache } from './pdf-cache';
import { fromFailure, isFailure, runPageTask, type PageTask, type PageTaskResult } from './page-task';
import type { PageText } from './pdf-document';
import { compilePdfium } from './pdfium-text';
import type { ThreadData, ThreadTask } from './render-thread';
import { warmupPdf, WARMUP_PAGES } from './warmup-pdf';

/** The compiled thread entry: beside this file in dist; from the sources (Jest), the built copy in dist. */
export function renderThreadFile(): string {
  const dir = __filename.endsWith('.ts') ? resolve(__dirname, '../../../../dist/libs/documents/src/pipeline') : __dirname;
  return join(dir, 'render-thread.js');
}

/**
 * Tasks a thread holds at once: with 2, the process's CPU per text-layer page fell by about a tenth against 1
 * (docs/documents.md#speed). The thread interleaves the two at their awaits; it has one core either way.
 */
const TASKS_PER_THREAD = 2;

/**
 * Runs the PDF work of page jobs (sizes, text layer, render + encode) on `threads` worker threads, each
 * keeping the documents it parsed (pdfjs and the canvas are synchronous JavaScript: one thread is one core).
 * With 0 threads the work runs on the calling thread. The file's bytes are read once per document (the
 * last few are kept) and handed to the threads on a SharedArrayBuffer, without a copy per page.
 *
 * `mode: text` batches (`texts`) run on `threads` text threads of their own, everything else (page count and
 * sizes, `mode: auto` text layers, renderings) on the render threads. V8 holds a function's optimized code only
 * weakly while no closure of it is alive, and pdfjs makes `getTextContent`'s inner functions anew for every page:
 * the full garbage collections a thread runs while it renders dropped that code, and a thread's text pages after
 * renderings cost half again to twice their CPU while it was compiled again (docs/documents.md#speed). Apart, each
 * thread keeps its own compiled code, and a text warm-up at boot cannot make the renderings dearer. The text threads
 * read most pages with PDFium (PdfDocument.pageText): its WebAssembly module is compiled once here and shared
 * by the text threads (V8 shares a module's compiled code between threads).
 */
export class PageRenderer {
  /** The threads, started by start() or else with the first task (see startThreads); null until then or with 0 threads. */
  private pools: Pools | null = null;
  private readonly filename: string | null;
  private readonly local: PdfCache | null;
  private readonly files = new Map<string, Promise<Uint8Array>>();

  private readonly capacity: number;

  constructor(
    readonly threads: number,
    opts: { capacity?: number; filename?: string } = {},
  ) {
    this.capacity = opts.capacity ?? 3;
    const filename = opts.filename ?? renderThreadFile();
    if (threads > 0) {
      if (!existsSync(filename)) throw new Error(`render thread entry ${filename} not found (npm run build)`);
      this.filename = filename;
      this.local = null;
    } else {
      this.filename = null;
      this.local = new PdfCache(this.capacity);
    }
  }

  /**
   * Starts the threads now rather than with the first document (the worker does at boot: each loads pdfjs as it
   * starts), and has each text thread read `warmupPages` text-layer pages of a built-in PDF (warmup-pdf.ts) before
   * the first document's: a thread is its own V8 isolate, and pdfjs's text path runs at up to half again its later
   * CPU per page until it has been compiled over some hundred pages. The render threads read none (a thread that
   * read text layers first renders at about a quarter more CPU per page: docs/documents.md#speed). Resolves when
   * every text thread has read them, with the number of pages read (all threads).
   */
  async start(warmupPages: number): Promise<number> {
    if (this.filename) this.pools ??= this.startThreads(this.filename);
    if (warmupPages <= 0) return 0;
    // The built-in PDF's pages over and over, `warmupPages` per thread: texts() gives each thread one share (the
    // threads are idle, and piscina gives a task to an idle thread first).
    const pages = Array.from({ length: warmupPages * Math.max(1, this.threads) }, (_, i) => 1 + (i % WARMUP_PAGES));
    const texts = await Promise.all(this.texts('builtin:warmup', async () => warmupPdf(), pages));
    return texts.filter((t) => t.chars > 0).length;
  }

  /** Threads running, text and render threads together (0 before start() or the first task, and with 0 threads). */
  get threadsStarted(): number {
    return (this.pools?.text.threads.length ?? 0) + (this.pools?.render.threads.length ?? 0);
  }

  /**
   * The text layers of `pages` (a `mode: text` page job's), one promise per page in their order: split into one
   * contiguous share per text thread (fewer when there are fewer pages), each share one task (a thread reads its
   * share one page after the other), rather than one task per page: one hand-off to the thread and back per share.
   * A page's failure rejects its own promise only.
   */
  texts(key: string, load: () => Promise<Buffer>, pages: number[], opts: { graphics?: boolean } = {}): Promise<PageText>[] {
    const shares = Math.min(Math.max(1, this.threads), pages.length);
    const out: Promise<PageText>[] = [];
    for (let s = 0; s < shares; s++) {
      const share = pages.slice(Math.floor((s * pages.length) / shares), Math.floor(((s + 1) * pages.length) / shares));
      const results = this.run(key, load, { op: 'texts', pages: share, graphics: opts.graphics });
      share.forEach((_, i) => {
        const text = results.then((r) => {
          const one = r[i]!;
          if (isFailure(one)) throw fromFailure(one);
          return one;
        });
        // Awaited by the caller later (after other awaits): not an unhandled rejection meanwhile.
        text.catch(() => undefined);
        out.push(text);
      });
    }
    return out;
  }

  /** Runs `task` on the document `key` (loaded by `load` the first time it is needed): `texts` on a text thread, the rest on a render thread. */
  async run<T extends PageTask>(key: string, load: () => Promise<Buffer>, task: T): Promise<PageTaskResult<T>> {
    if (this.local) return this.local.use(key, load, (doc) => runPageTask(doc, task));
    // Before the file is read: the threads start while it loads, and a close() meanwhile finds them.
    const pools = (this.pools ??= this.startThreads(this.filename as string));
    const pdf = await this.bytes(key, load);
    const out: unknown = await (task.op === 'texts' ? pools.text : pools.render).run({ key, pdf, task } satisfies ThreadTask);
    if (isFailure(out)) throw fromFailure(out);
    return revive(task, out) as PageTaskResult<T>;
  }

  async close(): Promise<void> {
    this.files.clear();
    await Promise.allSettled([this.pools?.text.close({ force: true }), this.pools?.render.close({ force: true }), this.local?.clear()]);
  }

  /**
   * All the threads of both pools at once, by start() at the worker's boot or else with the first task; they then
   * stay. A thread holds up to TASKS_PER_THREAD tasks: with more pages in flight than threads (a text batch), its
   * next page is there when it finishes one, instead of the thread sleeping until the calling thread has taken the
   * result and sent the next. An idle thread is chosen first, so two pages in flight on two threads run one each;
   * piscina starts a thread only when the others are full, hence all of them started together rather than on
   * demand (two OCR pages would otherwise share the first thread).
   */
  private startThreads(filename: string): Pools {
    const pdfium = compilePdfium();
    const pool = (text: boolean) =>
      new Piscina({
        filename,
        name: 'renderThreadTask',
        minThreads: this.threads,
        maxThreads: this.threads,
        idleTimeout: Number.POSITIVE_INFINITY,
        concurrentTasksPerWorker: TASKS_PER_THREAD,
        workerData: (text ? { text, pdfium } : { text }) satisfies ThreadData,
      });
    return { text: pool(true), render: pool(false) };
  }

  /** The file on shared memory, read once while it is among the last `capacity` documents used. */
  private bytes(key: string, load: () => Promise<Buffer>): Promise<Uint8Array> {
    let entry = this.files.get(key);
    if (entry) {
      this.files.delete(key); // re-inserted last: the map's order is the recency order
    } else {
      entry = load().then((data) => {
        const shared = new Uint8Array(new SharedArrayBuffer(data.byteLength));
        shared.set(data);
        return shared;
      });
      entry.catch(() => this.files.delete(key));
    }
    this.files.set(key, entry);
    while (this.files.size > this.capacity) this.files.delete(this.files.keys().next().value as string);
    return entry;
  }
}

/** The text threads (`texts` tasks) and the render threads (all other tasks): see PageRenderer. */
interface Pools {
  text: Piscina;
  render: Piscina;
}

/** A Buffer arrives from a thread as a plain Uint8Array: wrapped again (no copy). */
function revive(task: PageTask, out: unknown): unknown {
  if (task.op !== 'image') return out;
  const image = out as { data: Uint8Array };
  return { ...image, data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength) };
}
