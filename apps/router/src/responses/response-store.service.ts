import { Injectable, Logger } from '@nestjs/common';
import type { ConversationItem, ResponseObject, ResponsesRequest } from '@switchyard/ingress';
import { StoredResponsesRepository } from '@switchyard/persistence';
import { notFound, type JsonObject, type JsonValue } from '@switchyard/types';

/**
 * Stored responses (`store: true`, OpenAI's default) of one project: written once the answer is complete and
 * before the client has all of it (the non-streamed answer is sent after the insert, the stream's final
 * `response.completed` too), so that a response is retrievable, and usable as `previous_response_id`, from
 * any router as soon as the client has it. A failed write does not fail the answer: it is logged, and the
 * response is then not retrievable.
 */
@Injectable()
export class ResponseStore {
  private readonly logger = new Logger('ResponseStore');

  constructor(private readonly repo: StoredResponsesRepository) {}

  /** The conversation a new turn continues: the previous response's earlier turns, its input and its output. */
  async conversation(projectId: string, previousResponseId: string): Promise<ConversationItem[]> {
    const stored = await this.repo.find(projectId, previousResponseId);
    if (!stored) throw notFound(`Previous response with id '${previousResponseId}' not found.`, 'previous_response_not_found', 'previous_response_id');
    const output = (stored.response['output'] ?? []) as JsonValue[];
    return [...stored.context, ...stored.input, ...output] as unknown as ConversationItem[];
  }

  /** Stores a finished response (when the request asked for it: `store` is not false). */
  async save(projectId: string, request: ResponsesRequest, context: readonly ConversationItem[], response: ResponseObject): Promise<void> {
    if (!request.store) return;
    try {
      await this.repo.insert(projectId, {
        id: response.id,
        previousResponseId: request.previous_response_id,
        context: context as unknown as JsonValue[],
        input: request.input as unknown as JsonValue[],
        response: response as unknown as JsonObject,
      });
    } catch (err) {
      this.logger.warn(`response ${response.id} not stored: ${(err as Error).message}`);
    }
  }

  async get(projectId: string, id: string): Promise<ResponseObject> {
    return (await this.find(projectId, id)).response as unknown as ResponseObject;
  }

  /** This turn's input items, in OpenAI's list shape (one page). */
  async inputItems(projectId: string, id: string) {
    const items = (await this.find(projectId, id)).input as unknown as ConversationItem[];
    const ids = items.map((i) => i.id ?? null);
    return { object: 'list' as const, data: items, first_id: ids[0] ?? null, last_id: ids[ids.length - 1] ?? null, has_more: false };
  }

  async delete(projectId: string, id: string): Promise<{ id: string; object: 'response.deleted'; deleted: true }> {
    if (!(await this.repo.delete(projectId, id))) throw responseNotFound(id);
    return { id, object: 'response.deleted', deleted: true };
  }

  private async find(projectId: string, id: string) {
    const stored = await this.repo.find(projectId, id);
    if (!stored) throw responseNotFound(id);
    return stored;
  }
}

const responseNotFound = (id: string) => notFound(`Response with id '${id}' not found.`, 'response_not_found');
