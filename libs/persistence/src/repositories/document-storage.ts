import type { DataSource } from 'typeorm';
import { v7 } from 'uuid';
import { FileMeter } from './file-meter';
import { rowsOf } from './rows';

export { FileTooLargeError } from './file-meter';

export interface StoredFile {
  id: string;
  size: number;
  sha256: string;
  /** The first bytes of the file (up to 64 KiB), for type sniffing and header checks. */
  head: Buffer;
}

export interface WriteOptions {
  jobId: string;
  kind: 'upload' | 'page';
  /** For rendered pages: the 1-based page number. */
  page?: number;
  contentType: string;
  /** The write stops and throws FileTooLargeError past this many bytes. */
  maxBytes: number;
  /** Called once with the first chunk before anything is stored: throw to refuse the file early. */
  inspectHead?: (head: Buffer) => void;
}

/**
 * Where uploaded documents and rendered pages live. Writes take a stream and store it in chunks,
 * so no file is ever held whole by the writer: PostgresDocumentStorage (below) and S3DocumentStorage.
 */
export interface DocumentStorage {
  write(projectId: string, source: AsyncIterable<Uint8Array>, opts: WriteOptions): Promise<StoredFile>;
  read(projectId: string, fileId: string): AsyncIterable<Buffer>;
  readAll(projectId: string, fileId: string): Promise<Buffer>;
  /** The stored rendering of a page of a job, if one was kept. */
  findPage(projectId: string, jobId: string, page: number): Promise<{ id: string; contentType: string } | null>;
  deleteForJobs(projectId: string, jobIds: string[]): Promise<void>;
  /** Files never attached to a job (aborted uploads) older than `olderThanMs`. */
  deleteOrphans(olderThanMs: number): Promise<number>;
}

export const DOCUMENT_STORAGE = Symbol('DOCUMENT_STORAGE');

const CHUNK = 1024 * 1024;

/** The default storage: `document_files` rows with 1 MiB `bytea` chunks. */
export class PostgresDocumentStorage implements DocumentStorage {
  constructor(private readonly ds: DataSource) {}

  async write(projectId: string, source: AsyncIterable<Uint8Array>, opts: WriteOptions): Promise<StoredFile> {
    const id = v7();
    const meter = new FileMeter(opts);
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let created = false;
    const create = () =>
      this.ds.query(`INSERT INTO document_files (id, project_id, job_id, kind, page, content_type) VALUES ($1, $2, $3, $4, $5, $6)`, [
        id,
        projectId,
        opts.jobId,
        opts.kind,
        opts.page ?? null,
        opts.contentType,
      ]);
    const flush = async (all: boolean) => {
      while (pendingBytes >= CHUNK || (all && pendingBytes > 0)) {
        const buf = Buffer.concat(pending);
        const chunk = buf.subarray(0, CHUNK);
        const rest = buf.subarray(chunk.length);
        if (!created) await create();
        created = true;
        await this.ds.query(`INSERT INTO document_file_chunks (file_id, seq, data) VALUES ($1, $2, $3)`, [id, seq++, chunk]);
        pending = rest.length ? [Buffer.from(rest)] : [];
        pendingBytes = rest.length;
      }
    };
    try {
      for await (const buf of meter.through(source)) {
        pending.push(buf);
        pendingBytes += buf.length;
        if (pendingBytes >= CHUNK) await flush(false);
      }
      await flush(true);
      if (!created) await create();
      created = true;
      const stored = meter.stored(id);
      await this.ds.query(`UPDATE document_files SET size = $2, sha256 = $3, complete = true WHERE id = $1`, [id, stored.size, stored.sha256]);
      return stored;
    } catch (err) {
      if (created) await this.ds.query(`DELETE FROM document_files WHERE id = $1`, [id]).catch(() => undefined);
      throw err;
    }
  }

  async *read(projectId: string, fileId: string): AsyncIterable<Buffer> {
    const files = await this.ds.query(`SELECT id FROM document_files WHERE id = $1 AND project_id = $2 AND complete`, [fileId, projectId]);
    if (!(files as unknown[]).length) throw new Error(`file ${fileId} not found`);
    for (let seq = 0; ; seq++) {
      const rows = (await this.ds.query(`SELECT data FROM document_file_chunks WHERE file_id = $1 AND seq = $2`, [fileId, seq])) as { data: Buffer }[];
      const row = rows[0];
      if (!row) return;
      yield row.data;
    }
  }

  async readAll(projectId: string, fileId: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of this.read(projectId, fileId)) parts.push(chunk);
    return Buffer.concat(parts);
  }

  async findPage(projectId: string, jobId: string, page: number): Promise<{ id: string; contentType: string } | null> {
    const rows = (await this.ds.query(
      `SELECT id, content_type AS "contentType" FROM document_files
       WHERE project_id = $1 AND job_id = $2 AND kind = 'page' AND page = $3 AND complete ORDER BY id DESC LIMIT 1`,
      [projectId, jobId, page],
    )) as { id: string; contentType: string }[];
    return rows[0] ?? null;
  }

  async deleteForJobs(projectId: string, jobIds: string[]): Promise<void> {
    if (!jobIds.length) return;
    await this.ds.query(`DELETE FROM document_files WHERE project_id = $1 AND job_id = ANY($2::uuid[])`, [projectId, jobIds]);
  }

  async deleteOrphans(olderThanMs: number): Promise<number> {
    const rows = rowsOf(
      await this.ds.query(
        `DELETE FROM document_files f WHERE f.created_at < now() - ($1 || ' milliseconds')::interval
           AND NOT EXISTS (SELECT 1 FROM document_jobs j WHERE j.id = f.job_id) RETURNING f.id`,
        [String(olderThanMs)],
      ),
    );
    return rows.length;
  }
}
