import { Injectable } from '@nestjs/common';
import { RequestLogsRepository, type LogPatch, type LogQuery, type RequestLogEntity } from '@switchyard/persistence';
import { invalidRequest, notFound } from '@switchyard/types';
import { nextLogCursor } from './log-query.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const num = (v: string | null) => (v === null ? null : Number(v));

/** The request logs of one project: list, read, feedback, bulk delete. Every method takes the project id first. */
@Injectable()
export class LogsService {
  constructor(private readonly logs: RequestLogsRepository) {}

  async list(projectId: string, query: LogQuery) {
    const rows = await this.logs.search(projectId, { ...query, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { data: page.map((r) => this.toView(r)), next_cursor: rows.length > query.limit && last ? nextLogCursor(query, last) : null };
  }

  async get(projectId: string, id: string) {
    const detail = await this.logs.findDetail(projectId, this.logId(id));
    if (!detail) throw this.notFound(id);
    const b = detail.bodies;
    return {
      ...this.toView(detail.log),
      request_size: b?.requestBytes ?? null,
      response_size: b?.responseBytes ?? null,
      truncated: b?.truncated ?? false,
      request_head: b?.requestHead ?? null,
      response_head: b?.responseHead ?? null,
    };
  }

  /** One body as stored, with its content type; 404 when the log has none (payloads not collected). */
  async body(projectId: string, id: string, which: 'request' | 'response'): Promise<{ contentType: string; text: string }> {
    const bodies = await this.logs.findBodies(projectId, this.logId(id));
    const text = bodies?.[which];
    if (!bodies || text === null || text === undefined) {
      if (!(await this.logs.findById(projectId, this.logId(id)))) throw this.notFound(id);
      throw notFound(`Log '${id}' has no ${which} body (payloads were not collected).`, 'log_body_not_found');
    }
    return { contentType: which === 'request' ? bodies.requestContentType : bodies.responseContentType, text };
  }

  async patch(projectId: string, id: string, patch: LogPatch) {
    const row = await this.logs.patch(projectId, this.logId(id), patch);
    if (!row) throw this.notFound(id);
    return this.toView(row);
  }

  async deleteMatching(projectId: string, query: Omit<LogQuery, 'after' | 'offset'>) {
    return { deleted: await this.logs.deleteMatching(projectId, query) };
  }

  private logId(id: string): string {
    if (!UUID.test(id)) throw invalidRequest('A log id is a UUID.', 'id');
    return id.toLowerCase();
  }

  private notFound(id: string) {
    return notFound(`Log '${id}' was not found.`, 'log_not_found');
  }

  private toView(r: RequestLogEntity) {
    return {
      id: r.id,
      created_at: r.createdAt.toISOString(),
      request_id: r.requestId,
      event_id: r.eventId,
      key_id: r.keyId,
      customer_identifier: r.customerIdentifier,
      thread_identifier: r.threadIdentifier,
      custom_identifier: r.customIdentifier,
      document_job_id: r.documentJobId,
      path: r.path,
      request_type: r.requestType,
      model_requested: r.modelRequested,
      model: r.model,
      provider: r.provider,
      connection_id: r.connectionId,
      status_code: r.statusCode,
      success: r.success,
      cached: r.cached,
      step: r.step,
      attempts: r.attempts.map((a) => ({
        step: a.step, provider: a.provider, model: a.model, connection_id: a.connectionId, status: a.status, duration: a.durationMs, error_code: a.errorCode,
      })),
      tokens_in: Number(r.tokensIn),
      tokens_out: Number(r.tokensOut),
      tokens: Number(r.tokens),
      token_buckets: {
        input: Number(r.tokensInput), cache_read: Number(r.tokensCacheRead), cache_write: Number(r.tokensCacheWrite),
        reasoning: Number(r.tokensReasoning), output: Number(r.tokensOutput),
      },
      cost: num(r.cost),
      custom_cost: r.customCost,
      duration: r.durationMs,
      ttfb: r.ttfbMs,
      stream: r.stream,
      metadata: r.metadata,
      routing: r.routing,
      error_code: r.errorCode,
      dlp: r.dlp,
      request_content_type: r.requestContentType,
      response_content_type: r.responseContentType,
      feedback: r.feedback,
      score: num(r.score),
    };
  }
}
