import { GatewayError, invalidRequest, type ChatRequest, type JsonObject, type JsonValue } from '@switchyard/types';
import type { ModelCatalog } from '../catalog/catalog';
import type { BalanceControls, LogControls } from '../pipeline/request-controls';
import type { RouteTarget } from '../resolve-model';
import { incapability, needsOf } from './capabilities';
import { orderGroup, type BalanceGroup, type BalanceMember } from './load-balance';
import { skipOf, type TargetSkip } from './route-trace';
import { targetKey } from './target-health';

/** Where saved groups come from (`load_balance_group.group_id`): a project's group by id or name. */
export interface BalanceGroupSource {
  groupOf(projectId: string, idOrName: string): Promise<BalanceGroup | undefined>;
}

/** What planning a group needs: the draw, the latency scores (`least-latency`) and the saved groups. */
export interface BalancingDeps {
  random: () => number;
  score: ((key: string) => number | undefined) | null;
  groups: BalanceGroupSource | null;
}

export interface GroupPlan {
  targets: RouteTarget[];
  routing: JsonObject;
  label: string;
}

/**
 * The targets of a request that named a group (inline or saved) or `models` instead of a model: every member's
 * targets, the strategy's pick first, then the others heaviest first as fallbacks.
 */
export async function planGroup(
  deps: BalancingDeps,
  projectId: string,
  balance: BalanceControls,
  log: LogControls,
  resolve: (model: string, param: string) => RouteTarget[],
): Promise<GroupPlan> {
  const group = await groupOf(deps, projectId, balance);
  const byMember = new Map<BalanceMember, RouteTarget[]>();
  group.members.forEach((m, i) => byMember.set(m, resolve(m.model, group.id ? 'load_balance_group.group_id' : `load_balance_group.models[${i}].model`)));
  const score = deps.score;
  const order = orderGroup(group, {
    random: deps.random,
    stickyValue: group.strategy === 'sticky' ? stickyValueOf(group.stickyKey, log) : null,
    score: score && group.strategy === 'least-latency' ? (m) => scoreOf(score, byMember.get(m)!) : undefined,
  });
  const label = `group=${group.id ?? 'inline'}`;
  const routing: JsonObject = {
    group: group.id,
    strategy: group.strategy,
    chosen: order[0]!.model,
    candidates: order.map((m) => ({ model: m.model, weight: m.weight })),
  };
  return { targets: order.flatMap((m) => byMember.get(m)!), routing, label };
}

async function groupOf(deps: BalancingDeps, projectId: string, balance: BalanceControls): Promise<BalanceGroup> {
  const g = balance.group;
  if (g?.group_id !== undefined) {
    if (g.models) throw invalidRequest('load_balance_group takes group_id or models, not both.', 'load_balance_group');
    const saved = deps.groups ? await deps.groups.groupOf(projectId, g.group_id) : undefined;
    if (!saved) {
      throw new GatewayError(404, 'invalid_request_error', 'load_balance_group_not_found', `The load-balance group '${g.group_id}' does not exist in this project.`, {
        param: 'load_balance_group.group_id',
      });
    }
    return { ...saved, strategy: g.strategy ?? saved.strategy, stickyKey: g.sticky_key ?? saved.stickyKey };
  }
  if (g?.models) {
    return { id: null, strategy: g.strategy ?? 'weighted', stickyKey: g.sticky_key ?? 'customer_identifier', members: g.models.map((m) => ({ model: m.model, weight: m.weight ?? 1 })) };
  }
  return { id: null, strategy: 'weighted', stickyKey: 'customer_identifier', members: (balance.models ?? []).map((model) => ({ model, weight: 1 })) };
}

/** A sticky group's key for this request: the customer identifier or a metadata value (null: absent, the draw is random). */
function stickyValueOf(stickyKey: string, log: LogControls): string | null {
  if (stickyKey === 'customer_identifier') return log.customerIdentifier;
  const v: JsonValue | undefined = log.metadata[stickyKey.slice('metadata.'.length)];
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
}

/** A member's score: its first target's (the one it would be tried on). */
function scoreOf(score: (key: string) => number | undefined, targets: RouteTarget[]): number | undefined {
  const t = targets[0];
  return t ? score(targetKey(t.connection.id, t.upstreamModel)) : undefined;
}

/**
 * Leaves out the targets the request excludes (`exclude_models`, `exclude_providers`) and, when there is a choice
 * (two targets or more), those the catalog says cannot serve a chat request (tools, vision, json_schema, context
 * window); `disable_fallback` keeps the first that remains. Every target left out is in `skipped`, with its reason.
 */
export function filterTargets(
  targets: RouteTarget[],
  balance: BalanceControls | undefined,
  request: ChatRequest | null,
  catalog: ModelCatalog,
  skipped: TargetSkip[],
): RouteTarget[] {
  let out = targets;
  if (balance?.excludeModels || balance?.excludeProviders) {
    const { excludeModels: models, excludeProviders: providers } = balance;
    out = out.filter((t) => {
      const reason = providers?.has(t.connection.provider)
        ? 'excluded_provider'
        : models && (models.has(t.upstreamModel) || models.has(t.requested) || models.has(`${t.connection.provider}/${t.upstreamModel}`))
          ? 'excluded_model'
          : null;
      if (reason) skipped.push(skipOf(t, reason));
      return reason === null;
    });
  }
  if (request && out.length > 1) {
    const needs = needsOf(request);
    out = out.filter((t) => {
      const reason = incapability(needs, catalog.forUpstream(t.connection.provider, t.upstreamModel));
      if (reason) skipped.push(skipOf(t, reason));
      return reason === null;
    });
  }
  if (!out.length) {
    throw new GatewayError(400, 'invalid_request_error', 'no_eligible_targets', 'No target can serve this request: every one was excluded or lacks what the request needs (see error.details).', {
      param: 'model',
      details: skipped.map((s) => ({ ...s, tried: false })),
    });
  }
  return balance?.disableFallback ? out.slice(0, 1) : out;
}
