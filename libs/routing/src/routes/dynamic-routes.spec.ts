import type { GatewayEvent } from '@switchyard/auth';
import { supportRoute } from '@switchyard/testing';
import { DynamicRouteDirectory, planDynamicRoute } from './dynamic-routes';

/** A directory over an in-memory "table" with a hand-driven event bus and clock. */
function setup() {
  const table = new Map<string, { name: string; versionId: string; data: { elements: unknown[] } }[]>([['p1', [{ name: 'support', versionId: 'v1', data: supportRoute() }]]]);
  let loads = 0;
  let handler: (e: GatewayEvent) => void = () => undefined;
  let resync: () => void = () => undefined;
  let now = 0;
  const directory = new DynamicRouteDirectory(
    {
      deployed: (projectId: string) => {
        loads += 1;
        return Promise.resolve(table.get(projectId) ?? []);
      },
    },
    { onEvent: (h) => (handler = h), onResync: (h) => (resync = h) },
    () => now,
  );
  return { directory, table, loads: () => loads, emit: (e: GatewayEvent) => handler(e), resync: () => resync(), advance: (ms: number) => (now += ms) };
}

describe('DynamicRouteDirectory', () => {
  it('loads a project once, and again after routes.changed, a resync or 30 s', async () => {
    const s = setup();
    expect((await s.directory.routeOf('p1', 'support'))?.versionId).toBe('v1');
    expect(await s.directory.routeOf('p1', 'other')).toBeUndefined();
    expect(s.loads()).toBe(1);

    s.table.set('p1', [{ name: 'support', versionId: 'v2', data: supportRoute() }]);
    s.emit({ type: 'routes.changed', organizationId: 'o1', projectId: 'p2' });
    expect((await s.directory.routeOf('p1', 'support'))?.versionId).toBe('v1');
    s.emit({ type: 'routes.changed', organizationId: 'o1', projectId: 'p1' });
    expect((await s.directory.routeOf('p1', 'support'))?.versionId).toBe('v2');
    expect(s.loads()).toBe(2);

    s.resync();
    await s.directory.routeOf('p1', 'support');
    expect(s.loads()).toBe(3);
    s.advance(30_001);
    await s.directory.routeOf('p1', 'support');
    expect(s.loads()).toBe(4);
  });

  const noTicket = () => ({ headers: {}, settle: () => undefined, release: () => undefined });

  it('plans a request with the routing decision, and 404s an unknown route', async () => {
    const s = setup();
    const deps = { random: () => 0, rate: () => Promise.resolve(true), costTicket: noTicket };
    const project = { id: 'p1', rateLimitsFailOpen: true };
    const ctx = { metadata: { plan: 'free' }, headers: {}, body: {}, customer: {} };
    const plan = await planDynamicRoute(s.directory, project, 'dynamic/support', ctx, deps);
    expect(plan.routing).toEqual({
      route: 'support',
      version_id: 'v1',
      path: [
        { element: 's', type: 'start', outcome: 'next' },
        { element: 'c', type: 'conditional', outcome: 'true' },
        { element: 'm_cheap', type: 'model', outcome: 'target' },
        { element: 'e', type: 'end', outcome: 'end' },
      ],
      targets: [{ element: 'm_cheap', provider: 'groq', model: 'llama-3.1-8b-instant' }],
    });
    await expect(planDynamicRoute(s.directory, project, 'dynamic/missing', ctx, deps)).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    await expect(planDynamicRoute(s.directory, project, 'dynamic/', ctx, deps)).rejects.toMatchObject({ status: 404 });
  });

  it("asks the limiter with the project's scope and the request's key value", async () => {
    const s = setup();
    const asked: unknown[] = [];
    const deps = {
      random: () => 0,
      rate: (scope: unknown, element: { id: string }, keyValue: string) => {
        asked.push({ scope, element: element.id, keyValue });
        return Promise.resolve(false);
      },
      costTicket: noTicket,
    };
    const plan = await planDynamicRoute(s.directory, { id: 'p1', rateLimitsFailOpen: false }, 'dynamic/support', { metadata: { plan: 'pro', user_id: 'u7' }, headers: {}, body: {}, customer: {} }, deps);
    expect(asked).toEqual([{ scope: { projectId: 'p1', route: 'support', failOpen: false }, element: 'budget', keyValue: 'u7' }]);
    expect(plan.targets.map((t) => t.elementId)).toEqual(['m_cheap']);
  });
});
