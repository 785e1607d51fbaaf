import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ResolvedConnection } from '@switchyard/auth';
import type { LogAttempt } from '@switchyard/metering';
import { createAdapterRegistry, createVertexAdapter, type ProviderAdapter, type VertexTokenSource } from '@switchyard/providers';
import type { ChatCompletionChunk, ChatRequest } from '@switchyard/types';
import { GatewayError } from '@switchyard/types';
import { Cancellation } from './cancellation';
import type { ExecutionPolicy } from './execution-policy';
import { Executor, splitUrl, type StreamResult } from './executor';
import { providerAnswerOf } from './provider-answer';
import type { RouteTarget } from './resolve-model';

describe('splitUrl', () => {
  it.each([
    ['https://api.openai.com/v1/chat/completions', 'https://api.openai.com', '/v1/chat/completions'],
    ['http://127.0.0.1:8000/v1/chat/completions?api-version=2024-10-21', 'http://127.0.0.1:8000', '/v1/chat/completions?api-version=2024-10-21'],
    ['https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude%3A0/converse', 'https://bedrock-runtime.us-east-1.amazonaws.com', '/model/anthropic.claude%3A0/converse'],
    ['http://[::1]:9000', 'http://[::1]:9000', '/'],
  ])('%s', (url, origin, path) => {
    expect(splitUrl(url)).toEqual({ origin, path });
  });
});

/** One scripted upstream answer: a status, headers, and the body's reads in order (an Error: the connection fails there). */
interface Reply {
  status?: number;
  headers?: Record<string, string>;
  reads?: (string | Error)[];
}

/** A dispatcher that answers from a script, one read per entry, and records what was asked of it. */
class ScriptedUpstream {
  readonly requests: { origin: string; body: Record<string, unknown> }[] = [];
  constructor(private readonly replies: (Reply | Error)[]) {}

  async request(opts: { origin: string; body: string }) {
    this.requests.push({ origin: opts.origin, body: JSON.parse(opts.body) as Record<string, unknown> });
    const reply = this.replies.shift();
    if (!reply) throw new Error('no reply scripted');
    if (reply instanceof Error) throw reply;
    const reads = reply.reads ?? [];
    const text = reads.filter((r): r is string => typeof r === 'string').join('');
    const body = Object.assign(
      Readable.from(
        (async function* () {
          for (const r of reads) {
            if (r instanceof Error) throw r;
            yield Buffer.from(r);
          }
        })(),
      ),
      { text: async () => text, json: async (): Promise<unknown> => JSON.parse(text) },
    );
    return { statusCode: reply.status ?? 200, headers: reply.headers ?? {}, body };
  }

  async close() {}
}

const connection = (id: string, baseUrl: string): ResolvedConnection => ({
  id,
  organizationId: 'org',
  provider: 'openai',
  slug: id,
  name: id,
  baseUrl,
  isDefault: true,
  credentials: { api_key: 'sk-secret-value-of-this-connection' },
  rateLimit: null,
  rateLimitPeriod: null,
});
const primary: RouteTarget = { connection: connection('primary', 'https://primary.test/v1'), upstreamModel: 'gpt-4o-mini', requested: 'gpt-4o-mini' };
const backup: RouteTarget = { connection: connection('backup', 'https://backup.test/v1'), upstreamModel: 'gpt-4o', requested: 'gpt-4o' };
const policy: ExecutionPolicy = { maxAttempts: 3, retryDelayMs: 0, backoff: 'constant', requestTimeoutMs: 5_000, retryAfterCapMs: 5_000, dropUnsupported: false };
const ask = (stream = false): ChatRequest => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream });

const completion = (content: string) =>
  JSON.stringify({
    id: 'c',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
  });
const event = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({ id: 's', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
const usageEvent = `data: ${JSON.stringify({ id: 's', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } })}\n\n`;
const DONE = 'data: [DONE]\n\n';
const json = { 'content-type': 'application/json' };
const errorBody = (message: string) => JSON.stringify({ error: { message, type: 'server_error', code: null } });

function executor(upstream: ScriptedUpstream, sleeps: number[] = []) {
  return new Executor({
    bodyIdleTimeoutMs: 5_000,
    dispatcher: upstream as unknown as Dispatcher,
    adapters: createAdapterRegistry({ fetchImage: async () => Promise.reject(new Error('no images in these tests')) }),
    sleep: async (ms) => void sleeps.push(ms),
    account: (provider, model, usage) => ({ provider, model, tokens: { input: usage?.prompt_tokens ?? 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, output: usage?.completion_tokens ?? 0 }, cost: 0.01 }),
  });
}

async function drain(result: StreamResult): Promise<string> {
  let text = '';
  const content = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
  text += content(result.head);
  for await (const batch of result.tail) text += content(batch);
  return text;
}

describe('Executor', () => {
  it('retries a retryable failure on the same target, then answers (with the usage record of the call)', async () => {
    const upstream = new ScriptedUpstream([{ status: 500, headers: json, reads: [errorBody('boom')] }, new Error('socket hang up'), { headers: json, reads: [completion('Hello')] }]);
    const sleeps: number[] = [];
    const result = await executor(upstream, sleeps).execute(ask(), [primary, backup], policy, new Cancellation());
    expect(result.kind).toBe('completion');
    expect(result.meta).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', connectionId: 'primary', step: 0, attempts: 3 });
    expect(result.usage).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', tokens: { input: 10, output: 2 }, cost: 0.01 });
    expect(upstream.requests.map((r) => r.origin)).toEqual(['https://primary.test', 'https://primary.test', 'https://primary.test']);
    expect(sleeps).toHaveLength(2);
  });

  it('falls back to the next target when one gives up (retries exhausted, or an auth error at once)', async () => {
    const exhausted = new ScriptedUpstream([503, 503, 503].map((status) => ({ status, headers: json, reads: [errorBody('down')] })).concat([{ status: 200, headers: json, reads: [completion('Hi')] }]));
    const viaExhausted = await executor(exhausted).execute(ask(), [primary, backup], policy, new Cancellation());
    expect(viaExhausted.meta).toMatchObject({ connectionId: 'backup', model: 'gpt-4o', step: 1, attempts: 4 });
    expect(exhausted.requests.at(-1)).toMatchObject({ origin: 'https://backup.test', body: { model: 'gpt-4o' } });

    const rejected = new ScriptedUpstream([{ status: 401, headers: json, reads: [errorBody('bad key')] }, { headers: json, reads: [completion('Hi')] }]);
    const viaRejected = await executor(rejected).execute(ask(), [primary, backup], policy, new Cancellation());
    expect(viaRejected.meta).toMatchObject({ connectionId: 'backup', step: 1, attempts: 2 });
  });

  it('asks the gate before each target: a moved target is tried on its new connection, a skipped one ends the call with the 429 kept', async () => {
    const spare: RouteTarget = { ...backup, connection: connection('spare', 'https://spare.test/v1') };
    const limited = new GatewayError(429, 'rate_limit_error', 'connection_rate_limit_exceeded', 'Over the limit.', { param: 'rate_limit', headers: { 'retry-after': '60' } });
    const gate = (decide: (t: RouteTarget) => RouteTarget | null) => {
      const asked: string[] = [];
      return {
        asked,
        refusal: limited,
        enter: async (t: RouteTarget) => {
          asked.push(t.connection.id);
          return decide(t);
        },
      };
    };
    const moving = gate((t) => (t === backup ? spare : t));
    const moved = new ScriptedUpstream([{ status: 404, headers: json, reads: [errorBody('no such model')] }, { headers: json, reads: [completion('Hi')] }]);
    const result = await executor(moved).execute(ask(), [primary, backup], policy, new Cancellation(), undefined, undefined, moving);
    expect(moving.asked).toEqual(['primary', 'backup']);
    expect(result.meta).toMatchObject({ connectionId: 'spare', step: 1, attempts: 2 });
    expect(moved.requests.map((r) => r.origin)).toEqual(['https://primary.test', 'https://spare.test']);

    const full = new ScriptedUpstream([{ status: 404, headers: json, reads: [errorBody('no such model')] }]);
    const err = (await executor(full)
      .execute(ask(), [primary, backup], policy, new Cancellation(), undefined, undefined, gate((t) => (t === backup ? null : t)))
      .catch((e: unknown) => e)) as GatewayError;
    expect(err).toMatchObject({ status: 429, code: 'connection_rate_limit_exceeded', param: 'rate_limit', headers: { 'retry-after': '60', 'x-gateway-attempts': '1' } });
    expect(err.details).toEqual([
      { target: 'openai/gpt-4o', connection: 'backup', reason: 'connection_rate_limited', tried: false },
      { target: 'openai/gpt-4o-mini', connection: 'primary', reason: 'model_not_found', status: 404, tried: true },
    ]);
    expect(full.requests).toHaveLength(1);
  });

  it('does not fall back on a client error, and maps the last failure with the attempts made', async () => {
    const upstream = new ScriptedUpstream([{ status: 400, headers: json, reads: [errorBody('Invalid value for temperature')] }]);
    const call = executor(upstream).execute(ask(), [primary, backup], policy, new Cancellation());
    await expect(call).rejects.toMatchObject({ status: 400, code: 'invalid_request', headers: { 'x-gateway-attempts': '1' } });
    expect(upstream.requests).toHaveLength(1);
  });

  it('waits as long as Retry-After asks, up to the cap', async () => {
    const sleeps: number[] = [];
    const upstream = new ScriptedUpstream([
      { status: 429, headers: { ...json, 'retry-after': '2' }, reads: [errorBody('slow down')] },
      { status: 429, headers: { ...json, 'retry-after': '120' }, reads: [errorBody('slow down')] },
      { status: 429, headers: { ...json, 'retry-after': '1' }, reads: [errorBody('slow down')] },
    ]);
    const call = executor(upstream, sleeps).execute(ask(), [primary], policy, new Cancellation());
    const err = (await call.catch((e: unknown) => e)) as GatewayError;
    expect(sleeps).toEqual([2_000, 5_000]);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limit_exceeded', headers: { 'retry-after': '1', 'x-gateway-attempts': '3' } });
  });

  it('holds a stream until its first content: a failure before it fails over invisibly', async () => {
    const upstream = new ScriptedUpstream([
      { reads: [event({ role: 'assistant', content: '' }), new Error('other side closed')] },
      { reads: [event({ role: 'assistant', content: '' }) + event({ content: 'clean' }), event({ content: ' stream' }), usageEvent, DONE] },
    ]);
    const result = await executor(upstream).execute(ask(true), [primary], policy, new Cancellation());
    if (result.kind !== 'stream') throw new Error('expected a stream');
    expect(result.meta.attempts).toBe(2);
    expect(result.usage).toBeNull();
    expect(await drain(result)).toBe('clean stream');
    expect(result.usage).toMatchObject({ tokens: { input: 10, output: 2 }, cost: 0.01 });
    expect(upstream.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('after the first content, a failure ends the tail with the error the client sees, mapped as before the first byte', async () => {
    const dropped = new ScriptedUpstream([{ reads: [event({ content: 'first' }), new Error('other side closed')] }]);
    const result = await executor(dropped).execute(ask(true), [primary, backup], policy, new Cancellation());
    if (result.kind !== 'stream') throw new Error('expected a stream');
    await expect(drain(result)).rejects.toMatchObject({ status: 502, code: 'provider_unreachable' });
    expect(dropped.requests).toHaveLength(1);

    const overloaded = new ScriptedUpstream([
      { reads: [event({ content: 'first' }), `data: ${JSON.stringify({ error: { message: 'Overloaded sk-secret-value-of-this-connection', type: 'overloaded_error' } })}\n\n`] },
    ]);
    const failed = await executor(overloaded).execute(ask(true), [primary], policy, new Cancellation());
    if (failed.kind !== 'stream') throw new Error('expected a stream');
    const err = (await drain(failed).catch((e: unknown) => e)) as GatewayError;
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ status: 503, type: 'api_error', code: 'provider_unavailable' });
    expect(err.message).not.toContain('sk-secret');
  });

  it('reports each attempt on the side channel when asked: target, status or null, duration, error code', async () => {
    const upstream = new ScriptedUpstream([
      { status: 503, headers: json, reads: [errorBody('down')] },
      new Error('socket hang up'),
      { status: 401, headers: json, reads: [errorBody('bad key')] },
      { headers: json, reads: [completion('Hi')] },
    ]);
    const attempts: LogAttempt[] = [];
    const result = await executor(upstream).execute(ask(), [primary, { ...primary, connection: connection('second', 'https://second.test/v1') }, backup], { ...policy, maxAttempts: 2 }, new Cancellation(), attempts);
    expect(result.meta).toMatchObject({ connectionId: 'backup', step: 2, attempts: 4 });
    expect(attempts).toEqual([
      { step: 0, provider: 'openai', model: 'gpt-4o-mini', connectionId: 'primary', status: 503, durationMs: expect.any(Number), startMs: expect.any(Number), errorCode: 'provider_unavailable' },
      { step: 0, provider: 'openai', model: 'gpt-4o-mini', connectionId: 'primary', status: null, durationMs: expect.any(Number), startMs: expect.any(Number), errorCode: 'provider_unreachable' },
      { step: 1, provider: 'openai', model: 'gpt-4o-mini', connectionId: 'second', status: 401, durationMs: expect.any(Number), startMs: expect.any(Number), errorCode: 'provider_auth_error' },
      { step: 2, provider: 'openai', model: 'gpt-4o', connectionId: 'backup', status: 200, durationMs: expect.any(Number), startMs: expect.any(Number), errorCode: null },
    ]);
  });

  it('keeps the attempts of a call that fails in the side channel', async () => {
    const upstream = new ScriptedUpstream([{ status: 400, headers: json, reads: [errorBody('Invalid value for temperature')] }]);
    const attempts: LogAttempt[] = [];
    await expect(executor(upstream).execute(ask(), [primary], policy, new Cancellation(), attempts)).rejects.toMatchObject({ status: 400 });
    expect(attempts).toEqual([expect.objectContaining({ step: 0, connectionId: 'primary', status: 400, errorCode: 'invalid_request' })]);
  });
});

describe('Executor on a provider-native path', () => {
  it("removes the access token fetched for the call (no stored credential holds it) from the provider's error answer and message", async () => {
    const token = 'ya29.access-token-fetched-at-request-time';
    const vertex = createVertexAdapter({ fetchImage: async () => Promise.reject(new Error('no images')), tokenSource: { token: async () => token } as unknown as VertexTokenSource });
    const upstream = new ScriptedUpstream([{ status: 401, headers: json, reads: [JSON.stringify({ error: { code: 401, message: `Request had invalid credentials: Bearer ${token}`, status: 'UNAUTHENTICATED' } })] }]);
    const run = new Executor({ bodyIdleTimeoutMs: 5_000, dispatcher: upstream as unknown as Dispatcher, adapters: () => vertex as ProviderAdapter, sleep: async () => undefined });
    const target: RouteTarget = {
      connection: { ...connection('vertex', 'https://vertex.test'), provider: 'google-vertex', credentials: { service_account_json: '{}', project_id: 'p', region: 'us-central1' } },
      upstreamModel: 'gemini-2.0-flash',
      requested: 'google-vertex/gemini-2.0-flash',
    };
    const body = Buffer.from(JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }));
    const request = { method: 'POST' as const, path: '/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent', body, json: null, headers: {} };
    const err = await run.executeProviderPath(request, [target], policy, new Cancellation()).catch((e: unknown) => e);
    const answer = providerAnswerOf(err);
    expect(answer?.status).toBe(401);
    expect(answer?.body.toString()).toContain('Request had invalid credentials: Bearer [redacted]');
    expect(JSON.stringify({ message: (err as Error).message, answer: answer?.body.toString() })).not.toContain('access-token-fetched');
  });
});
