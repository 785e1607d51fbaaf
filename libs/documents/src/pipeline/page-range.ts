import { DocumentError } from './document.exception';

/**
 * Parses a page selection like "1-3,7" against a document of `total` pages into sorted, unique
 * 1-based page numbers. Empty or missing means every page. Open ranges ("5-") run to the end.
 */
export function parsePageRange(spec: string | undefined | null, total: number): number[] {
  if (!spec || !spec.trim()) return Array.from({ length: total }, (_, i) => i + 1);
  const pages = new Set<number>();
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    const m = /^(\d+)(?:\s*-\s*(\d*))?$/.exec(part);
    if (!m) throw new DocumentError('invalid_pages', `Invalid page selection '${part}': use forms like "1-3,7".`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : m[2] === '' ? total : Number(m[2]);
    if (from < 1 || to < from) throw new DocumentError('invalid_pages', `Invalid page range '${part}'.`);
    if (from > total) throw new DocumentError('invalid_pages', `Page ${from} does not exist: the document has ${total} page(s).`);
    for (let p = from; p <= Math.min(to, total); p++) pages.add(p);
  }
  return [...pages].sort((a, b) => a - b);
}

/** Syntax check only (no page count yet): used by the API to refuse a bad selection at once. */
export function validatePageSpec(spec: string): void {
  parsePageRange(spec, Number.MAX_SAFE_INTEGER);
}
