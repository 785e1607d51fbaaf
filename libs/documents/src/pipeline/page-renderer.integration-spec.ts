import { existsSync } from 'node:fs';
import { textPdf } from '@switchyard/testing';
import { DocumentError } from './document.exception';
import { PageRenderer, renderThreadFile } from './page-renderer';

// The render threads run the built entry (dist/.../render-thread.js): like the e2e suites, this needs `npm run build`.
jest.setTimeout(120_000);

describe('PageRenderer (render threads)', () => {
  let pdf: Buffer;
  const renderers: PageRenderer[] = [];
  const renderer = (threads: number, capacity?: number) => {
    const r = new PageRenderer(threads, { capacity });
    renderers.push(r);
    return r;
  };

  beforeAll(async () => {
    expect(existsSync(renderThreadFile())).toBe(true);
    pdf = await textPdf(Array.from({ length: 6 }, (_, i) => [`Page ${i + 1} heading`, `body of page ${i + 1}`]), { width: 432, height: 288 });
  });
  afterAll(() => Promise.all(renderers.map((r) => r.close())));

  // The threads inflate the PDF's Flate streams with pdfjs's own code (no DecompressionStream there: see
  // render-thread.ts), the calling thread through DecompressionStream: the same bytes either way.
  it('gives the same text and images on 2 threads as on the calling thread, reading the file once', async () => {
    const results = [];
    for (const threads of [0, 2]) {
      const r = renderer(threads);
      let loads = 0;
      const load = async () => (loads++, pdf);
      const count = await r.run('doc', load, { op: 'count' });
      // Every page in flight at once, as page jobs arrive at a worker.
      const pages = Array.from({ length: count }, (_, i) => i + 1);
      const texts = await Promise.all(pages.map((page) => r.run('doc', load, { op: 'text', page })));
      const images = await Promise.all(pages.map((page) => r.run('doc', load, { op: 'image', page, dpi: 72, maxSide: 2000, maxPixels: 1e8, format: 'png' })));
      // A `mode: text` batch runs on the text threads, with the same file.
      expect(await Promise.all(r.texts('doc', load, pages))).toEqual(texts);
      expect(loads).toBe(1);
      expect(images.every((i) => Buffer.isBuffer(i.data) && i.width === 432 && i.height === 288)).toBe(true);
      results.push({ count, texts: texts.map((t) => t.markdown), images: images.map((i) => i.data.toString('base64')) });
    }
    expect(results[0]!.count).toBe(6);
    expect(results[0]!.texts[4]).toContain('Page 5 heading');
    expect(results[1]).toEqual(results[0]);
  });

  it("texts(): a batch's pages in one task per thread give the pages' own results; a failed page fails alone", async () => {
    const load = async () => pdf;
    const single = renderer(0);
    const expected = await Promise.all([1, 2, 3, 4, 5, 6].map((page) => single.run('doc', load, { op: 'text', page })));
    for (const threads of [0, 2]) {
      const r = renderer(threads);
      // Two batches in flight (two page jobs), as in a worker; 3 and 7 pages: shares of 1-2 and 3-4 pages per thread.
      const [a, b] = [r.texts('doc', load, [5, 1, 3]), r.texts('doc', load, [2, 4, 6, 40, 1, 2, 3])];
      expect(await Promise.all(a)).toEqual([expected[4], expected[0], expected[2]]);
      const settled = await Promise.allSettled(b);
      expect(settled.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
      expect((settled[3] as PromiseRejectedResult).reason).toBeInstanceOf(DocumentError);
      expect(settled.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []))).toEqual([2, 4, 6, 1, 2, 3].map((p) => expected[p - 1]));
      expect(r.texts('doc', load, [])).toEqual([]);
    }
  });

  it('start(): the text and render threads start before any document and each text thread reads the built-in PDF; then pages run as before', async () => {
    const r = renderer(2);
    expect(r.threadsStarted).toBe(0);
    expect(await r.start(6)).toBe(12);
    expect(r.threadsStarted).toBe(4);
    expect((await r.run('doc', async () => pdf, { op: 'text', page: 5 })).markdown).toContain('Page 5 heading');
    const idle = renderer(2);
    expect(await idle.start(0)).toBe(0);
    expect(idle.threadsStarted).toBe(4);
    expect(await renderer(0).start(3)).toBe(3);
  });

  it('keeps the last `capacity` files: an older one is read again when its pages come back', async () => {
    const r = renderer(2, 1);
    const loads = new Map<string, number>();
    const load = (key: string) => async () => (loads.set(key, (loads.get(key) ?? 0) + 1), pdf);
    await r.run('a', load('a'), { op: 'count' });
    await r.run('a', load('a'), { op: 'text', page: 1 });
    await r.run('b', load('b'), { op: 'count' });
    await r.run('a', load('a'), { op: 'text', page: 2 });
    expect(Object.fromEntries(loads)).toEqual({ a: 2, b: 1 });
  });

  it("a document's failure comes back as the DocumentError it was in the thread; a failed read is retried", async () => {
    const r = renderer(2);
    const err = await r.run('broken', async () => Buffer.from('%PDF-1.4 not really'), { op: 'count' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocumentError);
    expect(err).toMatchObject({ code: 'corrupt_file', permanent: true });
    const missing = await r.run('doc', async () => pdf, { op: 'text', page: 40 }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DocumentError);
    let attempts = 0;
    const flaky = async () => {
      if (++attempts === 1) throw new Error('storage unavailable');
      return pdf;
    };
    await expect(r.run('flaky', flaky, { op: 'count' })).rejects.toThrow('storage unavailable');
    expect(await r.run('flaky', flaky, { op: 'count' })).toBe(6);
  });
});
