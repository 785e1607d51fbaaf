import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOutboundAgent } from '@switchyard/http';
import { ingestQueueKeys } from '@switchyard/queue';
import { newSpanId, SpanKind, type GatewaySpan } from '@switchyard/telemetry';
import { createTestEnvironment, type TestEnvironment } from '@switchyard/testing';
import { Redis } from 'ioredis';
import { SpanExporter, type SpanExporterOptions } from './span-exporter';

const span = (traceId: string): GatewaySpan => ({
  traceId,
  spanId: newSpanId(),
  parentSpanId: null,
  name: 'chat gpt-4o-mini',
  kind: SpanKind.SERVER,
  startNs: 1n,
  endNs: 2n,
  status: { code: 0, message: '' },
  attributes: { 'gen_ai.request.model': 'gpt-4o-mini' },
  flags: 1,
});

describe('SpanExporter (real Redis, a loopback OTLP receiver)', () => {
  let env: TestEnvironment;
  let redis: Redis;
  let receiver: Server;
  let receiverUrl: string;
  const bodies: string[] = [];
  const paths: string[] = [];
  const drops: [number, string][] = [];
  const delays: number[] = [];
  let flaky = 0;

  const exporter = (over: Partial<SpanExporterOptions> = {}) =>
    new SpanExporter({
      redis,
      prefix: env.config.redis.prefix,
      highWater: 1000,
      source: { serviceName: 'switchyard-router' },
      dispatcher: createOutboundAgent({ allowPrivate: true }),
      maxBuffered: 100,
      intervalMs: 60_000,
      timeoutMs: 5000,
      onDrop: (n, reason) => drops.push([n, reason]),
      sleep: async (ms) => void delays.push(ms),
      ...over,
    });

  const queued = async () => {
    const entries = await redis.xrange(ingestQueueKeys(env.config.redis.prefix).stream, '-', '+');
    return entries.map(([, f]) => ({ project: f[1], kind: f[3], count: Number(f[5]), spans: JSON.parse(f[7]!) as { trace_id: string; service_name: string }[] }));
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    redis = new Redis(env.config.redis.url);
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        paths.push(req.url ?? '');
        // `/flaky` fails twice (503, then 429), then takes the export; `/bad` refuses it (400); `/fail` always fails.
        const status = req.url === '/fail' ? 500 : req.url === '/bad' ? 400 : req.url === '/flaky' && flaky < 2 ? [503, 429][flaky++]! : 200;
        res.writeHead(status).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });

  beforeEach(async () => {
    const k = ingestQueueKeys(env.config.redis.prefix);
    await redis.del(k.stream, k.depth);
    bodies.length = 0;
    paths.length = 0;
    drops.length = 0;
    delays.length = 0;
    flaky = 0;
  });

  afterAll(async () => {
    await redis?.quit();
    await new Promise((r) => receiver?.close(r));
    await env?.cleanup();
  });

  it("holds spans until a flush, then queues them per project on the collector's ingest stream and once per distinct target", async () => {
    const e = exporter();
    const target = { url: `${receiverUrl}/v1/traces`, authorization: 'Bearer x', headers: {} };
    e.add('p1', [target], [span('a'.repeat(32)), span('a'.repeat(32))]);
    e.add('p2', [target], [span('b'.repeat(32))]);
    e.add('p1', [], [span('c'.repeat(32))]);
    expect(e.buffered).toBe(4);
    expect(await queued()).toEqual([]);
    await e.flush();
    expect(e.buffered).toBe(0);
    const entries = await queued();
    expect(entries.map((q) => [q.project, q.kind, q.count])).toEqual([
      ['p1', 'spans', 3],
      ['p2', 'spans', 1],
    ]);
    expect(entries[0]!.spans[0]).toMatchObject({ trace_id: 'a'.repeat(32), service_name: 'switchyard-router' });
    expect(Number(await redis.get(ingestQueueKeys(env.config.redis.prefix).depth))).toBe(4);
    // One request to the shared target with the three spans that named it.
    expect(bodies).toHaveLength(1);
    expect(JSON.parse(bodies[0]!).resourceSpans[0].scopeSpans[0].spans).toHaveLength(3);
    expect(drops).toEqual([]);
  });

  it('flushes on its own after the interval, and at once when half the buffer is used', async () => {
    const timed = exporter({ intervalMs: 30 });
    timed.add('p1', [], [span('d'.repeat(32))]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await queued()).map((q) => q.count)).toEqual([1]);
    const eager = exporter({ maxBuffered: 4 });
    eager.add('p1', [], [span('e'.repeat(32)), span('e'.repeat(32))]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await queued()).map((q) => q.count)).toEqual([1, 2]);
  });

  it('drops and counts what does not fit: a full buffer, the queue over its high-water mark, a failing or private target', async () => {
    const e = exporter({ maxBuffered: 3, highWater: 1 });
    e.add('p1', [], [span('f'.repeat(32))]);
    e.add('p1', [], [span('f'.repeat(32)), span('f'.repeat(32)), span('f'.repeat(32))]);
    await e.flush();
    e.add('p1', [{ url: `${receiverUrl}/fail`, authorization: '', headers: {} }], [span('f'.repeat(32))]);
    await e.flush();
    // The guarded agent refuses loopback unless OTEL_ALLOW_PRIVATE_URLS: nothing is sent there.
    const guarded = exporter({ dispatcher: createOutboundAgent({ allowPrivate: false }) });
    guarded.add('p1', [{ url: `${receiverUrl}/v1/traces`, authorization: '', headers: {} }], [span('f'.repeat(32))]);
    await guarded.flush();
    expect(drops).toEqual([
      [3, 'buffer_full'],
      [1, 'queue_full'],
      [1, 'target_failed'],
      [1, 'target_failed'],
    ]);
    // The failing target was tried 3 times (with backoff) before its span was dropped; the refused one never.
    expect(bodies).toHaveLength(3);
    expect(delays).toEqual([250, 500]);
    expect((await queued()).map((q) => q.count)).toEqual([1, 1]);
  });

  it('retries a transient failure (5xx, 429) with bounded backoff off the request path, a 4xx not at all', async () => {
    const e = exporter({ retry: { attempts: 4, baseMs: 100, capMs: 150 } });
    e.add('p1', [{ url: `${receiverUrl}/flaky`, authorization: '', headers: {} }], [span('a'.repeat(32))]);
    await e.flush();
    expect(paths).toEqual(['/flaky', '/flaky', '/flaky']);
    expect(delays).toEqual([100, 150]);
    expect(drops).toEqual([]);
    e.add('p1', [{ url: `${receiverUrl}/bad`, authorization: '', headers: {} }], [span('a'.repeat(32))]);
    await e.flush();
    expect(paths.slice(3)).toEqual(['/bad']);
    expect(drops).toEqual([[1, 'target_failed']]);
  });

  it("sends every span to the operator's endpoint too (OTEL_EXPORTER_OTLP_ENDPOINT), projects with and without otel[] alike", async () => {
    const operatorTarget = { url: `${receiverUrl}/operator/v1/traces`, authorization: '', headers: {}, content_type: 'json' as const };
    const e = exporter({ operatorTarget, dispatcher: createOutboundAgent({ allowPrivate: false }) });
    e.add('p1', [], [span('b'.repeat(32))]);
    e.add('p2', [], [span('c'.repeat(32)), span('c'.repeat(32))]);
    await e.flush();
    // The operator's URL is trusted (not through the guarded agent, which would refuse loopback).
    expect(paths).toEqual(['/operator/v1/traces']);
    const sent = JSON.parse(bodies[0]!) as { resourceSpans: { scopeSpans: { spans: { traceId: string }[] }[] }[] };
    expect(sent.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((ss) => ss.spans.map((x) => x.traceId)))).toHaveLength(3);
    expect(drops).toEqual([]);
  });
});
