import type { JsonObject, JsonValue } from '@switchyard/types';
import type { DataSource } from 'typeorm';
import { rowsOf } from './rows';

/** A stored response as written and read (see StoredResponseEntity). */
export interface StoredResponseRecord {
  id: string;
  previousResponseId: string | null;
  context: JsonValue[];
  input: JsonValue[];
  response: JsonObject;
}

interface Row {
  id: string;
  previous_response_id: string | null;
  context: JsonValue[];
  input: JsonValue[];
  response: JsonObject;
}

/** Stored responses of `POST /v1/responses`, always within one project. */
export class StoredResponsesRepository {
  constructor(private readonly ds: DataSource) {}

  async insert(projectId: string, r: StoredResponseRecord): Promise<void> {
    await this.ds.query(
      `INSERT INTO stored_responses (project_id, id, previous_response_id, context, input, response) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb)`,
      [projectId, r.id, r.previousResponseId, JSON.stringify(r.context), JSON.stringify(r.input), JSON.stringify(r.response)],
    );
  }

  async find(projectId: string, id: string): Promise<StoredResponseRecord | null> {
    const rows = (await this.ds.query(`SELECT id, previous_response_id, context, input, response FROM stored_responses WHERE project_id = $1 AND id = $2`, [
      projectId,
      id,
    ])) as Row[];
    const row = rows[0];
    return row ? { id: row.id, previousResponseId: row.previous_response_id, context: row.context, input: row.input, response: row.response } : null;
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    return rowsOf(await this.ds.query(`DELETE FROM stored_responses WHERE project_id = $1 AND id = $2 RETURNING id`, [projectId, id])).length > 0;
  }
}
