// The request log records the log benchmarks write: as the router writes them, with 2 KB of bodies.
import { randomUUID } from 'node:crypto';

const BODY = 'x'.repeat(1000);

/** One record (RequestLogRecord of @switchyard/metering) with 2 KB of bodies (1 KB request, 1 KB response). */
export const logRecord = (ids, i) => ({
  id: randomUUID(), requestId: `req-${i}`, eventId: null, createdAt: new Date().toISOString(),
  organizationId: ids.org, projectId: ids.project, keyId: ids.key, customerIdentifier: `c${i % 100}`, threadIdentifier: null, customIdentifier: null,
  documentJobId: null, path: '/v1/chat/completions', requestType: 'chat.completions', modelRequested: 'gpt-4o-mini', model: i % 3 ? 'gpt-4o-mini' : 'gpt-4o',
  provider: 'openai', connectionId: 'bench', statusCode: 200, success: true, cached: false, step: 0,
  attempts: [{ step: 0, provider: 'openai', model: 'gpt-4o-mini', connectionId: 'bench', status: 200, durationMs: 120, errorCode: null }],
  tokens: { input: 120, cacheRead: 0, cacheWrite: 0, reasoning: 0, output: 42 }, cost: 0.00004, customCost: false, durationMs: 100 + (i % 400), ttfbMs: 50 + (i % 100),
  stream: false, metadata: { team: `t${i % 5}` }, routing: null, errorCode: null, dlp: null,
  bodies: { request: `{"content":"${BODY}"}`, response: `{"content":"${BODY}"}`, requestContentType: 'application/json', responseContentType: 'application/json', requestBytes: 1014, responseBytes: 1014, truncated: false },
});
