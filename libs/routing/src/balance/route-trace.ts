import type { JsonObject } from '@switchyard/types';
import type { RouteTarget } from '../resolve-model';

/** Why a target was left out without being tried (the `x-gateway-route` header's codes, `error.details[].reason`). */
export type SkipReason = 'circuit_open' | 'connection_rate_limited' | 'excluded_model' | 'excluded_provider' | 'no_tools' | 'no_vision' | 'no_json_schema' | 'context_window';

export interface TargetSkip {
  /** `provider/model` (the provider's model id) and the connection's slug. */
  target: string;
  connection: string;
  reason: SkipReason;
}

/** A target as the trace, headers and error details name it: `provider/model`. */
export const targetName = (t: RouteTarget) => `${t.connection.provider}/${t.upstreamModel}`;

export const skipOf = (t: RouteTarget, reason: SkipReason): TargetSkip => ({ target: targetName(t), connection: t.connection.slug, reason });

/**
 * The compact `x-gateway-route` value: `[route=<name>@<version> | group=<id>;]target=<provider/model | none>[;skipped=<target>:<reason>,…]`.
 * A plain model name costs one short string.
 */
export function routeHeader(label: string | undefined, target: string | null, skipped: readonly TargetSkip[] | undefined): string {
  const chosen = `target=${target ?? 'none'}`;
  let out = label ? `${label};${chosen}` : chosen;
  if (skipped?.length) out += `;skipped=${skipped.map((s) => `${s.target}:${s.reason}`).join(',')}`;
  return out;
}

const failureRouting = new WeakMap<object, JsonObject>();

/** Keeps the routing decision of a call that failed with `err`, for its log record. */
export function setFailureRouting(err: object, routing: JsonObject): void {
  failureRouting.set(err, routing);
}

/** The routing decision of a call that failed (for its log record), when it had one. */
export function routingOfFailure(err: unknown): JsonObject | null {
  return typeof err === 'object' && err !== null ? (failureRouting.get(err) ?? null) : null;
}
