import { createHash, randomBytes } from 'node:crypto';
import { v7 } from 'uuid';
import type { DataSource } from 'typeorm';
import type { DocumentStorageConfig } from '@switchyard/config';
import { createDataSource } from '../data-source';
import { createDocumentStorage } from './document-storage.provider';
import { FileTooLargeError, PostgresDocumentStorage } from './document-storage';
import { DocumentStorageError, S3_PART_BYTES, S3DocumentStorage, type S3StorageOptions } from './s3-document-storage';
import { createTestEnvironment, insertProjectRow, MockS3Server, type TestEnvironment } from '@switchyard/testing';

const BUCKET = 'documents-test';

async function* chunks(data: Buffer, size = 256 * 1024): AsyncIterable<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe('S3DocumentStorage against a SigV4-verifying S3 endpoint', () => {
  let env: TestEnvironment;
  let ds: DataSource;
  let s3: MockS3Server;
  let options: S3StorageOptions;
  let storage: S3DocumentStorage;
  let projectId: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    ds = await createDataSource(env.config, 's3-storage-test').initialize();
    s3 = await MockS3Server.start({ buckets: [BUCKET], region: 'eu-central-1' });
    options = {
      kind: 's3',
      bucket: BUCKET,
      prefix: 'sy/',
      endpoint: s3.url,
      region: 'eu-central-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    };
    storage = (await createDocumentStorage(ds, options)) as S3DocumentStorage;
    projectId = (await insertProjectRow(ds)).id;
  });

  afterAll(async () => {
    storage?.onApplicationShutdown();
    await s3?.close();
    await ds?.destroy();
    await env?.cleanup();
  });

  const row = async (id: string) => ((await ds.query(`SELECT store, size, complete FROM document_files WHERE id = $1`, [id])) as { store: string; size: string; complete: boolean }[])[0];

  it('stores a small file as one object under <prefix><project>/<job>/<file> and reads it back whole and streamed', async () => {
    const jobId = v7();
    const data = randomBytes(300 * 1024);
    s3.requests.length = 0;
    const stored = await storage.write(projectId, chunks(data), { jobId, kind: 'upload', contentType: 'application/pdf', maxBytes: 1024 * 1024 });
    expect(stored).toMatchObject({ size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    expect(stored.head.equals(data.subarray(0, 64 * 1024))).toBe(true);
    expect(s3.requests.map((r) => r.operation)).toEqual(['PutObject']);
    const key = `sy/${projectId}/${jobId}/${stored.id}`;
    expect(s3.keys(BUCKET, `sy/${projectId}/${jobId}/`)).toEqual([key]);
    expect(s3.object(BUCKET, key)?.contentType).toBe('application/pdf');
    expect(await row(stored.id)).toEqual({ store: 's3', size: String(data.length), complete: true });

    expect((await storage.readAll(projectId, stored.id)).equals(data)).toBe(true);
    const streamed: Buffer[] = [];
    for await (const c of storage.read(projectId, stored.id)) streamed.push(c);
    expect(Buffer.concat(streamed).equals(data)).toBe(true);
    await expect(storage.readAll(v7(), stored.id)).rejects.toThrow(/not found/);
  });

  it('streams a file larger than a part as a multipart upload of 5 MiB parts', async () => {
    const jobId = v7();
    const data = randomBytes(2 * S3_PART_BYTES + 123_457);
    s3.requests.length = 0;
    const stored = await storage.write(projectId, chunks(data), { jobId, kind: 'upload', contentType: 'application/pdf', maxBytes: 50 * 1024 * 1024 });
    expect(s3.requests.map((r) => r.operation)).toEqual(['CreateMultipartUpload', 'UploadPart', 'UploadPart', 'UploadPart', 'CompleteMultipartUpload']);
    expect((await storage.readAll(projectId, stored.id)).equals(data)).toBe(true);
    expect(s3.openUploads(BUCKET)).toEqual([]);
  });

  it('past maxBytes throws FileTooLargeError, aborts the multipart upload and leaves no object or row', async () => {
    const jobId = v7();
    const before = (await ds.query(`SELECT count(*)::int AS n FROM document_files`)) as { n: number }[];
    await expect(
      storage.write(projectId, chunks(randomBytes(12 * 1024 * 1024)), { jobId, kind: 'upload', contentType: 'application/pdf', maxBytes: 11 * 1024 * 1024 }),
    ).rejects.toBeInstanceOf(FileTooLargeError);
    expect(s3.keys(BUCKET, `sy/${projectId}/${jobId}/`)).toEqual([]);
    expect(s3.openUploads(BUCKET)).toEqual([]);
    expect(s3.requests.some((r) => r.operation === 'AbortMultipartUpload')).toBe(true);
    expect(await ds.query(`SELECT count(*)::int AS n FROM document_files`)).toEqual(before);
  });

  it('a head check that refuses the file stops the write before anything is stored, with its own error', async () => {
    const jobId = v7();
    s3.requests.length = 0;
    const refusal = new Error('not a PDF');
    await expect(
      storage.write(projectId, chunks(Buffer.from('MZ not a document')), {
        jobId,
        kind: 'upload',
        contentType: 'application/octet-stream',
        maxBytes: 1024,
        inspectHead: () => {
          throw refusal;
        },
      }),
    ).rejects.toBe(refusal);
    expect(s3.requests).toEqual([]);
    expect(s3.keys(BUCKET, `sy/${projectId}/${jobId}/`)).toEqual([]);
  });

  it("finds a job's kept page, and deletes exactly the given jobs' objects and rows", async () => {
    const [jobA, jobB] = [v7(), v7()];
    const write = (jobId: string, kind: 'upload' | 'page', page?: number) =>
      storage.write(projectId, chunks(randomBytes(1000)), { jobId, kind, page, contentType: kind === 'page' ? 'image/png' : 'application/pdf', maxBytes: 1e6 });
    await write(jobA, 'upload');
    const pageA = await write(jobA, 'page', 2);
    await write(jobB, 'upload');
    expect(await storage.findPage(projectId, jobA, 2)).toEqual({ id: pageA.id, contentType: 'image/png' });
    expect(await storage.findPage(projectId, jobA, 1)).toBeNull();

    await storage.deleteForJobs(projectId, [jobA]);
    expect(s3.keys(BUCKET, `sy/${projectId}/${jobA}/`)).toEqual([]);
    expect(s3.keys(BUCKET, `sy/${projectId}/${jobB}/`)).toHaveLength(1);
    expect(await ds.query(`SELECT id FROM document_files WHERE job_id = $1`, [jobA])).toEqual([]);
  });

  it('deletes orphaned files (no job row) older than the given age, object and row', async () => {
    const [old, fresh] = [v7(), v7()];
    const a = await storage.write(projectId, chunks(randomBytes(10)), { jobId: old, kind: 'upload', contentType: 'application/pdf', maxBytes: 100 });
    await storage.write(projectId, chunks(randomBytes(10)), { jobId: fresh, kind: 'upload', contentType: 'application/pdf', maxBytes: 100 });
    await ds.query(`UPDATE document_files SET created_at = now() - interval '2 days' WHERE id = $1`, [a.id]);
    expect(await storage.deleteOrphans(24 * 60 * 60 * 1000)).toBeGreaterThanOrEqual(1);
    expect(s3.keys(BUCKET, `sy/${projectId}/${old}/`)).toEqual([]);
    expect(s3.keys(BUCKET, `sy/${projectId}/${fresh}/`)).toHaveLength(1);
  });

  it('still reads, and deletes, files written while the service stored them in PostgreSQL', async () => {
    const jobId = v7();
    const data = randomBytes(1.5 * 1024 * 1024);
    const old = await new PostgresDocumentStorage(ds).write(projectId, chunks(data), { jobId, kind: 'upload', contentType: 'application/pdf', maxBytes: 1e8 });
    expect((await row(old.id))?.store).toBe('postgres');
    expect((await storage.readAll(projectId, old.id)).equals(data)).toBe(true);
    await storage.deleteForJobs(projectId, [jobId]);
    expect(await ds.query(`SELECT 1 FROM document_file_chunks WHERE file_id = $1`, [old.id])).toEqual([]);
  });

  it('wrong credentials: start-up fails naming the settings, and a write fails with S3\'s code and leaves nothing', async () => {
    const wrong: DocumentStorageConfig = { ...options, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: 'not-the-secret' } };
    const boot = createDocumentStorage(ds, wrong);
    await expect(boot).rejects.toBeInstanceOf(DocumentStorageError);
    await expect(boot).rejects.toThrow(/S3 bucket 'documents-test' at http:\/\/127\.0\.0\.1:\d+: access denied \(HTTP 403\).*DOCUMENTS_S3_SECRET_ACCESS_KEY/);
    await expect(boot).rejects.not.toThrow(/not-the-secret/);

    const unchecked = new S3DocumentStorage(ds, wrong);
    const jobId = v7();
    try {
      const write = unchecked.write(projectId, chunks(randomBytes(100)), { jobId, kind: 'upload', contentType: 'application/pdf', maxBytes: 1000 });
      await expect(write).rejects.toBeInstanceOf(DocumentStorageError);
      await expect(write).rejects.toThrow(/S3 PutObject s3:\/\/documents-test\/sy\/.+: SignatureDoesNotMatch \(HTTP 403\)/);
    } finally {
      unchecked.onApplicationShutdown();
    }
    expect(await ds.query(`SELECT 1 FROM document_files WHERE job_id = $1`, [jobId])).toEqual([]);
  });

  it('a missing bucket, a wrong region and an unreachable endpoint each stop start-up with the setting to fix', async () => {
    await expect(createDocumentStorage(ds, { ...options, bucket: 'no-such-bucket' })).rejects.toThrow(/'no-such-bucket' .*does not exist \(DOCUMENTS_S3_BUCKET\)/);
    await expect(createDocumentStorage(ds, { ...options, region: 'us-west-2' })).rejects.toThrow(/wrong region or endpoint \(HTTP 400\).*DOCUMENTS_S3_REGION/);
    await expect(createDocumentStorage(ds, { ...options, endpoint: 'http://127.0.0.1:9' })).rejects.toThrow(/127\.0\.0\.1:9.*DOCUMENTS_S3_ENDPOINT/);
  });
});
