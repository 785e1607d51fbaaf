import { DocumentError, type DocumentErrorCode } from './document.exception';
import { normalizeImage, type NormalizedImage } from './image-normalizer';
import type { PageText, PdfDocument } from './pdf-document';

/** The document's page count. */
export interface CountTask {
  op: 'count';
}

/** Sizes in pixels at `dpi` of the selected pages (what the prepare step checks against the pixel limit). */
export interface SizesTask {
  op: 'sizes';
  dpi: number;
  pages: number[];
}

/** The page's text layer as Markdown; with `graphics` (what `mode: auto` decides on), its image coverage too. */
export interface TextTask {
  op: 'text';
  page: number;
  graphics?: boolean;
}

/**
 * The text layers of several pages in one task, read one after the other: a `mode: text` page job's pages, split
 * over the text threads (PageRenderer.texts). One hand-off to the thread and back for all of them instead of one
 * per page (docs/documents.md#speed). A page's failure is its own entry, not the task's.
 */
export interface TextsTask {
  op: 'texts';
  pages: number[];
  graphics?: boolean;
}

/** Pages per page job in `mode: text` (docs/documents.md#pipeline-and-operations has the measurement). */
export const TEXT_PAGES_PER_JOB = 10;

/** The page rendered at `dpi` (or the smaller scale that fits `maxSide`) and encoded once. */
export interface ImageTask {
  op: 'image';
  page: number;
  dpi: number;
  maxSide: number;
  maxPixels: number;
  format: 'png' | 'jpeg';
}

export type PageTask = CountTask | SizesTask | TextTask | TextsTask | ImageTask;
export type PageSize = { width: number; height: number };
export type PageTaskResult<T extends PageTask> = T extends CountTask
  ? number
  : T extends SizesTask
    ? PageSize[]
    : T extends TextTask
      ? PageText
      : T extends TextsTask
        ? (PageText | TaskFailure)[]
        : NormalizedImage;

/** What crosses a thread boundary instead of a thrown DocumentError (structured clone keeps no class or code). */
export interface TaskFailure {
  failure: { code: DocumentErrorCode; message: string; permanent: boolean };
}

/** One unit of PDF work on an opened document: the same code in a render thread and in the worker's main thread. */
export async function runPageTask<T extends PageTask>(doc: PdfDocument, task: T): Promise<PageTaskResult<T>> {
  switch (task.op) {
    case 'count':
      return doc.numPages as PageTaskResult<T>;
    case 'sizes': {
      const sizes: PageSize[] = [];
      for (const p of task.pages) sizes.push(await doc.pageSize(p, task.dpi));
      return sizes as PageTaskResult<T>;
    }
    case 'text':
      return (await doc.pageText(task.page, { graphics: task.graphics })) as PageTaskResult<T>;
    case 'texts': {
      const texts: (PageText | TaskFailure)[] = [];
      for (const page of task.pages) texts.push(await doc.pageText(page, { graphics: task.graphics }).catch(failureOf));
      return texts as PageTaskResult<T>;
    }
    case 'image': {
      const limits = { maxSide: task.maxSide, maxPixels: task.maxPixels, format: task.format };
      return (await doc.renderWith(task.page, task.dpi, task.maxSide, (raw) => normalizeImage(raw, limits))) as PageTaskResult<T>;
    }
  }
}

export const toFailure = (err: unknown): TaskFailure | null =>
  err instanceof DocumentError ? { failure: { code: err.code, message: err.message, permanent: err.permanent } } : null;

/** A DocumentError as a failure value; anything else is rethrown (a bug, not the document's). */
const failureOf = (err: unknown): TaskFailure => {
  const failure = toFailure(err);
  if (!failure) throw err;
  return failure;
};

export const isFailure = (v: unknown): v is TaskFailure => typeof v === 'object' && v !== null && 'failure' in v;

export const fromFailure = (f: TaskFailure): DocumentError => new DocumentError(f.failure.code, f.failure.message, f.failure.permanent);
