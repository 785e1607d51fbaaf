import { GatewayError } from '@switchyard/types';
import { evaluateCondition, readPath, type ConditionContext } from './route-conditions';
import type { CompiledElement, CompiledRoute } from './route-document';

/** A `model` element the walk reached: the router resolves `provider/model` and tries it with this timeout and these retries. */
export interface RouteModelStep {
  elementId: string;
  provider: string;
  model: string;
  /** Milliseconds to the first response byte; null: the request's or project's timeout. */
  timeout: number | null;
  retries: number;
}

/** One element passed, and what it decided (`true`, `90%`, `success`, `fallback`, …): the routing decision of the log record. */
export interface RouteDecisionStep {
  elementId: string;
  type: CompiledElement['type'];
  outcome: string;
}

export interface RoutePlan {
  /** The models to try, in order: the first one reached, then each `fallback` after it. */
  targets: RouteModelStep[];
  decisions: RouteDecisionStep[];
}

/** What the walk needs from the outside: a uniform draw in [0, 1) and the atomic limiter of `rate` elements. */
export interface RouteWalkDeps {
  random(): number;
  /** Counts the request against the element's limit for `keyValue`; false when the limit is reached. */
  admitRate(element: Extract<CompiledElement, { type: 'rate' }>, keyValue: string): Promise<boolean>;
}

/** The bucket of a `rate` element whose key the request does not carry: such requests share one limit rather than escape it. */
export const MISSING_RATE_KEY = '(none)';

/**
 * Walks a compiled route for one request and returns the ordered model targets with the decisions taken.
 * `conditional` evaluates its condition, `percentage` draws once, `rate` asks the limiter (over the limit:
 * its `fallback`, or a 429 when it has none), `model` adds a target and the walk continues along its
 * `fallback` (its `success` leads to an end), `end` stops.
 */
export async function walkRoute(route: CompiledRoute, ctx: ConditionContext, deps: RouteWalkDeps, routeName: string): Promise<RoutePlan> {
  const targets: RouteModelStep[] = [];
  const decisions: RouteDecisionStep[] = [];
  let id: string | null = route.startId;
  while (id !== null) {
    const element = route.elements.get(id);
    if (!element) throw new Error(`route '${routeName}' refers to a missing element '${id}'`);
    const decide = (outcome: string, next: string | null): string | null => {
      decisions.push({ elementId: element.id, type: element.type, outcome });
      return next;
    };
    switch (element.type) {
      case 'start':
        id = decide('next', element.next);
        break;
      case 'conditional': {
        const result = evaluateCondition(element.condition, ctx);
        id = decide(String(result), result ? element.whenTrue : element.whenFalse);
        break;
      }
      case 'percentage': {
        const draw = deps.random() * 100;
        const branch = element.branches.find((b) => draw < b.upTo);
        if (branch) id = decide(branch.label, branch.next);
        else if (element.otherwise !== null) id = decide('else', element.otherwise);
        else {
          decide('none', null);
          throw new GatewayError(400, 'invalid_request_error', 'route_no_branch', `Dynamic route '${routeName}': percentage element '${element.id}' has no "else" output for this request's share.`, { param: 'model' });
        }
        break;
      }
      case 'rate': {
        const value = readPath(ctx[element.root], element.path);
        const keyValue = value === undefined || value === null ? MISSING_RATE_KEY : typeof value === 'string' ? value : JSON.stringify(value);
        if (await deps.admitRate(element, keyValue)) id = decide('success', element.success);
        else if (element.fallback !== null) id = decide('fallback', element.fallback);
        else {
          decide('limited', null);
          throw new GatewayError(429, 'rate_limit_error', 'route_rate_limited', `Dynamic route '${routeName}': the limit of element '${element.id}' is reached for this ${element.key}.`, {
            headers: { 'retry-after': String(element.window) },
          });
        }
        break;
      }
      case 'model':
        targets.push({ elementId: element.id, provider: element.provider, model: element.model, timeout: element.timeout, retries: element.retries });
        id = decide('target', element.fallback);
        break;
      case 'end':
        decide('end', null);
        id = null;
        break;
    }
  }
  if (targets.length === 0) throw new GatewayError(400, 'invalid_request_error', 'route_no_model', `Dynamic route '${routeName}' reached its end without a model for this request.`, { param: 'model' });
  return { targets, decisions };
}

