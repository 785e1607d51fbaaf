import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Responses of `POST /v1/responses` stored with `store: true` (OpenAI's default), per project: the Response
 * as answered, this turn's input items and the items of the turns before it (`context`), so that a later
 * `previous_response_id` rebuilds the whole conversation from one row. Deleted with their project.
 */
export class StoredResponses1796515907482 implements MigrationInterface {
  name = 'StoredResponses1796515907482';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stored_responses (
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        previous_response_id text,
        context jsonb NOT NULL,
        input jsonb NOT NULL,
        response jsonb NOT NULL,
        PRIMARY KEY (project_id, id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS stored_responses`);
  }
}
