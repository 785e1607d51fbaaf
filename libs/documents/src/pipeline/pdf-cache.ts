import { PdfDocument } from './pdf-document';

interface Entry {
  doc: Promise<PdfDocument>;
  users: number;
  lastUsed: number;
}

/**
 * Keeps the last few opened PDFs of this worker, so the page jobs of one document do not each
 * re-read and re-parse the file. Documents in use are never evicted.
 */
export class PdfCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly capacity = 3,
    /** How a document is opened: PdfDocument.open, or on a text thread PdfDocument.openText. */
    private readonly open: (data: Buffer) => Promise<PdfDocument> = (data) => PdfDocument.open(data),
  ) {}

  async use<T>(key: string, load: () => Promise<Buffer>, fn: (doc: PdfDocument) => Promise<T>): Promise<T> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { doc: load().then(this.open), users: 0, lastUsed: Date.now() };
      this.entries.set(key, entry);
      entry.doc.catch(() => this.entries.delete(key));
    }
    entry.users++;
    try {
      return await fn(await entry.doc);
    } finally {
      entry.users--;
      entry.lastUsed = Date.now();
      this.evict();
    }
  }

  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.allSettled(all.map(async (e) => (await e.doc).destroy()));
  }

  private evict(): void {
    if (this.entries.size <= this.capacity) return;
    const idle = [...this.entries.entries()].filter(([, e]) => e.users === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key, e] of idle.slice(0, this.entries.size - this.capacity)) {
      this.entries.delete(key);
      void e.doc.then((d) => d.destroy()).catch(() => undefined);
    }
  }
}
