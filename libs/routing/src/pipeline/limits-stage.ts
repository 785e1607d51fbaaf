import { Logger } from '@nestjs/common';
import type { ResolvedConnection, TenantDirectory } from '@switchyard/auth';
import {
  actualNano,
  countersFor,
  endpointOutputTokens,
  estimateEndpointInputTokens,
  estimatePromptTokens,
  hasLimits,
  LimitsUnavailableError,
  maxOutputTokens,
  worstCaseCost,
  type CounterAdjustment,
  type LimitCounter,
  type LimitStore,
  type LimitSubject,
  type PriceCatalog,
  type ReserveOutcome,
  type UsageRecord,
} from '@switchyard/metering';
import { GatewayError, processUniqueId, serviceUnavailable, type ChatRequest, type ProviderId } from '@switchyard/types';
import type { AdmissionContext, AdmissionStage, AdmissionTicket } from './admission';
import { callCost } from './request-logger';
import { ConnectionGate, connectionLimitOf, isLimited } from './connection-gate';
import { refusal, resetText } from './limit-refusal';

const NO_HEADERS: Readonly<Record<string, string>> = {};
const noop = () => undefined;

/** At most one warning per this many ms about calls let through without their rate limits. */
const WARN_INTERVAL_MS = 10_000;

export interface LimitsStageOptions {
  store: LimitStore;
  /** The organization's connections (in memory): where a call over its connection's rate limit may go instead. */
  directory: Pick<TenantDirectory, 'connectionsOf'>;
  prices: PriceCatalog;
  redisPrefix: string;
  clock?: () => number;
}

/**
 * Rate limits, budgets and quotas (docs/governance.md): decides from memory which counters apply (the project's
 * settings and spend rules, the key's limits, the request's `customer_params`, the organization's quotas) and,
 * when any does, checks and reserves all of them in one atomic Redis call. A call with none pays nothing. The
 * key's allowed `models` are checked here too, in memory.
 */
export class LimitsStage implements AdmissionStage {
  readonly name = 'limits';
  private readonly logger = new Logger('Limits');
  private readonly clock: () => number;
  private warnedAt = 0;

  constructor(private readonly options: LimitsStageOptions) {
    this.clock = options.clock ?? Date.now;
  }

  async admit(ctx: AdmissionContext): Promise<AdmissionTicket | undefined> {
    const { call, project, controls } = ctx;
    const keyLimits = call.limits ?? null;
    if (keyLimits?.models) checkModels(keyLimits.models, ctx);
    const subject: LimitSubject = {
      organizationId: project.organizationId,
      projectId: project.id,
      keyId: call.keyId,
      gateway: gatewayLimitOf(project.settings),
      key: keyLimits,
      customer: controls.customer,
      spendRules: project.spendRules,
      quotas: project.quotas,
      connections: [],
    };
    const primary = ctx.targets[0]?.connection;
    const siblings = primary && isLimited(primary) ? await this.siblingsOf(primary) : [];
    subject.connections = siblings.flatMap(connectionLimitOf);
    // A later target on a limited connection is reserved when the executor moves to it (the gate).
    const gated = ctx.targets.some((t) => isLimited(t.connection));
    if (!hasLimits(subject)) return gated ? this.gateOnly(ctx) : undefined;
    const now = this.clock();
    const counters = countersFor(subject, this.factsOf(ctx), now, this.options.redisPrefix);
    if (!counters.length) return gated ? this.gateOnly(ctx) : undefined;
    let outcome: ReserveOutcome;
    try {
      outcome = await this.options.store.reserve(counters, now, processUniqueId());
    } catch (err) {
      if (!(err instanceof LimitsUnavailableError)) throw err;
      return this.unavailable(counters, ctx);
    }
    if (!outcome.ok) throw refusal(counters, outcome, now);
    // Only a call with a limited connection among its targets builds its gate (no allocation on the plain path).
    const gate = gated ? this.gate(ctx, counters.filter((c, i) => c.connectionId && outcome.used[i]! >= 0).map((c) => c.connectionId!)) : undefined;
    const ticket = new LimitTicket(this.options.store, counters, outcome.used, now, controls, this.logger, gate);
    if (subject.connections.length) {
      try {
        moveOffFullConnection(ctx, siblings, counters, outcome.used, now);
      } catch (err) {
        ticket.release();
        throw err;
      }
    }
    return ticket;
  }

  /** The gate of a call's later targets: the connections admission counted are not counted again. */
  private gate(ctx: AdmissionContext, counted: readonly string[]): ConnectionGate {
    const { store, directory, redisPrefix } = this.options;
    return new ConnectionGate({ store, directory, redisPrefix, clock: this.clock }, ctx.project.organizationId, ctx.project.settings.rate_limits_fail_open, new Set(counted));
  }

  /** A call with nothing to reserve now, one of whose later targets is on a limited connection. */
  private gateOnly(ctx: AdmissionContext): AdmissionTicket {
    return { headers: NO_HEADERS, settle: noop, release: noop, gate: this.gate(ctx, []) };
  }

  /** The primary connection, then the organization's other connections of its provider (limited ones first, in saved order). */
  private async siblingsOf(primary: ResolvedConnection): Promise<ResolvedConnection[]> {
    const all = await this.options.directory.connectionsOf(primary.organizationId);
    const others = all.filter((c) => c.provider === primary.provider && c.id !== primary.id);
    return [primary, ...others.filter(isLimited), ...others.filter((c) => !isLimited(c))];
  }

  /** Redis is down: through, without limits, when every applicable kind fails open for the project; else 503. */
  private unavailable(counters: readonly LimitCounter[], ctx: AdmissionContext): undefined {
    const { rate_limits_fail_open: rateOpen, budgets_fail_open: budgetsOpen } = ctx.project.settings;
    const closed = counters.find((c) => (c.category === 'rate' ? !rateOpen : !budgetsOpen));
    if (closed) {
      const what = closed.category === 'rate' ? 'rate limits' : 'budgets and quotas';
      throw serviceUnavailable(`The ${what} of this call cannot be checked right now (the limits store is unreachable); retry later.`, 'limits_unavailable');
    }
    const now = Date.now();
    if (now - this.warnedAt > WARN_INTERVAL_MS) {
      this.warnedAt = now;
      this.logger.warn('Redis unreachable: calls pass without their rate limits (their projects fail them open)');
    }
    return undefined;
  }

  /** The call as the counters see it: its first target, and estimates computed only if a counter asks for them. */
  private factsOf(ctx: AdmissionContext) {
    const { request, targets, controls, operation } = ctx;
    const target = targets[0];
    let prompt: number | undefined;
    const chat = operation === 'chat' ? (request as ChatRequest) : null;
    const promptTokens = () => (prompt ??= chat ? estimatePromptTokens(chat) : estimateEndpointInputTokens(request));
    const outputTokens = () => (chat ? maxOutputTokens(chat, target?.maxOutputTokens) : endpointOutputTokens(operation, request));
    return {
      provider: target?.connection.provider ?? '',
      model: target?.upstreamModel ?? request.model,
      metadata: controls.log.metadata,
      estimateTokens: () => promptTokens() + outputTokens(),
      estimateCostUsd: () => {
        const price = target ? this.options.prices.priceOf(target.connection.provider as ProviderId, target.upstreamModel) : null;
        return worstCaseCost(promptTokens(), outputTokens(), price, controls.log.customCost);
      },
    };
  }
}

/** The project's gateway rate limit, when both `rate_limiting_limit` and `rate_limiting_interval` are set. */
function gatewayLimitOf(settings: AdmissionContext['project']['settings']): LimitSubject['gateway'] {
  const { rate_limiting_limit: limit, rate_limiting_interval: intervalS, rate_limiting_technique: technique } = settings;
  return limit > 0 && intervalS > 0 ? { limit, intervalS, technique } : null;
}

/**
 * A call whose first target's connection is over its own rate limit goes to another connection of the same provider
 * instead: the first limited one with room (reserved in the same round trip), else one without a limit; with none,
 * the targets on other connections (fallbacks) remain, and with none of those either, a 429.
 */
function moveOffFullConnection(ctx: AdmissionContext, siblings: readonly ResolvedConnection[], counters: readonly LimitCounter[], used: readonly number[], now: number): void {
  const primary = siblings[0];
  const reserved = counters.findIndex((c, i) => c.connectionId && used[i]! >= 0);
  const target = reserved >= 0 ? siblings.find((c) => c.id === counters[reserved]!.connectionId) : siblings.find((c) => !isLimited(c));
  if (!primary || target === primary) return;
  const moved = target ? ctx.targets.map((t) => (t.connection.id === primary.id ? { ...t, connection: target } : t)) : ctx.targets.filter((t) => t.connection.id !== primary.id);
  if (moved.length) {
    ctx.targets.splice(0, ctx.targets.length, ...moved);
    return;
  }
  const index = counters.findIndex((c) => c.connectionId === primary.id);
  throw refusal(counters, { ok: false, index, used: counters[index]!.limit, retryAfterMs: null }, now);
}

/** A key restricted to some models may call only those, fallbacks included (403 naming the field). */
function checkModels(allowed: readonly string[], ctx: AdmissionContext): void {
  const check = (model: string, param: string) => {
    if (!allowed.includes(model)) {
      throw new GatewayError(403, 'permission_error', 'model_not_allowed', `This key may not call model '${model}'. Allowed: ${allowed.join(', ') || 'none'}.`, { param });
    }
  };
  check(ctx.request.model, 'model');
  for (const m of ctx.controls.fallbackModels) check(m, 'fallback_models');
}

/** The `x-ratelimit-*` headers of an admitted call: per kind (requests, tokens), the counter with the least room. */
function rateLimitHeaders(counters: readonly LimitCounter[], used: readonly number[], now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const tightest = new Map<'requests' | 'tokens', { c: LimitCounter; remaining: number }>();
  counters.forEach((c, i) => {
    if (!c.header) return;
    const remaining = Math.max(0, c.limit - (used[i] ?? 0));
    const best = tightest.get(c.header);
    if (!best || remaining < best.remaining) tightest.set(c.header, { c, remaining });
  });
  for (const [kind, { c, remaining }] of tightest) {
    headers[`x-ratelimit-limit-${kind}`] = String(c.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(remaining);
    headers[`x-ratelimit-reset-${kind}`] = resetText(c.resetAtMs !== null ? c.resetAtMs - now : c.spanMs);
  }
  return headers;
}

/** A call's reservation: settled to its actual tokens and cost after the call, released when it failed. */
class LimitTicket implements AdmissionTicket {
  readonly headers: Record<string, string>;
  private done = false;

  constructor(
    private readonly store: LimitStore,
    private readonly counters: readonly LimitCounter[],
    used: readonly number[],
    now: number,
    private readonly controls: AdmissionContext['controls'],
    private readonly logger: Logger,
    readonly gate?: ConnectionGate,
  ) {
    this.headers = rateLimitHeaders(counters, used, now);
  }

  settle(usage: UsageRecord | null): void {
    if (this.done) return;
    this.done = true;
    const t = usage?.tokens;
    const tokens = t ? t.input + t.cacheRead + t.cacheWrite + t.output + t.reasoning : 0;
    const cost = actualNano(callCost(usage, this.controls) ?? 0);
    const adjustments: CounterAdjustment[] = [];
    for (const c of this.counters) {
      if (c.settle === 'tokens') adjustments.push({ key: c.key, delta: tokens - c.amount });
      else if (c.settle === 'spend') adjustments.push({ key: c.key, delta: cost - c.amount });
      else if (c.settle === 'parallel') adjustments.push({ key: c.key, delta: -c.amount });
    }
    this.store.adjust(adjustments).catch((err: unknown) => this.logger.warn(`could not settle a call's limits: ${(err as Error).message}`));
  }

  release(): void {
    if (this.done) return;
    this.done = true;
    this.store.release(this.counters).catch((err: unknown) => this.logger.warn(`could not release a call's limits: ${(err as Error).message}`));
  }
}
