import type { JsonObject, JsonValue } from '@switchyard/types';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A response of `POST /v1/responses` stored for `GET /v1/responses/{id}` and `previous_response_id` (migration 1796515907482). */
@Entity({ name: 'stored_responses' })
export class StoredResponseEntity {
  @PrimaryColumn('uuid', { name: 'project_id' })
  projectId!: string;

  /** `resp_…`, the Response's id. */
  @PrimaryColumn('text')
  id!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('text', { name: 'previous_response_id', nullable: true })
  previousResponseId!: string | null;

  /** The conversation items of the turns before this one (the previous response's context, input and output). */
  @Column('jsonb')
  context!: JsonValue[];

  /** This turn's input items. */
  @Column('jsonb')
  input!: JsonValue[];

  /** The Response object as answered. */
  @Column('jsonb')
  response!: JsonObject;
}
