import type { ProjectSnapshot } from '@switchyard/auth';
import { DEFAULT_PROJECT_SETTINGS, type ChatCompletionChunk, type ChatRequest, type ProjectSettings } from '@switchyard/types';
import { LiveFillFailed, type LiveFeed } from '../cache/live-fill';
import type { CacheEntry, CacheLookup, ResponseCache } from '../cache/response-cache';
import type { ExecutionMeta, ExecutionResult } from '../executor';
import type { RouteTarget } from '../resolve-model';
import { tailOf } from '../stream-batches';
import { GovernedExecution } from './governed-execution';
import { parseRequestControls } from './request-controls';

const project = (settings: Partial<ProjectSettings> = {}): ProjectSnapshot => ({
  id: 'p1',
  organizationId: 'o1',
  slug: 'default',
  name: 'Default',
  retentionDays: 30,
  settings: { ...DEFAULT_PROJECT_SETTINGS, ...settings },
  version: 1,
  spendRules: [],
  quotas: null,
});
const request: ChatRequest = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const targets = [{ connection: { id: 'c1' }, upstreamModel: 'gpt-4o-mini' }] as unknown as RouteTarget[];
const meta = (): ExecutionMeta => ({ provider: 'openai', model: 'gpt-4o-mini', connectionId: 'c1', step: 0, attempts: 1, firstByteMs: 1 });
const chunk = (content: string, finish: 'stop' | null = null): ChatCompletionChunk => ({
  id: 'x',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta: { content }, finish_reason: finish }],
});

function fakeCache(found: CacheLookup = { fill: 'token' }, ...then: CacheLookup[]) {
  const looks = [found, ...then];
  const cache = {
    lookup: jest.fn(async () => (looks.length > 1 ? looks.shift()! : looks[0]!)),
    fill: jest.fn(async () => undefined),
    release: jest.fn(async () => undefined),
    publisher: jest.fn(() => null),
    maxEntryBytes: 1 << 20,
  };
  return { cache, governed: new GovernedExecution(cache as unknown as ResponseCache) };
}

/** Begins and runs a call at once (admission has nothing to say in these tests). */
const run = (governed: GovernedExecution, p: ProjectSnapshot, r: ChatRequest, c: ReturnType<typeof parseRequestControls>, t: readonly RouteTarget[], execute: (request: ChatRequest) => Promise<ExecutionResult>) =>
  governed.begin(p, r, c, t).run(execute);

describe('GovernedExecution', () => {
  it('a project with neither cache nor DLP, and a request asking nothing of the cache, goes straight to the call (no lookup)', async () => {
    const { cache, governed } = fakeCache();
    const result: ExecutionResult = { kind: 'completion', completion: { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [] }, meta: meta(), usage: null };
    const execute = jest.fn(async () => result);
    expect(await run(governed, project(), request, parseRequestControls({}), targets, execute)).toBe(result);
    expect(execute).toHaveBeenCalledWith(request);
    expect(cache.lookup).not.toHaveBeenCalled();
    expect(result.meta.cache).toBeUndefined();
  });

  it('a hit never calls upstream; a miss stores the completion with its TTL and the lock token', async () => {
    const entry: CacheEntry = { kind: 'completion', completion: { id: 'cached', object: 'chat.completion', created: 1, model: 'm', choices: [] }, meta: meta() };
    const hit = fakeCache({ hit: entry });
    const execute = jest.fn();
    const served = await run(hit.governed, project({ cache_ttl: 60 }), request, parseRequestControls({}), targets, execute);
    expect(execute).not.toHaveBeenCalled();
    expect(served).toMatchObject({ kind: 'completion', completion: { id: 'cached' }, meta: { cache: 'HIT', attempts: 0 }, usage: { cost: 0 } });

    const miss = fakeCache();
    const result: ExecutionResult = { kind: 'completion', completion: { id: 'fresh', object: 'chat.completion', created: 1, model: 'm', choices: [] }, meta: meta(), usage: null };
    await run(miss.governed, project({ cache_ttl: 60 }), request, parseRequestControls({ 'x-gateway-cache-ttl': '30' }), targets, async () => result);
    expect(result.meta.cache).toBe('MISS');
    expect(miss.cache.fill).toHaveBeenCalledWith(expect.any(String), 'token', expect.objectContaining({ kind: 'completion' }), 30);
  });

  it('stores a stream only once it ended cleanly; frees the lock when it broke or the call failed', async () => {
    const clean = fakeCache();
    const ok: ExecutionResult = { kind: 'stream', head: [chunk('a')], tail: tailOf([[chunk('b')], [chunk('', 'stop')]]), meta: meta(), usage: null };
    const served = await run(clean.governed, project({ cache_ttl: 60 }), { ...request, stream: true }, parseRequestControls({}), targets, async () => ok);
    expect(clean.cache.fill).not.toHaveBeenCalled();
    if (served.kind !== 'stream') throw new Error('a stream');
    for await (const _ of served.tail) void _;
    expect(clean.cache.fill).toHaveBeenCalledWith(expect.any(String), 'token', { kind: 'stream', batches: [[chunk('a')], [chunk('b')], [chunk('', 'stop')]], meta: expect.anything() }, 60, false);

    const broken = fakeCache();
    const failing: ExecutionResult = {
      kind: 'stream',
      head: [chunk('a')],
      tail: (async function* () {
        yield [chunk('b')];
        throw new Error('upstream dropped');
      })(),
      meta: meta(),
      usage: null,
    };
    const s = await run(broken.governed, project({ cache_ttl: 60 }), { ...request, stream: true }, parseRequestControls({}), targets, async () => failing);
    if (s.kind !== 'stream') throw new Error('a stream');
    await expect((async () => { for await (const _ of s.tail) void _; })()).rejects.toThrow('upstream dropped');
    expect(broken.cache.fill).not.toHaveBeenCalled();
    // No live publisher (this cache follows no fills live): no waiter to tell.
    expect(broken.cache.release).toHaveBeenCalledWith(expect.any(String), 'token', false);

    const error = fakeCache();
    await expect(run(error.governed, project({ cache_ttl: 60 }), request, parseRequestControls({}), targets, async () => Promise.reject(new Error('503')))).rejects.toThrow('503');
    expect(error.cache.release).toHaveBeenCalled();
  });

  it('begin sends the look at once (in the caller\'s tick, to share the admission round trip); a refused call frees the lock it took', async () => {
    const { cache, governed } = fakeCache({ fill: 'token' });
    const call = governed.begin(project({ cache_ttl: 60 }), request, parseRequestControls({}), targets);
    expect(cache.lookup).toHaveBeenCalledTimes(1);
    const [hash, stop] = cache.lookup.mock.calls[0] as unknown as [string, AbortSignal];
    call.abandon();
    expect(stop.aborted).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(cache.release).toHaveBeenCalledWith(hash, 'token');

    const entry: CacheEntry = { kind: 'completion', completion: { id: 'cached', object: 'chat.completion', created: 1, model: 'm', choices: [] }, meta: meta() };
    const hit = fakeCache({ hit: entry });
    hit.governed.begin(project({ cache_ttl: 60 }), request, parseRequestControls({}), targets).abandon();
    await new Promise((r) => setImmediate(r));
    expect(hit.cache.release).not.toHaveBeenCalled();
  });

  it('begin sends nothing when the project has no cache and the request asks nothing of it', () => {
    const { cache, governed } = fakeCache();
    governed.begin(project(), request, parseRequestControls({}), targets).abandon();
    expect(cache.lookup).not.toHaveBeenCalled();
    expect(cache.release).not.toHaveBeenCalled();
  });
  describe('a stream waiter following a concurrent fill live', () => {
    /** A fill as its feed gives it: these batches, then the end, or a failure. */
    const feed = (batches: ChatCompletionChunk[][], fails: boolean): LiveFeed =>
      ({
        meta: { provider: 'openai', model: 'gpt-4o-mini', connectionId: 'c1' },
        read: async function* () {
          yield* batches;
          if (fails) throw new LiveFillFailed('failed or was aborted');
        },
      }) as unknown as LiveFeed;
    const streamed = { ...request, stream: true };
    const drain = async (result: ExecutionResult) => {
      if (result.kind !== 'stream') throw new Error('a stream');
      const all = [result.head];
      for await (const b of result.tail) all.push(b);
      return all;
    };
    const own = (contents: string[]): ExecutionResult => ({
      kind: 'stream',
      head: [chunk(contents[0]!)],
      tail: tailOf(contents.slice(1).map((c, i) => [chunk(c, i === contents.length - 2 ? 'stop' : null)])),
      meta: { ...meta(), attempts: 1 },
      usage: { provider: 'openai', model: 'gpt-4o-mini', tokens: { input: 1, cacheRead: 0, cacheWrite: 0, reasoning: 0, output: 3 }, cost: 0.5 } as never,
    });

    it('relays the fill\'s batches as a HIT at cost 0, without calling upstream', async () => {
      const { governed } = fakeCache({ follow: feed([[chunk('a')], [chunk('b'), chunk('', 'stop')]], false) });
      const execute = jest.fn();
      const result = await run(governed, project({ cache_ttl: 60 }), streamed, parseRequestControls({}), targets, execute);
      expect(result).toMatchObject({ meta: { cache: 'HIT', attempts: 0 }, usage: { cost: 0 } });
      expect(await drain(result)).toEqual([[chunk('a')], [chunk('b'), chunk('', 'stop')]]);
      expect(execute).not.toHaveBeenCalled();
    });

    it('a fill that fails mid-stream: the waiter takes the lock, calls upstream and sends only what follows what it relayed; its own usage is settled', async () => {
      const { cache, governed } = fakeCache({ follow: feed([[chunk('a')], [chunk('b')]], true) }, { fill: 'mine' });
      const result = await run(governed, project({ cache_ttl: 60 }), streamed, parseRequestControls({}), targets, async () => own(['a', 'b', 'c', '']));
      expect(await drain(result)).toEqual([[chunk('a')], [chunk('b')], [chunk('c')], [chunk('', 'stop')]]);
      expect(result.usage?.cost).toBe(0.5);
      expect(result.meta).toMatchObject({ cache: 'MISS', attempts: 1 });
      expect(cache.lookup).toHaveBeenCalledTimes(2);
      expect(cache.publisher).toHaveBeenCalledWith(expect.any(String), 'mine', expect.objectContaining({ connectionId: 'c1' }));
    });

    it('a new answer that does not repeat what was relayed ends the stream with cache_fill_failed; a fill that fails before its first batch is invisible', async () => {
      const differs = fakeCache({ follow: feed([[chunk('a')]], true) }, { fill: 'mine' });
      const result = await run(differs.governed, project({ cache_ttl: 60 }), streamed, parseRequestControls({}), targets, async () => own(['x', 'y', '']));
      await expect(drain(result)).rejects.toMatchObject({ status: 502, code: 'cache_fill_failed' });

      const early = fakeCache({ follow: feed([], true) }, { fill: 'mine' });
      const fresh = await run(early.governed, project({ cache_ttl: 60 }), streamed, parseRequestControls({}), targets, async () => own(['x', '']));
      expect(await drain(fresh)).toEqual([[chunk('x')], [chunk('', 'stop')]]);
      expect(fresh.meta.cache).toBe('MISS');
    });

    it('after two failed fills the waiter calls upstream without the lock', async () => {
      const failing = { follow: feed([], true) };
      const { cache, governed } = fakeCache(failing, failing, failing);
      const result = await run(governed, project({ cache_ttl: 60 }), streamed, parseRequestControls({}), targets, async () => own(['x', '']));
      expect(await drain(result)).toEqual([[chunk('x')], [chunk('', 'stop')]]);
      expect(cache.lookup).toHaveBeenCalledTimes(2);
      expect(cache.publisher).toHaveBeenCalledWith(expect.any(String), null, expect.anything());
    });
  });
});
