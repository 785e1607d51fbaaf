import type { ProjectSnapshot } from '@switchyard/auth';
import { DEFAULT_PROJECT_SETTINGS, type ChatCompletionChunk, type ChatRequest, type ProjectSettings } from '@switchyard/types';
import type { CacheEntry, ResponseCache } from '../cache/response-cache';
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

function fakeCache(found: { hit: CacheEntry } | { fill: string | null } = { fill: 'token' }) {
  const cache = { lookup: jest.fn(async () => found), fill: jest.fn(async () => undefined), release: jest.fn(async () => undefined), maxEntryBytes: 1 << 20 };
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
    expect(clean.cache.fill).toHaveBeenCalledWith(expect.any(String), 'token', { kind: 'stream', batches: [[chunk('a')], [chunk('b')], [chunk('', 'stop')]], meta: expect.anything() }, 60);

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
    expect(broken.cache.release).toHaveBeenCalledWith(expect.any(String), 'token');

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
});
