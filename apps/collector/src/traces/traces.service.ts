import { Injectable } from '@nestjs/common';
import { SpansRepository, type SpanRow, type TraceQuery, type TraceSummaryRow } from '@switchyard/persistence';
import { invalidRequest, notFound } from '@switchyard/types';
import { encodeCursor } from './project-scope';
import { treeOrder } from './span-tree';

const nsToIso = (ns: string) => new Date(Number(BigInt(ns) / 1_000_000n)).toISOString();
const nsToMs = (ns: bigint) => Number(ns) / 1e6;
const numOrNull = (v: string | null) => (v === null ? null : Number(v));

@Injectable()
export class TracesService {
  constructor(private readonly spans: SpansRepository) {}

  async list(projectId: string, query: TraceQuery) {
    const rows = await this.spans.listTraces(projectId, { ...query, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      data: page.map((r) => this.toSummary(r)),
      next_cursor: rows.length > query.limit && last ? encodeCursor({ s: last.start_ns, t: last.trace_id }) : null,
    };
  }

  async get(projectId: string, traceId: string) {
    const id = traceId.toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(id)) throw invalidRequest('trace_id must be 32 hex characters.', 'trace_id');
    const rows = await this.spans.traceSpans(projectId, id);
    if (!rows.length) throw notFound(`Trace '${id}' was not found.`, 'trace_not_found');
    return { trace_id: id, spans: treeOrder(rows).map((s) => this.toSpan(s)) };
  }

  private toSummary(r: TraceSummaryRow) {
    return {
      trace_id: r.trace_id,
      root_name: r.root_name,
      service: r.root_service ?? r.service,
      start_time: nsToIso(r.start_ns),
      start_time_unix_nano: r.start_ns,
      duration_ms: nsToMs(BigInt(r.end_ns) - BigInt(r.start_ns)),
      span_count: r.span_count,
      error_count: r.error_count,
      input_tokens: numOrNull(r.input_tokens),
      output_tokens: numOrNull(r.output_tokens),
      cost: numOrNull(r.cost),
    };
  }

  private toSpan(s: SpanRow) {
    return {
      span_id: s.span_id,
      parent_span_id: s.parent_span_id,
      name: s.name,
      kind: s.kind,
      service: s.service_name,
      start_time_unix_nano: s.start_ns,
      end_time_unix_nano: s.end_ns,
      duration_ms: nsToMs(BigInt(s.duration_ns)),
      status: { code: s.status_code, message: s.status_message ?? '' },
      attributes: s.attributes,
      resource: s.resource,
      scope: s.scope,
      events: s.events,
      links: s.links,
      trace_state: s.trace_state,
      flags: s.flags,
      // The gateway's request spans carry their request log's id: GET /v1/logs/{log_id} (docs/collector.md).
      log_id: typeof s.attributes['switchyard.log_id'] === 'string' ? s.attributes['switchyard.log_id'] : null,
      gen_ai: { model: s.gen_ai_model, provider: s.gen_ai_provider, input_tokens: s.input_tokens, output_tokens: s.output_tokens, cost: s.cost },
    };
  }
}
