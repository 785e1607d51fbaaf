import type { GatewayEventBus } from '@switchyard/auth';
import type { LimitCounter } from '@switchyard/metering';
import type { DynamicRoutesRepository } from '@switchyard/persistence';
import type { AdmissionTicket } from '../pipeline/admission';
import { GatewayError, type JsonObject } from '@switchyard/types';
import type { ConditionContext } from './route-conditions';
import { compileRoute, parseRouteDocument, type CompiledRoute } from './route-document';
import type { RouteRateLimiter } from './route-rate';
import { walkRoute, type RoutePlan } from './route-walk';

/** A deployed route as the router holds it. */
export interface DeployedRoute {
  name: string;
  versionId: string;
  route: CompiledRoute;
}

/** Entries expire after this long even without an event (DESIGN.md section 3: stale at most 30 s). */
const TTL_MS = 30_000;

/**
 * The deployed dynamic routes of each project, compiled, in memory: loaded on a project's first `dynamic/…`
 * request (a project that never calls one never reads the table), dropped on `routes.changed` (every replica
 * switches on the event), on a resync of the event channel, and after 30 s.
 */
export class DynamicRouteDirectory {
  private readonly cache = new Map<string, { at: number; routes: Promise<Map<string, DeployedRoute>> }>();

  constructor(
    private readonly repository: Pick<DynamicRoutesRepository, 'deployed'>,
    events: Pick<GatewayEventBus, 'onEvent' | 'onResync'>,
    private readonly now: () => number = Date.now,
  ) {
    events.onEvent((e) => {
      if (e.type === 'routes.changed' || e.type === 'project.changed') this.cache.delete(e.projectId);
      else if (e.type === 'organization.changed') this.cache.clear();
    });
    events.onResync(() => this.cache.clear());
  }

  async routeOf(projectId: string, name: string): Promise<DeployedRoute | undefined> {
    let entry = this.cache.get(projectId);
    if (!entry || this.now() - entry.at > TTL_MS) {
      const routes = this.load(projectId);
      entry = { at: this.now(), routes };
      this.cache.set(projectId, entry);
      routes.catch(() => this.cache.delete(projectId));
    }
    return (await entry.routes).get(name);
  }

  private async load(projectId: string): Promise<Map<string, DeployedRoute>> {
    const rows = await this.repository.deployed(projectId);
    return new Map(rows.map((r) => [r.name, { name: r.name, versionId: r.versionId, route: compileRoute(parseRouteDocument(r.data)) }]));
  }
}

/** A dynamic route's plan for one request, with the routing decision for the log record. */
export interface DynamicRoutePlan extends RoutePlan {
  routing: JsonObject;
  /** The settlement of the cost-limited rate elements the request passed (absent: none). */
  ticket?: AdmissionTicket;
}

/** What planning needs besides the directory: the draw of percentage elements, the limiter of rate elements and their cost settlement. */
export interface DynamicRouteDeps {
  random(): number;
  rate: RouteRateLimiter;
  costTicket(holds: readonly LimitCounter[]): AdmissionTicket;
}

/** Plans `dynamic/<name>` for one request of a project: the deployed version, walked. */
export async function planDynamicRoute(
  directory: DynamicRouteDirectory,
  project: { id: string; rateLimitsFailOpen: boolean },
  model: string,
  ctx: ConditionContext,
  deps: DynamicRouteDeps,
): Promise<DynamicRoutePlan> {
  const name = model.slice('dynamic/'.length);
  const deployed = name ? await directory.routeOf(project.id, name) : undefined;
  if (!deployed) {
    throw new GatewayError(404, 'invalid_request_error', 'model_not_found', `The dynamic route '${name}' does not exist in this project or has no deployed version.`, { param: 'model' });
  }
  const scope = { projectId: project.id, route: deployed.name, failOpen: project.rateLimitsFailOpen };
  const holds: LimitCounter[] = [];
  const plan = await walkRoute(deployed.route, ctx, { random: deps.random, admitRate: (element, keyValue) => deps.rate(scope, element, keyValue, holds) }, name);
  const routing: JsonObject = {
    route: deployed.name,
    version_id: deployed.versionId,
    path: plan.decisions.map((d) => ({ element: d.elementId, type: d.type, outcome: d.outcome })),
    targets: plan.targets.map((t) => ({ element: t.elementId, provider: t.provider, model: t.model })),
  };
  return holds.length ? { ...plan, routing, ticket: deps.costTicket(holds) } : { ...plan, routing };
}
