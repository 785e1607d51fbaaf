import type { LogAttempt } from '@switchyard/metering';
import { operationName, requestSpans, type RequestSpanInput } from './request-spans';
import { toSpanRecord } from './span-exporter';

const attempt = (over: Partial<LogAttempt>): LogAttempt => ({ step: 0, provider: 'openai', model: 'gpt-4o-mini', connectionId: 'c1', status: 200, durationMs: 40, startMs: 1_000_010, errorCode: null, ...over });

const input = (over: Partial<RequestSpanInput> = {}): RequestSpanInput => ({
  trace: { traceId: 'ab'.repeat(16), parentSpanId: 'cd'.repeat(8), flags: 1 },
  startMs: 1_000_000,
  endMs: 1_000_200.5,
  requestType: 'chat.completions',
  path: '/v1/chat/completions',
  requestId: 'req-1',
  projectId: 'p1',
  modelRequested: 'gpt-4o-mini',
  stream: false,
  meta: { provider: 'openai', model: 'gpt-4o-mini-2024-07-18', connectionId: 'c2', step: 1, attempts: 2, firstByteMs: 150, cache: 'MISS' },
  usage: { provider: 'openai', model: 'gpt-4o-mini', tokens: { input: 80, cacheRead: 20, cacheWrite: 0, reasoning: 5, output: 30 }, cost: 0.0001 },
  cost: 0.0001,
  statusCode: 200,
  errorCode: null,
  logId: 'log-1',
  attempts: [attempt({ status: 503, errorCode: 'provider_unavailable' }), attempt({ step: 1, connectionId: 'c2', startMs: 1_000_060, durationMs: 120 })],
  finishReasons: ['stop'],
  ...over,
});

describe('requestSpans', () => {
  it('a SERVER span under the caller, a CLIENT child per attempt, with the GenAI conventions and ours', () => {
    const [request, first, second, ...rest] = requestSpans(input());
    expect(rest).toEqual([]);
    expect(request).toMatchObject({
      traceId: 'ab'.repeat(16),
      parentSpanId: 'cd'.repeat(8),
      name: 'chat gpt-4o-mini',
      kind: 2,
      startNs: 1_000_000_000_000n,
      endNs: 1_000_200_500_000n,
      status: { code: 0 },
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        // Input: every input bucket; output: reasoning included (as the providers count them).
        'gen_ai.usage.input_tokens': 100,
        'gen_ai.usage.output_tokens': 35,
        'gen_ai.usage.cost': 0.0001,
        'gen_ai.response.finish_reasons': ['stop'],
        'switchyard.cache_status': 'MISS',
        'switchyard.step': 1,
        'switchyard.attempts': 2,
        'switchyard.log_id': 'log-1',
      },
    });
    expect(first).toMatchObject({ parentSpanId: request!.spanId, kind: 3, status: { code: 2, message: 'provider_unavailable' }, startNs: 1_000_010_000_000n, endNs: 1_000_050_000_000n });
    expect(first!.attributes).toMatchObject({ 'switchyard.attempt': 1, 'http.response.status_code': 503, 'error.type': 'provider_unavailable' });
    expect(second!.attributes).toMatchObject({ 'switchyard.attempt': 2, 'switchyard.step': 1, 'switchyard.connection_id': 'c2' });
    expect(new Set([request!.spanId, first!.spanId, second!.spanId]).size).toBe(3);
    // Usage and cost on the request span only, so the collector's trace totals count them once.
    expect(first!.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('a refused or failed request: an error status and type, no provider, no usage; the root of its own trace', () => {
    const [request, ...attempts] = requestSpans(input({ trace: { traceId: 'ef'.repeat(16), parentSpanId: null, flags: 1 }, meta: null, usage: null, cost: null, statusCode: 429, errorCode: 'rate_limited', logId: null, attempts: [], finishReasons: [] }));
    expect(attempts).toEqual([]);
    expect(request!.parentSpanId).toBeNull();
    expect(request!.status).toEqual({ code: 2, message: 'rate_limited' });
    expect(request!.attributes).not.toHaveProperty('gen_ai.provider.name');
    expect(request!.attributes).not.toHaveProperty('switchyard.log_id');
    expect(request!.attributes).toMatchObject({ 'error.type': 'rate_limited', 'http.response.status_code': 429 });
  });

  it("an attempt recorded without its start ends at the request's end", () => {
    const [, a] = requestSpans(input({ attempts: [attempt({ startMs: undefined, durationMs: 100 })] }));
    expect(a!.endNs).toBe(1_000_200_500_000n);
    expect(a!.startNs).toBe(1_000_100_500_000n);
  });

  it('names operations by the GenAI conventions', () => {
    expect(['chat.completions', 'messages', 'responses', 'completions', 'embeddings'].map(operationName)).toEqual(['chat', 'chat', 'chat', 'text_completion', 'embeddings']);
  });

  it("becomes the collector's span record with the gen_ai columns filled", () => {
    const [request] = requestSpans(input());
    expect(toSpanRecord(request!, { serviceName: 'switchyard-router' })).toMatchObject({
      trace_id: 'ab'.repeat(16),
      parent_span_id: 'cd'.repeat(8),
      service_name: 'switchyard-router',
      start_ns: '1000000000000',
      kind: 2,
      gen_ai_model: 'gpt-4o-mini',
      gen_ai_provider: 'openai',
      input_tokens: 100,
      output_tokens: 35,
      cost: 0.0001,
      flags: 1,
    });
  });
});
