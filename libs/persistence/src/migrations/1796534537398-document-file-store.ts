import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which store holds a document file's bytes: `postgres` (its `document_file_chunks`) or `s3` (an object
 * under DOCUMENTS_S3_PREFIX). Rows written before keep `postgres`, so switching DOCUMENTS_STORAGE leaves
 * earlier files readable.
 */
export class DocumentFileStore1796534537398 implements MigrationInterface {
  name = 'DocumentFileStore1796534537398';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE document_files ADD COLUMN store text NOT NULL DEFAULT 'postgres' CHECK (store IN ('postgres','s3'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE document_files DROP COLUMN store`);
  }
}
