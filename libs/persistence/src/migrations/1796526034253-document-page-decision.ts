import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Why a page was read from its text layer or by OCR (`mode: auto` decides per page). */
export class DocumentPageDecision1796526034253 implements MigrationInterface {
  name = 'DocumentPageDecision1796526034253';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE document_pages ADD COLUMN decision jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE document_pages DROP COLUMN decision`);
  }
}
