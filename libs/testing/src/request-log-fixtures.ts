import { newId, type JsonObject } from '@switchyard/types';

/** Something that runs SQL: a TypeORM DataSource or a pg Client. */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** Inserts an organization and a project row directly (integration specs without a router); returns their ids. */
export async function insertProjectRow(db: SqlRunner, opts: { retentionDays?: number } = {}): Promise<{ id: string; org: string }> {
  const org = newId();
  const id = newId();
  await db.query(`INSERT INTO organizations (id, name) VALUES ($1, 'o')`, [org]);
  await db.query(
    `INSERT INTO projects (id, organization_id, slug, name, retention_days, webhook_secret_sealed, cache_ttl, cache_invalidate_on_update,
       collect_logs, rate_limiting_interval, rate_limiting_limit, rate_limiting_technique, authentication, retry_backoff, retry_delay,
       retry_max_attempts, zdr)
     VALUES ($1, $2, 'p', 'p', $3, 'x', 0, false, true, 0, 0, 'fixed', false, 'constant', 0, 1, false)`,
    [id, org, opts.retentionDays ?? 30],
  );
  return { id, org };
}

function baseRecord(project: { id: string; org: string }) {
  const id = newId();
  return {
    id,
    requestId: `req-${id}`,
    eventId: null as string | null,
    createdAt: new Date().toISOString(),
    organizationId: project.org,
    projectId: project.id,
    keyId: null as string | null,
    customerIdentifier: 'customer-1' as string | null,
    threadIdentifier: null as string | null,
    customIdentifier: null as string | null,
    documentJobId: null as string | null,
    path: '/v1/chat/completions',
    requestType: 'chat.completions',
    modelRequested: 'gpt-4o-mini',
    model: 'gpt-4o-mini-2024-07-18' as string | null,
    provider: 'openai' as 'openai' | null,
    connectionId: 'conn-1' as string | null,
    statusCode: 200,
    success: true,
    cached: false,
    step: 0 as number | null,
    attempts: [{ step: 0, provider: 'openai' as const, model: 'gpt-4o-mini-2024-07-18', connectionId: 'conn-1', status: 200 as number | null, durationMs: 120, errorCode: null as string | null }],
    tokens: { input: 10, cacheRead: 2, cacheWrite: 0, reasoning: 1, output: 5 },
    cost: 0.000012 as number | null,
    customCost: false,
    durationMs: 130,
    ttfbMs: 90 as number | null,
    stream: false,
    metadata: { team: 'search' } as JsonObject,
    routing: null as JsonObject | null,
    errorCode: null as string | null,
    dlp: null as JsonObject | null,
    bodies: {
      request: `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello ${id}"}]}`,
      response: `{"id":"chatcmpl-1","object":"chat.completion","choices":[{"message":{"role":"assistant","content":"hi"}}]}`,
      requestContentType: 'application/json',
      responseContentType: 'application/json',
      requestBytes: 80,
      responseBytes: 100,
      truncated: false,
    } as null | {
      request: string | null; response: string | null; requestContentType: string; responseContentType: string;
      requestBytes: number; responseBytes: number; truncated: boolean;
    },
  };
}

export type RequestLogFixture = ReturnType<typeof baseRecord>;

/**
 * A request log record (overrides over varied defaults) as the router appends it to the log stream (the shape of `RequestLogRecord` of
 * `@switchyard/metering`, which this lib may not import; the collector's specs check it against that type).
 */
export function requestLogFixture(project: { id: string; org: string }, overrides: Partial<RequestLogFixture> = {}): RequestLogFixture {
  return { ...baseRecord(project), ...overrides };
}
