import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@switchyard/persistence';
import {
  freePort,
  httpJson,
  MockOpenAIServer,
  MockS3Server,
  startServiceProcess,
  startWorkerProcess,
  textPdf,
  type ParsedJson,
  type RecordedRequest,
  type SeededTenant,
  type TestEnvironment,
} from '@switchyard/testing';
import { startDocumentsFixture, type DocumentsFixture } from './documents-fixture';
import { postFile, waitForJob } from './helpers';

jest.setTimeout(120_000);

const BUCKET = 'switchyard-documents';
const pageOf = (r: RecordedRequest) => Number(/Transcribe page (\d+)/.exec(r.text)?.[1] ?? NaN);

describe('documents with DOCUMENTS_STORAGE=s3 (a SigV4-verifying S3 endpoint): API, worker, retention', () => {
  let s3: MockS3Server;
  let model: MockOpenAIServer;
  let fx: DocumentsFixture;
  let env: TestEnvironment, url: string, tenant: SeededTenant;
  let ds: DataSource;

  beforeAll(async () => {
    [s3, model] = await Promise.all([MockS3Server.start({ buckets: [BUCKET], region: 'eu-west-1' }), MockOpenAIServer.start()]);
    fx = await startDocumentsFixture({
      env: {
        DOCUMENTS_STORAGE: 's3',
        DOCUMENTS_S3_BUCKET: BUCKET,
        DOCUMENTS_S3_PREFIX: 'e2e',
        DOCUMENTS_S3_ENDPOINT: s3.url,
        DOCUMENTS_S3_REGION: 'eu-west-1',
        DOCUMENTS_S3_FORCE_PATH_STYLE: 'true',
        DOCUMENTS_S3_ACCESS_KEY_ID: s3.accessKeyId,
        DOCUMENTS_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        DOCUMENTS_MAX_FILE_BYTES: String(6 * 1024 * 1024),
        DOCUMENTS_PAGE_BACKOFF_MS: '100',
        DOCUMENTS_RETENTION_SWEEP_MS: '500',
      },
      connection: { provider: 'openai', slug: 'openai', credentials: { api_key: 'sk-s3-test' }, base_url: model.url },
      // One at a time: three Node processes starting at once on a loaded 2-core machine can miss the start deadline.
      oneAtATime: true,
      workerTimeoutMs: 90_000,
    });
    ({ env, url, tenant } = fx);
    ds = await createDataSource(env.config, 's3-e2e').initialize();
  });

  afterAll(async () => {
    await Promise.all([model?.close(), s3?.close(), ds?.destroy()]);
    await fx?.close();
  });

  it('runs a job on S3: upload and kept page rendering are objects, the retry reads the page back, retention deletes them', async () => {
    // Page 2's model calls fail (500) until its failed attempt has kept the rendering in S3 (a second object
    // beside the upload); the page's retry reads the rendering from there.
    const objectsBefore = s3.keys(BUCKET).length;
    model.respond = (r) => {
      if (pageOf(r) === 2 && s3.keys(BUCKET).length < objectsBefore + 2) return { status: 500, errorMessage: 'failing until kept' };
      return { content: `# Page ${pageOf(r)}`, usage: { prompt_tokens: 10, completion_tokens: 5 } };
    };
    const pdf = await textPdf([['Storage page one'], ['Storage page two']]);
    const res = await postFile(`${url}/v1/documents/parse`, tenant.projectKey, pdf, 'doc.pdf', {
      options: JSON.stringify({ mode: 'ocr', model: 'openai/gpt-4o-mini', dpi: 72 }),
    });
    expect(res.status).toBe(202);
    const job = await waitForJob(url, tenant.projectKey, res.body.id);
    expect(job.status).toBe('succeeded');
    expect(job.result.pages.map((p: ParsedJson) => [p.page, p.markdown])).toEqual([
      [1, '# Page 1'],
      [2, '# Page 2'],
    ]);

    const projectId = ((await ds.query(`SELECT project_id AS id FROM document_jobs WHERE id = $1`, [job.id])) as { id: string }[])[0]!.id;
    const files = (await ds.query(`SELECT id, kind, page, store FROM document_files WHERE job_id = $1 ORDER BY kind DESC`, [job.id])) as ParsedJson[];
    expect(files.map((f) => [f.kind, f.page, f.store])).toEqual([
      ['upload', null, 's3'],
      ['page', 2, 's3'],
    ]);
    const [upload, page] = files.map((f) => `e2e/${projectId}/${job.id}/${f.id}`);
    expect(s3.keys(BUCKET, `e2e/${projectId}/${job.id}/`)).toEqual([upload, page].sort());
    expect(s3.object(BUCKET, upload!)!.body.equals(pdf)).toBe(true);
    expect(await ds.query(`SELECT 1 FROM document_file_chunks c JOIN document_files f ON f.id = c.file_id WHERE f.job_id = $1`, [job.id])).toEqual([]);

    // Every call for page 2 carried the same image: the rendering, then the copy the retry downloaded from S3.
    const page2 = model.requests.filter((r) => pageOf(r) === 2);
    expect(page2.length).toBeGreaterThanOrEqual(2);
    const stored = s3.object(BUCKET, page!)!;
    for (const r of page2) expect(r.images[0]!.data.equals(stored.body)).toBe(true);
    expect(s3.requests.filter((r) => r.operation === 'GetObject' && r.key === page)).toHaveLength(1);

    // Past the project's retention the sweep deletes the job, its rows and its objects.
    await ds.query(`UPDATE document_jobs SET finished_at = now() - interval '400 days' WHERE id = $1`, [job.id]);
    const deadline = Date.now() + 20_000;
    const rows = async () => ((await ds.query(`SELECT 1 FROM document_files WHERE job_id = $1`, [job.id])) as unknown[]).length;
    // The sweep deletes the objects, then the rows.
    while ((s3.keys(BUCKET, `e2e/${projectId}/${job.id}/`).length || (await rows())) && Date.now() < deadline) await sleep(200);
    expect(s3.keys(BUCKET, `e2e/${projectId}/${job.id}/`)).toEqual([]);
    expect(await rows()).toBe(0);
    expect((await httpJson(`${url}/v1/documents/jobs/${job.id}`, { token: tenant.projectKey })).status).toBe(404);
  });

  it('an upload refused past DOCUMENTS_MAX_FILE_BYTES mid-multipart leaves no object and no open upload', async () => {
    const big = Buffer.concat([await textPdf([['Big']]), Buffer.alloc(7 * 1024 * 1024, 0x20)]);
    const before = s3.keys(BUCKET).length;
    const res = await postFile(`${url}/v1/documents/parse`, tenant.projectKey, big, 'big.pdf');
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('file_too_large');
    expect(s3.keys(BUCKET)).toHaveLength(before);
    expect(s3.openUploads(BUCKET)).toEqual([]);
  });

  it('wrong credentials: a process fails to start naming the setting; credentials refused later are a 503 without detail', async () => {
    const wrong = { ...env.env, DOCUMENTS_S3_SECRET_ACCESS_KEY: 'wrong-secret-value' };
    await expect(startWorkerProcess(wrong, 90_000)).rejects.toThrow(/access denied \(HTTP 403\)[^]*DOCUMENTS_S3_SECRET_ACCESS_KEY/);
    // In a process of its own, as the worker: a start that fails leaves what it had opened (PostgreSQL and Redis
    // clients) to the process's exit, which in this test's process would be never.
    await expect(startServiceProcess('documents', wrong, await freePort())).rejects.toThrow(
      /S3 bucket 'switchyard-documents' at http:\/\/127\.0\.0\.1:\d+: access denied/,
    );

    const secret = s3.secretAccessKey;
    s3.secretAccessKey = 'rotated-at-the-store';
    try {
      const res = await postFile(`${url}/v1/documents/parse`, tenant.projectKey, await textPdf([['Rotated']]), 'r.pdf');
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'storage_unavailable', message: 'Document storage is unavailable; try again later.' });
      expect(res.text).not.toMatch(/SignatureDoesNotMatch|switchyard-documents|rotated|wrong-secret/);
    } finally {
      s3.secretAccessKey = secret;
    }
  });
});
