import { Inject, Injectable } from '@nestjs/common';
import type { ProjectSnapshot } from '@switchyard/auth';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { logStreamKeys, PriceCatalog, tokenUsageOf, type RequestLogRecord } from '@switchyard/metering';
import { REDIS_CLIENT, RequestLogsRepository, type LogPatch, type LogQuery, type RequestLogEntity } from '@switchyard/persistence';
import { invalidRequest, jsonbSafe, newId, notFound, serviceUnavailable } from '@switchyard/types';
import type { Redis } from 'ioredis';
import type { LogCreateInput } from './log-create.dto';
import { nextLogCursor } from './log-query.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const num = (v: string | null) => (v === null ? null : Number(v));

/** The request logs of one project: list, read, feedback, bulk delete. Every method takes the project id first. */
@Injectable()
export class LogsService {
  /** The maintained price data, for records sent without a cost. */
  private readonly prices = new PriceCatalog();

  constructor(
    private readonly logs: RequestLogsRepository,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /**
   * A record of a call the client made to a provider directly, appended to the log stream like the router's
   * (durable before the answer; the writer stores it). Priced from the price data when no cost is given and
   * the provider is named; bodies are not kept when the project has `zdr`.
   */
  async create(project: ProjectSnapshot, keyId: string | null, input: LogCreateInput) {
    const tokens = tokenUsageOf(input.usage);
    const cost = input.cost !== undefined ? input.cost : input.provider ? this.prices.record(input.provider, input.model, input.usage).cost : null;
    const id = newId();
    const bodies =
      project.settings.zdr || (input.request === null && input.response === null)
        ? null
        : {
            request: input.request, response: input.response, requestContentType: 'application/json',
            responseContentType: input.response !== null && input.response.startsWith('{') ? 'application/json' : 'text/plain',
            requestBytes: Buffer.byteLength(input.request ?? ''), responseBytes: Buffer.byteLength(input.response ?? ''), truncated: false,
          };
    const record: RequestLogRecord = {
      id, requestId: id, eventId: input.eventId, createdAt: input.createdAt, organizationId: project.organizationId, projectId: project.id,
      keyId, customerIdentifier: input.customerIdentifier, threadIdentifier: input.threadIdentifier, customIdentifier: input.customIdentifier,
      documentJobId: null, path: '/v1/logs', requestType: 'chat.completions', modelRequested: input.model, model: input.model,
      provider: input.provider, connectionId: null, statusCode: input.statusCode, success: input.statusCode < 400, cached: false, step: null,
      attempts: [], tokens, cost, customCost: input.cost !== undefined && input.cost !== null, durationMs: input.durationMs, ttfbMs: input.ttfbMs,
      stream: input.stream, metadata: input.metadata, routing: null, errorCode: input.errorCode, dlp: null, bodies,
    };
    if (this.redis.status !== 'ready') throw serviceUnavailable('The log stream is unavailable; retry later.');
    try {
      await this.redis.xadd(logStreamKeys(this.config.redis.prefix).stream, '*', 'd', jsonbSafe(JSON.stringify([record])));
    } catch {
      throw serviceUnavailable('The log stream is unavailable; retry later.');
    }
    return { id, created_at: record.createdAt, cost, tokens_in: tokens.input + tokens.cacheRead + tokens.cacheWrite, tokens_out: tokens.reasoning + tokens.output };
  }

  async list(projectId: string, query: LogQuery) {
    const rows = await this.logs.searchKeyed(projectId, { ...query, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { data: page.map((r) => this.toView(r.row)), next_cursor: rows.length > query.limit && last ? nextLogCursor(query, last.key) : null };
  }

  /** A numbered page of the matching logs with their total count (the Cloudflare listing's `result_info`). */
  async page(projectId: string, query: LogQuery) {
    const [rows, total] = await Promise.all([this.logs.search(projectId, query), this.logs.countMatching(projectId, query)]);
    return { data: rows.map((r) => this.toView(r)), total };
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
