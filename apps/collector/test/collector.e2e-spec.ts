import { gzipSync } from 'node:zlib';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestEnvironment, freePort, httpJson, seedTenant, startServiceProcess, type SeededTenant, type ServiceProcess, type TestEnvironment } from '@switchyard/testing';
import { startCollector } from '../src/bootstrap';
import { decodeProtobufResponse, decodeRpcStatus, encodeProtobufRequest } from '@switchyard/telemetry';
import { exporterFor, sendNestedTrace, type Protocol } from './otel-helpers';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const span = (spanId: string, extra: Record<string, unknown> = {}) => ({
  traceId: TRACE,
  spanId,
  name: `span-${spanId}`,
  startTimeUnixNano: '1700000000000000000',
  endTimeUnixNano: '1700000000500000000',
  ...extra,
});
const request = (spans: unknown[], service = 'svc') => ({
  resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans }] }],
});

async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('collector: OTLP and Dynamiq ingest, query API', () => {
  let env: TestEnvironment;
  let router: ServiceProcess;
  let collector: NestFastifyApplication;
  let url: string;
  let tenant: SeededTenant;
  let other: SeededTenant;

  const post = (body: Buffer | string, headers: Record<string, string>, key: string | null = tenant.projectKey) =>
    fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });
  const getTrace = (traceId: string, key = tenant.projectKey) => httpJson(`${url}/v1/traces/${traceId}`, { token: key });
  const waitForSpans = (traceId: string, n: number, key = tenant.projectKey) =>
    waitFor(async () => {
      const res = await getTrace(traceId, key);
      return res.status === 200 && res.body.spans.length >= n ? res.body : undefined;
    });

  beforeAll(async () => {
    env = await createTestEnvironment({ COLLECTOR_MAX_BODY_BYTES: String(256 * 1024) });
    router = await startServiceProcess('router', env.env, await freePort());
    collector = await startCollector(env.config, 0);
    url = (await collector.getUrl()).replace('[::1]', '127.0.0.1');
    [tenant, other] = await Promise.all([seedTenant(router.url, env.config.admin.token), seedTenant(router.url, env.config.admin.token)]);
  }, 60_000);

  afterAll(async () => {
    await collector?.close();
    await router?.stop();
    await env?.cleanup();
  });

  const combos: [Protocol, boolean][] = [
    ['json', false],
    ['json', true],
    ['protobuf', false],
    ['protobuf', true],
  ];
  it.each(combos)('receives a nested trace from the OpenTelemetry SDK (%s exporter, gzip %s)', async (protocol, gzip) => {
    const service = `svc-${protocol}-${gzip}`;
    const traceId = await sendNestedTrace(exporterFor(protocol, url, tenant.projectKey, gzip), service);
    const body = await waitForSpans(traceId, 3);
    expect(body.spans).toHaveLength(3);
    const [root, child, grandchild] = body.spans;
    expect(root).toMatchObject({
      parent_span_id: null,
      name: 'GET /answer',
      kind: 2,
      service,
      attributes: { 'http.route': '/answer', 'http.status_code': 200 },
      resource: { 'service.name': service, 'deployment.environment': 'test' },
      scope: { name: 'e2e-tracer', version: '1.2.3' },
      status: { code: 0 },
    });
    expect(child).toMatchObject({
      parent_span_id: root.span_id,
      name: 'chat gpt-4o',
      kind: 3,
      attributes: {
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 30,
        'gen_ai.usage.cost': 0.0015,
        tags: ['a', 'b'],
        ratio: 0.25,
        cached: false,
      },
      gen_ai: { model: 'gpt-4o', provider: 'openai', input_tokens: 12, output_tokens: 30, cost: 0.0015 },
    });
    expect(child.events).toEqual([{ name: 'first token', time_unix_nano: expect.stringMatching(/^\d{19}$/), attributes: { index: 0, text: 'hi' } }]);
    expect(grandchild).toMatchObject({ parent_span_id: child.span_id, status: { code: 2, message: 'tool failed' } });
    expect(grandchild.links).toEqual([{ trace_id: traceId, span_id: root.span_id, trace_state: null, attributes: { reason: 'caused by' } }]);
    expect(BigInt(root.end_time_unix_nano)).toBeGreaterThanOrEqual(BigInt(root.start_time_unix_nano));

    const list = await httpJson(`${url}/v1/traces?service=${service}`, { token: tenant.projectKey });
    expect(list.body.data).toEqual([
      expect.objectContaining({ trace_id: traceId, root_name: 'GET /answer', service, span_count: 3, error_count: 1, input_tokens: 12, output_tokens: 30, cost: 0.0015 }),
    ]);
  });

  it('round-trips the specification example and answers an empty ExportTraceServiceResponse', async () => {
    const res = await post(JSON.stringify(request([span('eee19b7ec3c1b174', { parentSpanId: 'EEE19B7EC3C1B173', kind: 2 })], 'my.service')), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const body = await waitForSpans(TRACE, 1);
    expect(body.spans[0]).toMatchObject({ span_id: 'eee19b7ec3c1b174', parent_span_id: 'eee19b7ec3c1b173', kind: 2, start_time_unix_nano: '1700000000000000000', end_time_unix_nano: '1700000000500000000' });
  });

  it('answers partial success for invalid spans, in JSON and protobuf', async () => {
    const res = await post(JSON.stringify(request([span('1111111111111111'), span('22', { name: 'short id' })])), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { partialSuccess: { rejectedSpans: number; errorMessage: string } };
    expect(json.partialSuccess).toMatchObject({ rejectedSpans: 1 });
    expect(json.partialSuccess.errorMessage).toContain('spanId');

    const proto = request([
      { ...span('x'), traceId: Buffer.from(TRACE, 'hex'), spanId: Buffer.from('3333333333333333', 'hex') },
      { ...span('x'), traceId: Buffer.from('abcd', 'hex'), spanId: Buffer.from('4444444444444444', 'hex') },
    ]);
    const pres = await post(Buffer.from(encodeProtobufRequest(proto)), { 'content-type': 'application/x-protobuf' });
    expect(pres.status).toBe(200);
    expect(pres.headers.get('content-type')).toContain('application/x-protobuf');
    expect(decodeProtobufResponse(new Uint8Array(await pres.arrayBuffer()))).toMatchObject({ partialSuccess: { rejectedSpans: 1 } });
    await waitForSpans(TRACE, 3);
  });

  it('answers 400 for undecodable bodies and 415 for other media types, as google.rpc.Status', async () => {
    const bad = await post('{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 3, message: expect.stringContaining('JSON') });
    const badProto = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff]), { 'content-type': 'application/x-protobuf' });
    expect(badProto.status).toBe(400);
    expect(decodeRpcStatus(new Uint8Array(await badProto.arrayBuffer()))).toMatchObject({ code: 3 });
    const badGzip = await post('not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(badGzip.status).toBe(400);
    const text = await post('hello', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
  });

  it('answers 401 for a missing, wrong or organization-scoped key', async () => {
    const body = JSON.stringify(request([span('5555555555555555')]));
    for (const key of [null, `sy_${'A'.repeat(48)}`, 'garbage', tenant.orgKey]) {
      const res = await post(body, { 'content-type': 'application/json' }, key);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 16, message: expect.any(String) });
    }
    const proto = await post(Buffer.from(encodeProtobufRequest(request([]))), { 'content-type': 'application/x-protobuf' }, tenant.orgKey);
    expect(proto.status).toBe(401);
    expect(decodeRpcStatus(new Uint8Array(await proto.arrayBuffer()))).toMatchObject({ code: 16 });
  });

  it('answers 413 past the size limit, compressed or not (gzip bomb included)', async () => {
    const big = JSON.stringify(request([span('6666666666666666', { attributes: [{ key: 'pad', value: { stringValue: 'x'.repeat(300 * 1024) } }] })]));
    const plain = await post(big, { 'content-type': 'application/json' });
    expect(plain.status).toBe(413);
    expect(await plain.json()).toMatchObject({ code: 3 });
    const bomb = await post(gzipSync(big), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(bomb.status).toBe(413);
  });

  it('stores a Dynamiq runs body sent twice once, with the second version', async () => {
    const run = (status: string, output: string) => ({
      id: '0b3a3c9e-6f1c-4d3e-9a2b-5f1d2c3b4a51',
      name: 'Workflow',
      type: 'workflow',
      trace_id: '7f1d2c3b-4a51-4d3e-9a2b-0b3a3c9e6f1c',
      source_id: 'wf-1',
      session_id: 's-1',
      start_time: '2025-01-01T10:00:00+00:00',
      end_time: '2025-01-01T10:00:02.500000+00:00',
      parent_run_id: null,
      status,
      input: { q: 'hi' },
      output: { a: output },
      metadata: { workflow: { id: 'wf-1', version: 'v1' } },
      error: null,
      tags: ['x'],
      executions: [],
    });
    const node = { ...run('succeeded', 'node'), id: '1c3a3c9e-6f1c-4d3e-9a2b-5f1d2c3b4a52', name: 'LLM', type: 'node', parent_run_id: run('', '').id };
    const first = await httpJson(`${url}/v1/traces`, { token: tenant.projectKey, body: { runs: [run('failed', 'first')] } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ message: 'ok' });
    const second = await httpJson(`${url}/v1/traces`, { token: tenant.projectKey, body: { runs: [run('succeeded', 'second'), node] } });
    expect(second.body).toEqual({ message: 'ok' });
    const list = await waitFor(async () => {
      const res = await httpJson(`${url}/v1/runs`, { token: tenant.projectKey });
      return res.body.data.length === 2 && res.body.data.some((r: { status: string; name: string }) => r.status === 'succeeded' && r.name === 'Workflow') ? res.body : undefined;
    });
    expect(list.data.filter((r: { id: string }) => r.id === run('', '').id)).toHaveLength(1);
    const one = await httpJson(`${url}/v1/runs/${run('', '').id}`, { token: tenant.projectKey });
    expect(one.body).toMatchObject({ status: 'succeeded', output: { a: 'second' }, start_time: '2025-01-01T10:00:00.000Z', end_time: '2025-01-01T10:00:02.500Z' });
    const children = await httpJson(`${url}/v1/runs?type=node`, { token: tenant.projectKey });
    expect(children.body.data).toEqual([expect.objectContaining({ name: 'LLM', parent_run_id: run('', '').id })]);

    const invalid = await httpJson(`${url}/v1/traces`, { token: tenant.projectKey, body: { runs: [{ id: 'x', name: 'n' }] } });
    expect(invalid.status).toBe(400);
    // Dynamiq's envelope, field by field: {"error":{"code":"bad_request","message","details":{field: problem}}}.
    expect(Object.keys(invalid.body)).toEqual(['error']);
    expect(invalid.body.error).toEqual({
      code: 'bad_request',
      message: expect.stringContaining('runs.0.type'),
      details: expect.objectContaining({ 'runs.0.type': expect.any(String), reason: 'invalid_runs' }),
    });
  });

  it('never shows a project the traces or runs of another', async () => {
    await waitForSpans(TRACE, 1);
    expect((await getTrace(TRACE, other.projectKey)).status).toBe(404);
    expect((await httpJson(`${url}/v1/traces`, { token: other.projectKey })).body.data).toEqual([]);
    expect((await httpJson(`${url}/v1/runs`, { token: other.projectKey })).body.data).toEqual([]);
    // The admin token names the project; an org key is refused on queries too.
    const admin = await httpJson(`${url}/v1/traces/${TRACE}?project=${tenant.organizationId}/default`, { token: env.config.admin.token });
    expect(admin.status).toBe(200);
    const adminOther = await httpJson(`${url}/v1/traces/${TRACE}?project=${other.organizationId}/default`, { token: env.config.admin.token });
    expect(adminOther.status).toBe(404);
    expect((await httpJson(`${url}/v1/traces`, { token: env.config.admin.token })).status).toBe(400);
    expect((await httpJson(`${url}/v1/traces`, { token: tenant.orgKey })).status).toBe(401);
  });

  it('filters and pages trace summaries newest first', async () => {
    const traceId = (i: number) => `${String(i).padStart(2, '0')}${'ab'.repeat(15)}`;
    const spans = Array.from({ length: 5 }, (_, i) => ({
      traceId: traceId(i),
      spanId: `${String(i).padStart(2, '0')}${'cd'.repeat(7)}`,
      name: i % 2 ? 'odd' : 'even',
      startTimeUnixNano: String(1800000000000000000n + BigInt(i) * 1_000_000_000n),
      endTimeUnixNano: String(1800000000000000000n + BigInt(i) * 1_000_000_000n + BigInt(i) * 10_000_000n),
      attributes: [{ key: 'customer', value: { stringValue: i < 2 ? 'acme' : 'other' } }],
      status: { code: i === 4 ? 2 : 0 },
    }));
    const res = await post(JSON.stringify(request(spans, 'pager')), { 'content-type': 'application/json' }, other.projectKey);
    expect(res.status).toBe(200);
    const q = (qs: string) => httpJson(`${url}/v1/traces?${qs}`, { token: other.projectKey });
    await waitFor(async () => ((await q('service=pager')).body.data.length === 5 ? true : undefined));
    const ids = async (qs: string) => (await q(qs)).body.data.map((t: { trace_id: string }) => t.trace_id);
    expect(await ids('service=pager')).toEqual([4, 3, 2, 1, 0].map(traceId));
    expect(await ids('name=odd')).toEqual([3, 1].map(traceId));
    expect(await ids('attr.customer=acme')).toEqual([1, 0].map(traceId));
    expect(await ids('status=error')).toEqual([traceId(4)]);
    expect(await ids('min_duration_ms=25')).toEqual([4, 3].map(traceId));
    expect(await ids(`from=${new Date(1800000002000).toISOString()}&to=1800000004000000000`)).toEqual([3, 2].map(traceId));
    const page1 = await q('limit=2');
    expect(page1.body.data.map((t: { trace_id: string }) => t.trace_id)).toEqual([4, 3].map(traceId));
    const page2 = await q(`limit=2&cursor=${page1.body.next_cursor}`);
    expect(page2.body.data.map((t: { trace_id: string }) => t.trace_id)).toEqual([2, 1].map(traceId));
    const page3 = await q(`limit=2&cursor=${page2.body.next_cursor}`);
    expect(page3.body.data.map((t: { trace_id: string }) => t.trace_id)).toEqual([traceId(0)]);
    expect(page3.body.next_cursor).toBeNull();
    expect((await q('cursor=nonsense')).status).toBe(400);
  });
});
