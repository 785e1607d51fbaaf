import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { decodeProtobufRequest, traceparentOf } from '@switchyard/telemetry';
import { createTestEnvironment, freePort, httpJson, MockOpenAIServer, seedTenant, startServiceProcess, type SeededTenant, type ServiceProcess, type TestEnvironment } from '@switchyard/testing';
import { startRouter } from '../src/bootstrap';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

type Attr = { key: string; value: Record<string, unknown> };
type OtlpSpan = { traceId: string | Uint8Array; spanId: string | Uint8Array; parentSpanId?: string | Uint8Array; name: string; attributes: Attr[] };
type StoredSpan = { span_id: string; parent_span_id: string | null; name: string; service: string; kind: number; attributes: Record<string, unknown>; log_id: string | null; status: { code: number } };

const hex = (id: string | Uint8Array | undefined) => (id === undefined ? '' : typeof id === 'string' ? id : Buffer.from(id).toString('hex'));

/** The spans of OTLP export bodies (JSON or protobuf), ids as hex. */
function spansOf(received: Received[]): (OtlpSpan & { traceId: string; spanId: string; parentSpanId: string })[] {
  return received.flatMap((r) => {
    const req = (r.headers['content-type'] === 'application/x-protobuf' ? decodeProtobufRequest(r.body) : JSON.parse(r.body.toString('utf8'))) as {
      resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
    };
    return req.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ ...s, traceId: hex(s.traceId), spanId: hex(s.spanId), parentSpanId: hex(s.parentSpanId) }))));
  });
}

async function until<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Issue 14's acceptance: an app instrumented with the OpenTelemetry Node SDK (sdk-trace-base + the OTLP/HTTP exporter
 * to the collector) calls the router with `traceparent`; the collector shows one trace with the app's span and the
 * gateway's request and attempt spans beneath it, and the same spans arrive at OTLP receivers set in `otel[]`.
 */
describe("the gateway's own spans", () => {
  let env: TestEnvironment;
  let router: NestFastifyApplication;
  let collector: ServiceProcess;
  let routerUrl: string;
  let collectorUrl: string;
  let upstream: MockOpenAIServer;
  let tenant: SeededTenant;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];

  const chat = (headers: Record<string, string>, body: Record<string, unknown> = {}) =>
    fetch(`${routerUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.projectKey}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], ...body }),
    });

  const storedTrace = (traceId: string, n: number) =>
    until(`${n} spans of trace ${traceId} in the collector`, async () => {
      const res = await httpJson<{ spans: StoredSpan[] }>(`${collectorUrl}/v1/traces/${traceId}`, { token: tenant.projectKey });
      return res.status === 200 && res.body.spans.length >= n ? res.body.spans : undefined;
    });

  const receivedTrace = (traceId: string, path: string, n: number) =>
    until(`${n} spans of trace ${traceId} at ${path}`, async () => {
      const spans = spansOf(received.filter((r) => r.path === path)).filter((s) => s.traceId === traceId);
      return spans.length >= n ? spans : undefined;
    });

  beforeAll(async () => {
    env = await createTestEnvironment({ OTEL_ALLOW_PRIVATE_URLS: 'true', OTEL_EXPORT_INTERVAL_MS: '50' });
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    router = await startRouter(env.config, 0);
    routerUrl = await router.getUrl();
    // The collector as the built process (as deployed; \`npm run build\` first).
    collector = await startServiceProcess('collector', env.env, await freePort());
    collectorUrl = collector.url;
    upstream = await MockOpenAIServer.start();
    tenant = await seedTenant(routerUrl, env.config.admin.token, { provider: 'openai', slug: 'openai-main', credentials: { api_key: 'sk-otel-test-0123456789' }, base_url: upstream.url });
    const patched = await httpJson(`${routerUrl}/v1/admin/organizations/${tenant.organizationId}/projects/default`, {
      method: 'PATCH',
      token: env.config.admin.token,
      body: {
        retry_delay: 1,
        retry_max_attempts: 2,
        retry_backoff: 'constant',
        otel: [
          { url: `${receiverUrl}/json/v1/traces`, authorization: 'Bearer receiver-token', headers: { 'x-team': 'search' }, content_type: 'json' },
          { url: `${receiverUrl}/proto/v1/traces`, authorization: '', headers: {}, content_type: 'protobuf' },
        ],
      },
    });
    expect(patched.status).toBe(200);
  }, 90_000);

  afterAll(async () => {
    await router?.close();
    await collector?.stop();
    await upstream?.close();
    await new Promise((r) => receiver?.close(r));
    await env?.cleanup();
  });

  it("nests the gateway's request and attempt spans beneath the app's SDK span, in the collector and at both otel[] receivers", async () => {
    upstream.enqueue({ content: 'Hello', usage: { prompt_tokens: 11, completion_tokens: 7 } });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout-app' }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${collectorUrl}/v1/traces`, headers: { Authorization: `Bearer ${tenant.projectKey}` } }))],
    });
    const appSpan = provider.getTracer('checkout').startSpan('POST /checkout', { kind: SpanKind.SERVER });
    const { traceId, spanId } = appSpan.spanContext();
    const res = await context.with(trace.setSpan(context.active(), appSpan), () => chat({ traceparent: traceparentOf(traceId, spanId) }));
    expect(res.status).toBe(200);
    await res.json();
    appSpan.end();
    await provider.forceFlush();
    await provider.shutdown();
    const logId = res.headers.get('x-gateway-log-id');
    expect(logId).toBeTruthy();

    const spans = await storedTrace(traceId, 3);
    expect(spans).toHaveLength(3);
    const [app, request, attempt] = spans;
    expect(app).toMatchObject({ span_id: spanId, parent_span_id: null, service: 'checkout-app', name: 'POST /checkout' });
    expect(request).toMatchObject({
      parent_span_id: spanId,
      name: 'chat gpt-4o-mini',
      service: 'switchyard-router',
      kind: 2,
      log_id: logId,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 11,
        'gen_ai.usage.output_tokens': 7,
        'gen_ai.response.finish_reasons': ['stop'],
        'switchyard.log_id': logId,
        'switchyard.step': 0,
        'http.response.status_code': 200,
      },
    });
    expect(typeof request!.attributes['gen_ai.usage.cost']).toBe('number');
    expect(attempt).toMatchObject({ parent_span_id: request!.span_id, kind: 3, name: 'chat openai/gpt-4o-mini', attributes: { 'switchyard.attempt': 1, 'http.response.status_code': 200 } });
    // The log record the request span names is there too.
    const log = await until('the log record', async () => {
      const r = await httpJson(`${collectorUrl}/v1/logs/${logId}`, { token: tenant.projectKey });
      return r.status === 200 ? r.body : undefined;
    });
    expect(log).toMatchObject({ id: logId });

    for (const path of ['/json/v1/traces', '/proto/v1/traces']) {
      const exported = await receivedTrace(traceId, path, 2);
      expect(exported.map((s) => s.spanId).sort()).toEqual([request!.span_id, attempt!.span_id].sort());
      expect(exported.find((s) => s.spanId === request!.span_id)?.parentSpanId).toBe(spanId);
    }
    const jsonExport = received.find((r) => r.path === '/json/v1/traces')!;
    expect(jsonExport.headers).toMatchObject({ authorization: 'Bearer receiver-token', 'x-team': 'search', 'content-type': 'application/json' });
    expect(received.find((r) => r.path === '/proto/v1/traces')!.headers['content-type']).toBe('application/x-protobuf');
  });

  it("joins Cloudflare's cf-aig-otel-* headers' trace and gives each attempt (a retry here) its own span", async () => {
    upstream.enqueue({ status: 503 }, { content: 'Second time' });
    const traceId = 'a1'.repeat(16);
    const parent = 'b2'.repeat(8);
    const res = await chat({ 'cf-aig-otel-trace-id': traceId, 'cf-aig-otel-parent-span-id': parent });
    expect(res.status).toBe(200);
    const spans = await storedTrace(traceId, 3);
    const [request, first, second] = spans;
    expect(request).toMatchObject({ parent_span_id: parent, attributes: { 'switchyard.attempts': 2 } });
    expect(first).toMatchObject({ parent_span_id: request!.span_id, status: { code: 2 }, attributes: { 'switchyard.attempt': 1, 'http.response.status_code': 503, 'error.type': 'provider_unavailable' } });
    expect(second).toMatchObject({ parent_span_id: request!.span_id, attributes: { 'switchyard.attempt': 2, 'http.response.status_code': 200 } });
  });
});
