import { Queue } from 'bullmq';
import { bullOptions, pageJobId, QueueName, type DocumentPagePayload } from '@switchyard/queue';
import {
  bombPng,
  encryptedPdf,
  fakeExe,
  httpJson,
  seedTenant,
  textPdf,
  textPng,
  truncatedPdf,
  type SeededTenant,
  type ServiceProcess,
  type TestEnvironment,
  type WorkerProcess,
  type ParsedJson,
} from '@switchyard/testing';
import { startDocumentsFixture, type DocumentsFixture } from './documents-fixture';
import { normalize, postFile, THREE_PAGES as pages, waitForJob } from './helpers';

jest.setTimeout(120_000);

describe('documents: parse through REST with a real worker (tesseract, no provider)', () => {
  let fx: DocumentsFixture;
  let env: TestEnvironment, router: ServiceProcess, worker: WorkerProcess, url: string, tenant: SeededTenant;

  beforeAll(async () => {
    // A warm-up at boot (off by default): the jobs below then run on threads that read the built-in PDF first.
    fx = await startDocumentsFixture({ env: { DOCUMENTS_MAX_FILE_BYTES: String(2 * 1024 * 1024), DOCUMENTS_RENDER_WARMUP_PAGES: '20' } });
    ({ env, router, worker, url, tenant } = fx);
  });

  afterAll(() => fx?.close());

  it('the worker started its render and text threads and warmed the text threads up at boot, before taking jobs', () => {
    const d = env.config.documents;
    const pages = 20 * Math.max(1, d.renderThreads);
    expect(d.renderWarmupPages).toBe(20);
    expect(worker.output()).toContain(`render threads ${d.renderThreads} and text threads ${d.renderThreads}, warmed up with ${pages} pages in `);
  });

  it('text mode returns the text layer of every page in page order, without a model', async () => {
    const pdf = await textPdf(pages);
    const res = await postFile(`${url}/v1/documents/parse?wait=30`, tenant.projectKey, pdf, 'report.pdf', { options: JSON.stringify({ mode: 'text' }) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 'parse', status: 'succeeded', progress: { pages_done: 3, pages_total: 3 } });
    const md: string = res.body.result.markdown;
    let at = -1;
    for (const [i, lines] of pages.entries()) {
      expect(md).toContain(`<!-- page ${i + 1} -->`);
      for (const line of lines) {
        const pos = md.indexOf(line);
        expect(pos).toBeGreaterThan(at);
        at = pos;
      }
    }
    expect(res.body.result.pages.map((p: ParsedJson) => [p.index, p.method])).toEqual([
      [0, 'text'],
      [1, 'text'],
      [2, 'text'],
    ]);
    expect(res.body.usage).toEqual({ input_tokens: 0, output_tokens: 0, cost: 0 });
  });

  it('text mode takes 10 pages per page job: each selected page recorded once, in order', async () => {
    const pdf = await textPdf(Array.from({ length: 25 }, (_, i) => [`Batched page ${i + 1}`]));
    const res = await postFile(`${url}/v1/documents/parse?wait=60`, tenant.projectKey, pdf, 'long.pdf', { options: JSON.stringify({ mode: 'text', pages: '3-23' }) });
    expect(res.body).toMatchObject({ status: 'succeeded', progress: { pages_done: 21, pages_total: 21 } });
    expect(res.body.result.pages.map((p: ParsedJson) => [p.index, p.page, p.markdown])).toEqual(Array.from({ length: 21 }, (_, i) => [i, i + 3, `Batched page ${i + 3}`]));
    const queue = new Queue<DocumentPagePayload>(QueueName.DocumentPage, bullOptions(env.config));
    try {
      const jobs = await Promise.all([3, 13, 23, 4].map((first) => queue.getJob(pageJobId(res.body.id, first))));
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
      expect(jobs.map((j) => j && [j.data.page, j.data.batch?.map((b) => b.page)])).toEqual([[3, range(3, 12)], [13, range(13, 22)], [23, undefined], undefined]);
      expect(await Promise.all(jobs.slice(0, 3).map((j) => j!.getState()))).toEqual(['completed', 'completed', 'completed']);
    } finally {
      await queue.close();
    }
  });

  it('ocr mode with the tesseract engine reads the rendered pages; pages selection and polling work', async () => {
    const pdf = await textPdf(pages);
    const res = await postFile(`${url}/v1/documents/parse`, tenant.orgKey, pdf, 'report.pdf', {
      options: JSON.stringify({ mode: 'ocr', model: 'local-ocr/tesseract', pages: '1,3' }),
    });
    expect(res.status).toBe(202);
    expect(res.body.status).toMatch(/queued|running/);
    const job = await waitForJob(url, tenant.orgKey, res.body.id);
    expect(job.status).toBe('succeeded');
    expect(job.result.pages.map((p: ParsedJson) => [p.page, p.method])).toEqual([
      [1, 'ocr'],
      [3, 'ocr'],
    ]);
    const text = normalize(job.result.markdown);
    expect(text).toContain('alpha report first page');
    expect(text).toContain('quick brown fox');
    expect(text).toContain('gamma closing third page');
    expect(text).not.toContain('beta section');
    expect(text.indexOf('alpha')).toBeLessThan(text.indexOf('gamma'));
  });

  it('OCRs a PNG of known text, and the Dynamiq route answers {data:{text}} with no provider key', async () => {
    const png = textPng(['Invoice number 4711', 'Total due 99 dollars']);
    const res = await postFile(`${url}/v1/ocr/parse`, tenant.projectKey, png, 'scan.png', { options: JSON.stringify({}) });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['data']);
    const text = normalize(res.body.data.text);
    expect(text).toContain('invoice number 4711');
    expect(text).toContain('total due 99 dollars');
  });

  it('accepts JSON with base64, lists with filters and cursors, and hides jobs from other projects', async () => {
    const pdf = await textPdf([['Base64 upload page']]);
    const res = await httpJson(`${url}/v1/documents/parse?wait=20`, {
      token: tenant.projectKey,
      body: { file: pdf.toString('base64'), filename: 'b.pdf', mode: 'text' },
    });
    expect(res.status).toBe(200);
    expect(res.body.result.markdown).toContain('Base64 upload page');

    const first = await httpJson(`${url}/v1/documents/jobs?limit=2&type=parse`, { token: tenant.projectKey });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await httpJson(`${url}/v1/documents/jobs?limit=2&cursor=${first.body.next_cursor}`, { token: tenant.projectKey });
    const ids = [...first.body.data, ...second.body.data].map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    const succeeded = await httpJson(`${url}/v1/documents/jobs?status=succeeded&limit=100`, { token: tenant.projectKey });
    expect(succeeded.body.data.every((j: ParsedJson) => j.status === 'succeeded')).toBe(true);

    const other = await seedTenant(router.url, env.config.admin.token);
    const hidden = await httpJson(`${url}/v1/documents/jobs/${res.body.id}`, { token: other.projectKey });
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe('job_not_found');
    const list = await httpJson(`${url}/v1/documents/jobs`, { token: other.projectKey });
    expect(list.body.data).toEqual([]);
  });

  it('refuses bad inputs with clear errors and keeps serving', async () => {
    const key = tenant.projectKey;
    const empty = await postFile(`${url}/v1/documents/parse`, key, Buffer.alloc(0), 'empty.pdf');
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'empty_file', param: 'file' });

    const exe = await postFile(`${url}/v1/documents/parse`, key, fakeExe(), 'invoice.pdf');
    expect(exe.status).toBe(415);
    expect(exe.body.error.code).toBe('unsupported_file_type');

    const bomb = await postFile(`${url}/v1/documents/parse`, key, bombPng(), 'bomb.png');
    expect(bomb.status).toBe(413);
    expect(bomb.body.error.code).toBe('image_too_large');

    const big = await postFile(`${url}/v1/documents/parse`, key, Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3 * 1024 * 1024)]), 'big.pdf');
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('file_too_large');

    const enc = await postFile(`${url}/v1/documents/parse?wait=20`, key, await encryptedPdf(), 'locked.pdf');
    expect(enc.body.status).toBe('failed');
    expect(enc.body.error.code).toBe('encrypted_pdf');
    expect(enc.body.error.message).toMatch(/encrypted/i);

    const cut = await postFile(`${url}/v1/documents/parse?wait=20`, key, await truncatedPdf(), 'cut.pdf', { mode: 'text' });
    expect(cut.body.status).toBe('failed');
    expect(cut.body.error.code).toBe('corrupt_file');

    const sync = await postFile(`${url}/v1/ocr/parse`, key, await encryptedPdf(), 'locked.pdf');
    expect(sync.status).toBe(422);
    expect(sync.body.error).toMatchObject({ code: 'bad_request', details: { reason: 'encrypted_pdf' } });

    // The worker is unharmed: a good document still parses.
    const ok = await postFile(`${url}/v1/documents/parse?wait=20`, key, await textPdf([['Still serving']]), 'ok.pdf', { mode: 'text' });
    expect(ok.body.status).toBe('succeeded');
    expect(ok.body.result.markdown).toContain('Still serving');
    expect(worker.child.exitCode).toBeNull();
  });

  it('fails a job whose page renders over DOCUMENTS_MAX_PIXELS with a clear error, and the worker keeps serving', async () => {
    const key = tenant.projectKey;
    const maxPixels = env.config.documents.maxPixels;
    // 3000 pt square: 12500x12500 px at 300 DPI (over the default 100 M pixels), 3000x3000 px at 72 DPI.
    const pdf = await textPdf([['Small first page'], ['A very large poster page']], { width: 3000, height: 3000 });
    expect(12_500 * 12_500).toBeGreaterThan(maxPixels);
    const res = await postFile(`${url}/v1/documents/parse?wait=30`, key, pdf, 'poster.pdf', { options: JSON.stringify({ mode: 'ocr', dpi: 300 }) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', error: { code: 'image_too_large' }, result: null });
    expect(res.body.error.message).toContain('12500x12500');
    expect(res.body.error.message).toContain(`${maxPixels} pixels per page (DOCUMENTS_MAX_PIXELS)`);

    // The worker process is unharmed: the same document at a lower resolution parses.
    expect(worker.child.exitCode).toBeNull();
    const ok = await postFile(`${url}/v1/documents/parse?wait=30`, key, pdf, 'poster.pdf', { options: JSON.stringify({ mode: 'text', dpi: 72 }) });
    expect(ok.body.status).toBe('succeeded');
    expect(ok.body.result.markdown).toContain('A very large poster page');
  });
});
