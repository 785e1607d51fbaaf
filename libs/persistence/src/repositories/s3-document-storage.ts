import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DataSource } from 'typeorm';
import { v7 } from 'uuid';
import type { DocumentStorageConfig } from '@switchyard/config';
import { PostgresDocumentStorage, type DocumentStorage, type StoredFile, type WriteOptions } from './document-storage';
import { FileMeter, FileTooLargeError } from './file-meter';
import { rowsOf } from './rows';

export type S3StorageOptions = Extract<DocumentStorageConfig, { kind: 's3' }>;

/** Multipart part size (S3's minimum): a file up to this size is one PutObject. */
export const S3_PART_BYTES = 5 * 1024 * 1024;
/** Parts of one upload in flight at once: an upload holds at most (this + 1) parts in memory. */
export const S3_PARTS_IN_FLIGHT = 2;
const DELETE_BATCH = 1000;

/** The object store failed or refused (credentials, bucket, network): the message says which and where. */
export class DocumentStorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentStorageError';
  }
}

interface FileRow {
  id: string;
  projectId: string;
  jobId: string;
  store: 'postgres' | 's3';
  size: string;
}

/**
 * Files in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, ...) under
 * `<prefix><project id>/<job id>/<file id>`; their `document_files` rows (store `s3`) stay in PostgreSQL as
 * the index that finds a job's pages and files for retention. Uploads stream through lib-storage's
 * multipart Upload (at most S3_PARTS_IN_FLIGHT + 1 parts of S3_PART_BYTES in memory); files written while
 * the service stored in PostgreSQL are still read from there.
 */
export class S3DocumentStorage implements DocumentStorage {
  readonly client: S3Client;
  private readonly postgres: PostgresDocumentStorage;
  private readonly sdk: typeof import('@aws-sdk/client-s3');
  private readonly lib: typeof import('@aws-sdk/lib-storage');

  constructor(
    private readonly ds: DataSource,
    private readonly opts: S3StorageOptions,
  ) {
    // Loaded here, not with the module: every process imports this lib, and the SDK costs about 1 s and 20 MB.
    /* eslint-disable @typescript-eslint/no-require-imports */
    this.sdk = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
    this.lib = require('@aws-sdk/lib-storage') as typeof import('@aws-sdk/lib-storage');
    /* eslint-enable @typescript-eslint/no-require-imports */
    this.client = new this.sdk.S3Client({
      ...(opts.region ? { region: opts.region } : {}),
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      forcePathStyle: opts.forcePathStyle,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
    });
    this.postgres = new PostgresDocumentStorage(ds);
  }

  private key(projectId: string, jobId: string, fileId: string): string {
    return `${this.opts.prefix}${projectId}/${jobId}/${fileId}`;
  }

  /** Checks at start-up that the bucket answers to these credentials (HeadBucket), with a message naming the setting at fault. */
  async verify(): Promise<void> {
    try {
      await this.client.send(new this.sdk.HeadBucketCommand({ Bucket: this.opts.bucket }));
    } catch (err) {
      throw new DocumentStorageError(this.explainBucketError(err));
    }
  }

  async write(projectId: string, source: AsyncIterable<Uint8Array>, opts: WriteOptions): Promise<StoredFile> {
    const id = v7();
    const key = this.key(projectId, opts.jobId, id);
    const meter = new FileMeter(opts);
    await this.ds.query(
      `INSERT INTO document_files (id, project_id, job_id, kind, page, content_type, store) VALUES ($1, $2, $3, $4, $5, $6, 's3')`,
      [id, projectId, opts.jobId, opts.kind, opts.page ?? null, opts.contentType],
    );
    let uploaded = false;
    try {
      const upload = new this.lib.Upload({
        client: this.client,
        params: { Bucket: this.opts.bucket, Key: key, Body: Readable.from(meter.through(source), { objectMode: false }), ContentType: opts.contentType },
        partSize: S3_PART_BYTES,
        queueSize: S3_PARTS_IN_FLIGHT,
        leavePartsOnError: false,
      });
      await upload.done().catch((err: unknown) => {
        throw this.storageError('PutObject', key, err);
      });
      uploaded = true;
      const stored = meter.stored(id);
      await this.ds.query(`UPDATE document_files SET size = $2, sha256 = $3, complete = true WHERE id = $1`, [id, stored.size, stored.sha256]);
      return stored;
    } catch (err) {
      if (uploaded) await this.deleteKeys([key]).catch(() => undefined);
      await this.ds.query(`DELETE FROM document_files WHERE id = $1`, [id]).catch(() => undefined);
      throw err;
    }
  }

  async *read(projectId: string, fileId: string): AsyncIterable<Buffer> {
    const row = await this.file(projectId, fileId);
    if (row.store === 'postgres') {
      yield* this.postgres.read(projectId, fileId);
      return;
    }
    for await (const chunk of await this.body(row)) yield chunk as Buffer;
  }

  /** The whole file in one buffer of its stored size (no concatenation of the chunks received). */
  async readAll(projectId: string, fileId: string): Promise<Buffer> {
    const row = await this.file(projectId, fileId);
    if (row.store === 'postgres') return this.postgres.readAll(projectId, fileId);
    const size = Number(row.size);
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for await (const chunk of await this.body(row)) {
      const c = chunk as Buffer;
      if (at + c.length > size) throw new DocumentStorageError(`S3 object of file ${fileId} is larger than the ${size} bytes recorded.`);
      c.copy(out, at);
      at += c.length;
    }
    if (at !== size) throw new DocumentStorageError(`S3 object of file ${fileId} has ${at} bytes, ${size} recorded.`);
    return out;
  }

  findPage(projectId: string, jobId: string, page: number): Promise<{ id: string; contentType: string } | null> {
    return this.postgres.findPage(projectId, jobId, page);
  }

  /** Deletes the jobs' objects, then their rows (a failed object deletion keeps the rows for the next sweep). */
  async deleteForJobs(projectId: string, jobIds: string[]): Promise<void> {
    if (!jobIds.length) return;
    const rows = rowsOf(
      await this.ds.query(
        `SELECT id, project_id AS "projectId", job_id AS "jobId" FROM document_files WHERE project_id = $1 AND job_id = ANY($2::uuid[]) AND store = 's3'`,
        [projectId, jobIds],
      ),
    ) as FileRow[];
    await this.deleteKeys(rows.map((r) => this.key(r.projectId, r.jobId, r.id)));
    await this.postgres.deleteForJobs(projectId, jobIds);
  }

  async deleteOrphans(olderThanMs: number): Promise<number> {
    const rows = rowsOf(
      await this.ds.query(
        `SELECT f.id, f.project_id AS "projectId", f.job_id AS "jobId", f.store FROM document_files f
         WHERE f.created_at < now() - ($1 || ' milliseconds')::interval
           AND NOT EXISTS (SELECT 1 FROM document_jobs j WHERE j.id = f.job_id)`,
        [String(olderThanMs)],
      ),
    ) as FileRow[];
    if (!rows.length) return 0;
    await this.deleteKeys(rows.filter((r) => r.store === 's3').map((r) => this.key(r.projectId, r.jobId, r.id)));
    await this.ds.query(`DELETE FROM document_files WHERE id = ANY($1::uuid[])`, [rows.map((r) => r.id)]);
    return rows.length;
  }

  /** Nest's shutdown hook: closes the client's sockets. */
  onApplicationShutdown(): void {
    this.client.destroy();
  }

  private async file(projectId: string, fileId: string): Promise<FileRow> {
    const rows = rowsOf(
      await this.ds.query(
        `SELECT id, project_id AS "projectId", job_id AS "jobId", store, size FROM document_files WHERE id = $1 AND project_id = $2 AND complete`,
        [fileId, projectId],
      ),
    ) as FileRow[];
    const row = rows[0];
    if (!row) throw new Error(`file ${fileId} not found`);
    return row;
  }

  private async body(row: FileRow): Promise<Readable> {
    const key = this.key(row.projectId, row.jobId, row.id);
    try {
      const res = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.opts.bucket, Key: key }));
      return res.Body as Readable;
    } catch (err) {
      throw this.storageError('GetObject', key, err);
    }
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const where = `${batch.length} objects under s3://${this.opts.bucket}/${this.opts.prefix}`;
      let res;
      try {
        res = await this.client.send(new this.sdk.DeleteObjectsCommand({ Bucket: this.opts.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      } catch (err) {
        throw this.storageError('DeleteObjects', where, err);
      }
      const failed = res.Errors ?? [];
      if (failed.length) throw new DocumentStorageError(`S3 DeleteObjects (${where}): ${failed.length} not deleted, first ${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message ?? ''}`.trim());
    }
  }

  /** An S3 failure as a DocumentStorageError naming the operation, the object and S3's code; other errors (the source's own) unchanged. */
  private storageError(operation: string, key: string, err: unknown): unknown {
    if (err instanceof FileTooLargeError || err instanceof DocumentStorageError) return err;
    if (err instanceof this.sdk.S3ServiceException) {
      return new DocumentStorageError(`S3 ${operation} s3://${this.opts.bucket}/${key}: ${err.name} (HTTP ${err.$metadata.httpStatusCode ?? '?'}): ${err.message}`);
    }
    const code = (err as { code?: string }).code;
    if (code && /^(E[A-Z]+|TimeoutError|RequestTimeout)/.test(code)) return new DocumentStorageError(`S3 ${operation} at ${this.where()}: ${code} ${(err as Error).message}`);
    return err;
  }

  private where(): string {
    return this.opts.endpoint ?? `AWS S3 (${this.opts.region ?? 'region from the AWS configuration'})`;
  }

  private explainBucketError(err: unknown): string {
    const bucket = `S3 bucket '${this.opts.bucket}' at ${this.where()}`;
    const status = err instanceof this.sdk.S3ServiceException ? err.$metadata.httpStatusCode : undefined;
    const message = (err as Error).message ?? String(err);
    if (status === 403) {
      return `${bucket}: access denied (HTTP 403): the credentials were refused or may not use this bucket. Check DOCUMENTS_S3_ACCESS_KEY_ID and DOCUMENTS_S3_SECRET_ACCESS_KEY (or, when unset, the AWS credential chain: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity, instance role).`;
    }
    if (status === 404) return `${bucket} does not exist (DOCUMENTS_S3_BUCKET); create it first.`;
    if (status === 301 || status === 400) {
      const region = err instanceof this.sdk.S3ServiceException ? (err.$response?.headers?.['x-amz-bucket-region'] ?? null) : null;
      return `${bucket}: wrong region or endpoint (HTTP ${status}${region ? `; the bucket is in ${region}` : ''}). Check DOCUMENTS_S3_REGION, DOCUMENTS_S3_ENDPOINT and DOCUMENTS_S3_FORCE_PATH_STYLE.`;
    }
    if (/region is missing/i.test(message)) return `${bucket}: no region: set DOCUMENTS_S3_REGION (or AWS_REGION).`;
    if (/could not load credentials/i.test(message)) {
      return `${bucket}: no credentials: set DOCUMENTS_S3_ACCESS_KEY_ID and DOCUMENTS_S3_SECRET_ACCESS_KEY, or AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE, a role).`;
    }
    return `${bucket}: ${status ? `HTTP ${status} ` : ''}${(err as Error).name ?? 'Error'}: ${message} (check DOCUMENTS_S3_ENDPOINT).`;
  }
}
