import { GatewayError } from '@switchyard/types';
import type { ConditionContext } from './route-conditions';
import { compileRoute, parseRouteDocument, type CompiledElement } from './route-document';
import { MISSING_RATE_KEY, walkRoute, type RouteWalkDeps } from './route-walk';
import { supportRoute } from '@switchyard/testing';

const route = compileRoute(parseRouteDocument(supportRoute()));

const request = (metadata: Record<string, unknown>): ConditionContext => ({ metadata, headers: {}, body: {}, customer: {} });

/** Deps with a fixed draw and a limiter that admits while `admit` says so, recording what it was asked. */
function deps(draw: number, admit = true) {
  const asked: { element: string; key: string }[] = [];
  const d: RouteWalkDeps = {
    random: () => draw,
    admitRate: (element: Extract<CompiledElement, { type: 'rate' }>, key: string) => {
      asked.push({ element: element.id, key });
      return Promise.resolve(admit);
    },
  };
  return { d, asked };
}

const models = (plan: Awaited<ReturnType<typeof walkRoute>>) => plan.targets.map((t) => `${t.provider}/${t.model}`);

describe('walkRoute (the worked example)', () => {
  it('sends free-plan users to the cheap model without touching the budget', async () => {
    const { d, asked } = deps(0.5);
    const plan = await walkRoute(route, request({ plan: 'free', user_id: 'u1' }), d, 'support');
    expect(models(plan)).toEqual(['groq/llama-3.1-8b-instant']);
    expect(plan.targets[0]).toEqual({ elementId: 'm_cheap', provider: 'groq', model: 'llama-3.1-8b-instant', timeout: 30000, retries: 1 });
    expect(plan.decisions.map((s) => `${s.elementId}:${s.outcome}`)).toEqual(['s:next', 'c:true', 'm_cheap:target', 'e:end']);
    expect(asked).toEqual([]);
  });

  it('splits other plans 90/10 under the per-user budget, falling back to the cheap model', async () => {
    const a = deps(0.899);
    const planA = await walkRoute(route, request({ plan: 'pro', user_id: 'u1' }), a.d, 'support');
    expect(models(planA)).toEqual(['openai/gpt-4.1', 'groq/llama-3.1-8b-instant']);
    expect(planA.decisions.map((s) => `${s.elementId}:${s.outcome}`)).toEqual(['s:next', 'c:false', 'budget:success', 'split:90%', 'm_a:target', 'm_cheap:target', 'e:end']);
    expect(a.asked).toEqual([{ element: 'budget', key: 'u1' }]);

    const b = deps(0.9);
    const planB = await walkRoute(route, request({ plan: 'pro', user_id: 'u1' }), b.d, 'support');
    expect(models(planB)).toEqual(['anthropic/claude-sonnet-4-5', 'groq/llama-3.1-8b-instant']);
    expect(planB.decisions.find((s) => s.elementId === 'split')?.outcome).toBe('else');
  });

  it('sends a user over budget to the fallback', async () => {
    const plan = await walkRoute(route, request({ plan: 'pro', user_id: 'u1' }), deps(0.1, false).d, 'support');
    expect(models(plan)).toEqual(['groq/llama-3.1-8b-instant']);
    expect(plan.decisions.find((s) => s.elementId === 'budget')?.outcome).toBe('fallback');
  });

  it('counts requests without the key in one shared bucket', async () => {
    const { d, asked } = deps(0.1);
    await walkRoute(route, request({ plan: 'pro' }), d, 'support');
    await walkRoute(route, request({ plan: 'pro', user_id: 42 }), d, 'support');
    expect(asked.map((a) => a.key)).toEqual([MISSING_RATE_KEY, '42']);
  });

  it('lands within ±2 points of 90/10 over 10,000 uniform draws', async () => {
    let first = 0;
    for (let i = 0; i < 10_000; i++) {
      const plan = await walkRoute(route, request({ plan: 'pro', user_id: 'u1' }), deps(Math.random()).d, 'support');
      if (plan.targets[0]!.elementId === 'm_a') first += 1;
    }
    expect(Math.abs(first / 100 - 90)).toBeLessThanOrEqual(2);
  });
});

describe('walkRoute (edges)', () => {
  const single = (elements: unknown[]) => compileRoute(parseRouteDocument({ elements }));
  const start = (next: string) => ({ id: 's', type: 'start', outputs: { next: { elementId: next } } });
  const model = (id: string, fallback?: string) => ({
    id,
    type: 'model',
    properties: { provider: 'openai', model: id },
    outputs: { success: { elementId: 'e' }, ...(fallback ? { fallback: { elementId: fallback } } : {}) },
  });
  const end = { id: 'e', type: 'end' };

  it('answers 429 when a rate element without fallback is over its limit', async () => {
    const r = single([
      start('r'),
      { id: 'r', type: 'rate', properties: { key: 'metadata.user_id', limit: 50, window: 60 }, outputs: { success: { elementId: 'm' } } },
      model('m'),
      end,
    ]);
    const error = await walkRoute(r, request({ user_id: 'u' }), deps(0, false).d, 'limited').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 429, code: 'route_rate_limited', headers: { 'retry-after': '60' } });
    expect((error as Error).message).toContain("element 'r'");
  });

  it('answers 400 when a percentage without else draws outside its branches', async () => {
    const r = single([start('p'), { id: 'p', type: 'percentage', outputs: { '50%': { elementId: 'm' } } }, model('m'), end]);
    await expect(walkRoute(r, request({}), deps(0.49).d, 'half')).resolves.toMatchObject({ targets: [{ elementId: 'm' }] });
    await expect(walkRoute(r, request({}), deps(0.5).d, 'half')).rejects.toMatchObject({ status: 400, code: 'route_no_branch' });
  });

  it('answers 400 when the path reaches the end without a model', async () => {
    const r = single([
      start('c'),
      { id: 'c', type: 'conditional', properties: { conditions: { 'metadata.x': 1 } }, outputs: { true: { elementId: 'm' }, false: { elementId: 'e' } } },
      model('m'),
      end,
    ]);
    await expect(walkRoute(r, request({}), deps(0).d, 'empty')).rejects.toMatchObject({ status: 400, code: 'route_no_model' });
  });

  it('follows a chain of fallbacks in order', async () => {
    const r = single([start('a'), model('a', 'b'), model('b', 'c'), model('c'), end]);
    const plan = await walkRoute(r, request({}), deps(0).d, 'chain');
    expect(plan.targets.map((t) => t.elementId)).toEqual(['a', 'b', 'c']);
    expect(plan.decisions.at(-1)).toEqual({ elementId: 'c', type: 'model', outcome: 'target' });
  });
});
