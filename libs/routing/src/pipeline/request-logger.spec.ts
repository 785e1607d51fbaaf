import type { ProjectSnapshot } from '@switchyard/auth';
import type { RequestLogRecord } from '@switchyard/metering';
import { DEFAULT_PROJECT_SETTINGS, GatewayError, UUID_PATTERN, type ChatCompletion, type ChatCompletionChunk, type ChatRequest, type ProjectSettings } from '@switchyard/types';
import { Registry } from 'prom-client';
import { ClientAbortedError, type CompletionResult, type StreamResult } from '../executor';
import { LogMetrics } from './log-metrics';
import { parseRequestControls, type HeaderMap } from './request-controls';
import { callCost, RequestLogger } from './request-logger';

const project = (settings: Partial<ProjectSettings> = {}): ProjectSnapshot => ({
  id: 'p1',
  organizationId: 'o1',
  slug: 'default',
  name: 'Default',
  retentionDays: 30,
  settings: { ...DEFAULT_PROJECT_SETTINGS, ...settings },
  spendRules: [],
  quotas: null,
});
const call = { organizationId: 'o1', keyId: 'k1' };
const origin = { requestId: 'req-1', path: '/v1/chat/completions', requestType: 'chat.completions' };
const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], metadata: { team: 'a', n: 1 } };
const request: ChatRequest = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };
const meta = { provider: 'openai', model: 'gpt-4o-mini-2024', connectionId: 'c1', step: 0, attempts: 1, firstByteMs: 3 };
const tokens = { input: 100, cacheRead: 20, cacheWrite: 0, reasoning: 5, output: 10 };
const completion: ChatCompletion = {
  id: 'x',
  object: 'chat.completion',
  created: 0,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
};
const result: CompletionResult = { kind: 'completion', completion, meta, usage: { provider: 'openai', model: 'gpt-4o-mini-2024', tokens, cost: 0.5 } };

function setup() {
  const records: RequestLogRecord[] = [];
  const registry = new Registry();
  const logger = new RequestLogger({ append: (r) => records.push(r) }, 64, new LogMetrics(registry));
  /** Runs one completion with these headers and settings; returns the response headers it added. */
  const complete = (headers: HeaderMap = {}, settings: Partial<ProjectSettings> = {}, extensions: Record<string, unknown> = { metadata: body.metadata }) => {
    const controls = parseRequestControls(headers, extensions);
    const log = logger.begin(origin, call, project(settings), request, controls, body);
    const out: Record<string, string> = {};
    log.addHeaders(out);
    log.attempts?.push({ step: 0, provider: 'openai', model: 'gpt-4o-mini-2024', connectionId: 'c1', status: 200, durationMs: 2, errorCode: null });
    log.firstByte();
    log.end({ statusCode: 200, errorCode: null, result, responseText: JSON.stringify(completion) });
    return out;
  };
  return { records, registry, logger, complete };
}

describe('RequestLogger', () => {
  it('builds one record at the end: ids, the call, tokens, cost, attempts, metadata, bodies; the log id in both headers', () => {
    const { records, complete } = setup();
    const headers = complete({ 'x-gateway-event-id': 'evt-1', 'x-gateway-metadata': '{"env":"prod"}' }, {}, { metadata: body.metadata, customer_identifier: 42 });
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r.id).toMatch(UUID_PATTERN);
    expect(r.id[14]).toBe('7');
    expect(headers).toEqual({ 'x-gateway-log-id': r.id, 'cf-aig-log-id': r.id });
    expect(r).toMatchObject({
      requestId: 'req-1',
      eventId: 'evt-1',
      organizationId: 'o1',
      projectId: 'p1',
      keyId: 'k1',
      customerIdentifier: '42',
      documentJobId: null,
      path: '/v1/chat/completions',
      requestType: 'chat.completions',
      modelRequested: 'gpt-4o-mini',
      model: 'gpt-4o-mini-2024',
      provider: 'openai',
      connectionId: 'c1',
      statusCode: 200,
      success: true,
      cached: false,
      step: 0,
      attempts: [{ step: 0, connectionId: 'c1', status: 200, errorCode: null }],
      tokens,
      cost: 0.5,
      customCost: false,
      stream: false,
      metadata: { team: 'a', n: 1, env: 'prod' },
      errorCode: null,
    });
    expect(r.ttfbMs).toEqual(expect.any(Number));
    expect(r.durationMs).toBeGreaterThanOrEqual(r.ttfbMs!);
    expect(new Date(r.createdAt).toISOString()).toBe(r.createdAt);
    expect(r.bodies).toMatchObject({ request: JSON.stringify(body).slice(0, 64), requestBytes: JSON.stringify(body).length, response: JSON.stringify(completion).slice(0, 64), truncated: true });
  });

  it('prices with the custom cost when the request sets one', () => {
    const { records, complete } = setup();
    complete({ 'cf-aig-custom-cost': '{"per_token_in":0.001,"per_token_out":0.002}' });
    expect(records[0]).toMatchObject({ cost: 0.15, customCost: true });
  });

  it.each<[string, HeaderMap, Partial<ProjectSettings>, Record<string, unknown>, 'none' | 'bare' | 'bodies']>([
    ['collected by default, with bodies', {}, {}, {}, 'bodies'],
    ['collect_logs off: no record', {}, { collect_logs: false }, {}, 'none'],
    ['collect_logs off but x-gateway-collect-log: true', { 'x-gateway-collect-log': 'true' }, { collect_logs: false }, {}, 'bodies'],
    ['x-gateway-collect-log: false', { 'x-gateway-collect-log': 'false' }, {}, {}, 'none'],
    ['disable_log: true', {}, {}, { disable_log: true }, 'none'],
    ['x-gateway-collect-log-payload: false', { 'cf-aig-collect-log-payload': 'false' }, {}, {}, 'bare'],
    ['zdr: never bodies', { 'x-gateway-collect-log-payload': 'true' }, { zdr: true }, {}, 'bare'],
  ])('%s', (_name, headers, settings, extensions, expected) => {
    const { records, complete, registry } = setup();
    const out = complete(headers, settings, extensions);
    expect(records).toHaveLength(expected === 'none' ? 0 : 1);
    if (expected === 'none') expect(out).toEqual({});
    else expect(records[0]!.bodies === null).toBe(expected === 'bare');
    // Counted in the metrics either way.
    return registry.getSingleMetricAsString('gateway_requests_total').then((text) => expect(text).toContain('gateway_requests_total{project="p1",model="gpt-4o-mini-2024",provider="openai",status="200"} 1'));
  });

  it('records a failure: its status and error code, the error body as the response, no model', () => {
    const { records, logger } = setup();
    const log = logger.begin(origin, call, project(), request, parseRequestControls({}), body);
    log.attempts?.push({ step: 0, provider: 'openai', model: 'm', connectionId: 'c1', status: 503, durationMs: 1, errorCode: 'provider_unavailable' });
    const error = new GatewayError(503, 'api_error', 'provider_unavailable', 'openai is unavailable');
    log.failed(error);
    log.failed(error);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ statusCode: 503, success: false, errorCode: 'provider_unavailable', model: null, provider: null, step: null, cost: null, attempts: [{ status: 503 }] });
    expect(records[0]!.bodies?.response).toBe(JSON.stringify(error.toBody()).slice(0, 64));

    const left = logger.begin(origin, call, project(), request, parseRequestControls({}), body);
    left.failed(new ClientAbortedError());
    expect(records[1]).toMatchObject({ statusCode: 499, errorCode: 'client_disconnected', bodies: { response: null } });
  });

  it('stores a stream’s response assembled from the chunks the client got', async () => {
    const records: RequestLogRecord[] = [];
    const logger = new RequestLogger({ append: (r) => records.push(r) }, 1 << 20);
    const chunk = (content: string): ChatCompletionChunk => ({ id: 's', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
    const stream: StreamResult = {
      kind: 'stream',
      meta,
      head: [chunk('Hel')],
      tail: (async function* () {
        yield [chunk('lo')];
      })(),
      usage: { provider: 'openai', model: 'm', tokens, cost: 0.1 },
    };
    const log = logger.begin(origin, call, project(), { ...request, stream: true }, parseRequestControls({}), body);
    const watched = log.watch(stream);
    for await (const _batch of watched.tail) void _batch;
    log.end({ statusCode: 200, errorCode: null, result: watched });
    const response = JSON.parse(records[0]!.bodies!.response!) as ChatCompletion;
    expect(response.choices[0]!.message.content).toBe('Hello');
    expect(records[0]).toMatchObject({ stream: true, cost: 0.1 });
  });
});

describe('CallLog.whenRecorded', () => {
  it('runs the answer’s end once the sink wrote the record; at once before the end, or when the request is not recorded', () => {
    const written: (() => void)[] = [];
    const logger = new RequestLogger({ append: () => undefined, whenWritten: (then) => written.push(then) }, 64);
    const ended: string[] = [];
    const recorded = logger.begin(origin, call, project(), request, parseRequestControls({}, {}), body);
    recorded.whenRecorded(() => ended.push('not ended'));
    recorded.end({ statusCode: 200, errorCode: null, result, responseText: '{}' });
    recorded.whenRecorded(() => ended.push('recorded'));
    const unrecorded = logger.begin(origin, call, project(), request, parseRequestControls({ 'x-gateway-collect-log': 'false' }, {}), body);
    unrecorded.end({ statusCode: 200, errorCode: null, result, responseText: '{}' });
    unrecorded.whenRecorded(() => ended.push('unrecorded'));
    expect(ended).toEqual(['not ended', 'unrecorded']);
    for (const then of written) then();
    expect(ended).toEqual(['not ended', 'unrecorded', 'recorded']);
  });
});

describe('callCost', () => {
  it('is the custom cost when set, else the catalog’s, null without usage', () => {
    const usage = { provider: 'openai', model: 'm', tokens, cost: 0.5 };
    expect(callCost(usage, parseRequestControls({}))).toBe(0.5);
    expect(callCost(usage, parseRequestControls({ 'x-gateway-custom-cost': '{"per_token_in":0.001,"per_token_out":0}' }))).toBe(0.12);
    expect(callCost(null, parseRequestControls({}))).toBeNull();
  });
});

describe('RequestLogger spans', () => {
  const TRACEPARENT = `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`;
  const target = { url: 'https://otel.example.com/v1/traces', authorization: '', headers: {} };

  function traced(mode: 'traced' | 'all') {
    const emitted: { projectId: string; targets: readonly unknown[]; names: string[]; parents: (string | null)[] }[] = [];
    const sink = { add: (projectId: string, targets: readonly unknown[], spans: { name: string; parentSpanId: string | null }[]) => emitted.push({ projectId, targets, names: spans.map((s) => s.name), parents: spans.map((s) => s.parentSpanId) }) };
    const logger = new RequestLogger({ append: () => undefined }, 64, null, { sink, mode });
    const run = (headers: HeaderMap, settings: Partial<ProjectSettings> = {}) => {
      const log = logger.begin(origin, call, project(settings), request, parseRequestControls(headers), body);
      log.attempts?.push({ step: 0, provider: 'openai', model: 'gpt-4o-mini-2024', connectionId: 'c1', status: 200, durationMs: 2, startMs: Date.now(), errorCode: null });
      log.end({ statusCode: 200, errorCode: null, result });
      return log;
    };
    return { emitted, run };
  }

  it('traced: a request with traceparent, and every request of a project with otel[] targets; nothing built for others', () => {
    const { emitted, run } = traced('traced');
    const plain = run({ 'x-gateway-collect-log': 'false' });
    expect(plain.trace).toBeNull();
    // Neither recorded nor traced: the executor is not even asked for its attempts.
    expect(plain.attempts).toBeUndefined();
    expect(emitted).toEqual([]);
    run({ traceparent: TRACEPARENT, 'x-gateway-collect-log': 'false' });
    run({}, { otel: [target] });
    expect(emitted).toEqual([
      { projectId: 'p1', targets: [], names: ['chat gpt-4o-mini', 'chat openai/gpt-4o-mini-2024'], parents: ['cd'.repeat(8), expect.stringMatching(/^[0-9a-f]{16}$/)] },
      { projectId: 'p1', targets: [target], names: ['chat gpt-4o-mini', 'chat openai/gpt-4o-mini-2024'], parents: [null, expect.any(String)] },
    ]);
  });

  it('all: every request, a trace of its own when it brought none', () => {
    const { emitted, run } = traced('all');
    expect(run({}).trace).toMatchObject({ traceId: expect.stringMatching(/^[0-9a-f]{32}$/), parentSpanId: null });
    expect(emitted).toHaveLength(1);
  });

  it('no span policy (OTEL_GATEWAY_SPANS=off): no trace even with traceparent', () => {
    const logger = new RequestLogger({ append: () => undefined }, 64);
    expect(logger.begin(origin, call, project({ otel: [target] }), request, parseRequestControls({ traceparent: TRACEPARENT }), body).trace).toBeNull();
  });
});

describe('RequestLogger latency metrics', () => {
  const value = async (registry: Registry, name: string, match: string) => {
    const text = await registry.getSingleMetricAsString(name);
    const line = text.split('\n').find((l) => l.startsWith(name) && l.includes(match));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };

  it('observes total, upstream per attempt, TTFB and the gateway-added time, by provider/model/status only', async () => {
    const { registry, logger } = setup();
    // Not logged: the attempts are still kept for the metrics.
    const log = logger.begin(origin, call, project(), request, parseRequestControls({ 'x-gateway-collect-log': 'false' }), body);
    expect(log.attempts).toEqual([]);
    log.attempts!.push({ step: 0, provider: 'openai', model: 'gpt-4o-mini-2024', connectionId: 'c1', status: 503, durationMs: 1, errorCode: 'provider_unavailable' });
    log.attempts!.push({ step: 0, provider: 'openai', model: 'gpt-4o-mini-2024', connectionId: 'c1', status: 200, durationMs: 2, errorCode: null });
    log.firstByte();
    log.end({ statusCode: 200, errorCode: null, result: { ...result, meta: { ...meta, cache: 'MISS' } } });
    const labels = 'provider="openai",model="gpt-4o-mini-2024"';
    expect(await value(registry, 'gateway_request_duration_seconds', `_count{${labels},status="200"`)).toBe(1);
    expect(await value(registry, 'gateway_upstream_duration_seconds', `_count{${labels},status="503"`)).toBe(1);
    expect(await value(registry, 'gateway_upstream_duration_seconds', `_sum{${labels},status="200"`)).toBeCloseTo(0.002, 6);
    expect(await value(registry, 'gateway_ttfb_seconds', `_count{${labels}`)).toBe(1);
    expect(await value(registry, 'gateway_overhead_seconds', `_count{${labels}`)).toBe(1);
    expect(await value(registry, 'gateway_cache_lookups_total', 'result="MISS"')).toBe(1);
    expect(await registry.getSingleMetricAsString('gateway_request_duration_seconds')).not.toContain('project=');
  });

  it('counts a limit refusal (429 before any attempt), not an upstream 429', async () => {
    const { registry, logger } = setup();
    logger.begin(origin, call, project(), request, parseRequestControls({}), body).failed(new GatewayError(429, 'rate_limit_error', 'rate_limit_exceeded', 'slow down'));
    const upstream429 = logger.begin(origin, call, project(), request, parseRequestControls({}), body);
    upstream429.attempts!.push({ step: 0, provider: 'openai', model: 'm', connectionId: 'c1', status: 429, durationMs: 1, errorCode: 'provider_rate_limited' });
    upstream429.failed(new GatewayError(429, 'rate_limit_error', 'provider_rate_limited', 'upstream says slow down'));
    expect(await value(registry, 'gateway_limit_refusals_total', 'code="rate_limit_exceeded"')).toBe(1);
    expect(await value(registry, 'gateway_limit_refusals_total', 'code="provider_rate_limited"')).toBeUndefined();
  });
});
