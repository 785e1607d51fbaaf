import { Injectable } from '@nestjs/common';
import { histogramQuantile, RequestLogRollupsRepository, type AnalyticsQuery, type AnalyticsRow } from '@switchyard/persistence';

/** Request analytics of one project from the writer's rollups (never a scan of the raw logs). */
@Injectable()
export class AnalyticsService {
  constructor(private readonly rollups: RequestLogRollupsRepository) {}

  async summary(projectId: string, q: AnalyticsQuery) {
    const rows = await this.rollups.summary(projectId, q);
    return {
      interval: q.interval,
      group_by: typeof q.groupBy === 'object' ? `metadata.${q.groupBy.metadata}` : (q.groupBy ?? null),
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      data: rows.map((r) => this.toView(r)),
    };
  }

  private toView(r: AnalyticsRow) {
    const n = (v: string) => Number(v);
    const requests = n(r.requests);
    const tokensIn = n(r.tokens_input) + n(r.tokens_cache_read) + n(r.tokens_cache_write);
    const tokensOut = n(r.tokens_reasoning) + n(r.tokens_output);
    const duration = r.duration_hist?.map(n) ?? [];
    const ttfb = r.ttfb_hist?.map(n) ?? [];
    return {
      bucket: r.bucket.toISOString(),
      group: r.group,
      requests,
      errors: n(r.errors),
      cached: n(r.cached),
      tokens_in: tokensIn,
      tokens_out: tokensOut,
      token_buckets: {
        input: n(r.tokens_input), cache_read: n(r.tokens_cache_read), cache_write: n(r.tokens_cache_write),
        reasoning: n(r.tokens_reasoning), output: n(r.tokens_output),
      },
      cost: n(r.cost),
      avg_duration: requests ? n(r.duration_ms) / requests : null,
      p50_duration: histogramQuantile(duration, 0.5),
      p95_duration: histogramQuantile(duration, 0.95),
      p50_ttfb: histogramQuantile(ttfb, 0.5),
      p95_ttfb: histogramQuantile(ttfb, 0.95),
    };
  }
}
