/**
 * Text-recognition quality metrics: character and word error rates (edit distance over the reference length)
 * on Markdown reduced to its words, and table-structure accuracy (cells in the right row and column).
 */

/**
 * Markdown reduced to its running text: heading, bullet and table syntax removed, whitespace collapsed.
 * Numbers of numbered items stay (they are text on the page, and a line that starts with "557." is not
 * necessarily a list item: stripping them would score line-broken output differently from reflowed output).
 */
export function plainText(markdown: string): string {
  return markdown
    .split('\n')
    .filter((l) => !/^\s*\|?\s*:?-{3,}/.test(l))
    .map((l) =>
      l
        .replace(/<!--.*?-->/g, ' ')
        .replace(/^\s*#{1,6}\s+/, '')
        .replace(/^\s*[-*+\u2022]\s+/, '')
        .split('\\|')
        .map((part) => part.replace(/\|/g, ' '))
        .join('|')
        .replace(/\*\*|__/g, ''),
    )
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Levenshtein distance between two sequences (two rows of memory). */
export function editDistance<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Int32Array(b.length + 1);
  let cur = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (ai === b[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length] as number;
}

/** Character error rate of `hypothesis` against `reference` (both Markdown, compared as plain text). */
export function characterErrorRate(reference: string, hypothesis: string): number {
  const ref = plainText(reference);
  return editDistance(ref, plainText(hypothesis)) / Math.max(1, ref.length);
}

/** Word error rate of `hypothesis` against `reference` (both Markdown, compared as plain text). */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const words = (s: string) => plainText(s).split(' ').filter(Boolean);
  const ref = words(reference);
  return editDistance(ref, words(hypothesis)) / Math.max(1, ref.length);
}

/** The Markdown tables of a text, each as rows of cell strings (the delimiter row left out). */
export function markdownTables(markdown: string): string[][][] {
  const tables: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of markdown.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('|')) {
      current = null;
      continue;
    }
    if (/^\|(\s*:?-{3,}:?\s*\|)+$/.test(t)) continue;
    const cells = t
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|'));
    if (!current) {
      current = [];
      tables.push(current);
    }
    current.push(cells);
  }
  return tables;
}

/**
 * Table-structure accuracy: the share of the reference table's non-empty cells found with the same text at
 * the same row and column in the best-matching Markdown table of `hypothesis` (0 when it has none).
 */
export function tableAccuracy(reference: string[][], hypothesis: string): number {
  const norm = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim().toLowerCase();
  const total = reference.flat().filter((c) => norm(c)).length;
  if (!total) return 1;
  let best = 0;
  for (const t of markdownTables(hypothesis)) {
    let hits = 0;
    reference.forEach((row, r) => row.forEach((cell, c) => (hits += norm(cell) && norm(cell) === norm(t[r]?.[c]) ? 1 : 0)));
    best = Math.max(best, hits);
  }
  return best / total;
}
