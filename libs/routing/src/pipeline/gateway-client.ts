import type { ProjectSnapshot, ResolvedConnection, TenantDirectory } from '@switchyard/auth';
import type { AppConfig } from '@switchyard/config';
import type { LogAttempt } from '@switchyard/metering';
import { providerPathCall, providerPathScopeError, type NativeRequest, type ProviderPathRequest } from '@switchyard/providers';
import { GatewayError, invalidRequest, type CallContext, type ChatRequest, type EndpointRequest, type JsonObject, type KeyLimits, type PassThroughRequest, type ProviderId } from '@switchyard/types';
import type { ModelCatalog } from '../catalog/catalog';
import type { Cancellation } from '../cancellation';
import { executionPolicy, type ExecutionPolicy } from '../execution-policy';
import { endpointNotOffered, type EndpointResult, type ExecutionResult, type Executor } from '../executor';
import { defaultConnection, resolveModel, type RouteTarget } from '../resolve-model';
import { routeHeader, setFailureRouting } from '../balance/route-trace';
import { planDynamicRoute, type DynamicRouteDeps, type DynamicRouteDirectory } from '../routes/dynamic-routes';
import { filterTargets, planGroup, type BalancingDeps } from '../balance/balance-plan';
import type { TargetSkip } from '../balance/route-trace';
import { BALANCED_MODEL } from './chat-request';
import { admit, type AdmissionStage, type AdmissionTicket, type TargetGate } from './admission';
import { GovernedExecution } from './governed-execution';
import { canonicalJson } from '../cache/cache-key';
import { mockResult } from './mock-response';
import type { RequestControls } from './request-controls';

/** Who a call is made for: the caller's organization and key (null: an in-process call, e.g. a document job); the project is passed apart. */
export type Caller = Pick<CallContext, 'organizationId' | 'keyId'> & { limits?: KeyLimits | null };

/**
 * The request pipeline, after the edge has authenticated the caller, resolved the project and parsed the
 * request and its controls: resolve the targets, admit, execute (retries, fallbacks, held stream head) and
 * account (the executor hands each call's usage to the accounting stage: the result carries `usage`, with
 * the cost). The router's endpoints and the documents worker both call it, so every LLM call is routed,
 * retried and priced the same way. Failures are GatewayErrors mapped by `toGatewayError`.
 */
export class GatewayClient {
  constructor(
    private readonly directory: TenantDirectory,
    private readonly catalog: ModelCatalog,
    private readonly executor: Executor,
    private readonly config: Pick<AppConfig, 'router'>,
    private readonly admission: readonly AdmissionStage[] = [],
    /** The exact cache and DLP around the call (none: neither). */
    private readonly governed: GovernedExecution = new GovernedExecution(null),
    /** Dynamic routes (`dynamic/<name>`); none: such names are unknown models. */
    private readonly routes: { directory: DynamicRouteDirectory; deps: DynamicRouteDeps } | null = null,
    /** Load balancing: the draw, the latency scores and the saved groups. */
    private readonly balancing: BalancingDeps = { random: Math.random, score: null, groups: null },
  ) {}

  /**
   * Runs a chat completion call; `cancel` is aborted when the caller goes away (a client disconnect, a cancelled
   * job); `attempts` (the request log's, when it records them) receives each upstream attempt.
   */
  async execute(
    call: Caller,
    project: ProjectSnapshot,
    request: ChatRequest,
    controls: RequestControls,
    cancel: Cancellation,
    attempts?: LogAttempt[],
  ): Promise<ExecutionResult> {
    const mock = controls.mockResponse;
    const resolved = mock === undefined ? await this.resolve(call, project, request.model, controls, request, request) : { targets: await this.resolveForMock(call, request.model) };
    const { targets } = resolved;
    const admitted = this.admission.length ? admit(this.admission, { call, project, operation: 'chat', request, controls, targets }) : null;
    if (mock !== undefined) {
      const tickets = admitted ? await admitted : NO_TICKETS;
      const mocked = mockResult(request, mock, targets[0]);
      return tickets.length ? settleWhenDone(mocked, tickets) : mocked;
    }
    // The cache's first look goes out in the same tick as the limits reservation: one Redis round trip for both.
    const governed = this.governed.begin(project, request, controls, targets);
    let tickets = resolved.ticket ? [resolved.ticket] : NO_TICKETS;
    if (admitted) {
      try {
        tickets = [...tickets, ...(await admitted)];
      } catch (err) {
        governed.abandon();
        resolved.ticket?.release();
        throw err;
      }
    }
    const policy = withLatency(executionPolicy(project.settings, controls, this.config.router), resolved);
    const run = () => traced(resolved, governed.run((sent) => this.executor.execute(sent, targets, policy, cancel, attempts, resolved.skipped, gateOf(tickets))));
    return settledRun(run, tickets);
  }

  /**
   * `mock_response`: the model's targets when it resolves (the answer and the log name the first), else none
   * (the answer names the `mock` provider): no connection or provider key is needed to mock.
   */
  private async resolveForMock(call: Caller, model: string): Promise<RouteTarget[]> {
    try {
      return resolveModel(model, await this.directory.connectionsOf(call.organizationId), this.catalog);
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'model_not_found') return [];
      throw err;
    }
  }

  /**
   * Runs a call of another endpoint (embeddings, completions, images, speech, transcription) through the same
   * stages. Targets whose provider does not offer the endpoint are left out at resolve time (so a fallback to one
   * that does still serves); when none is left, a 400 names the providers.
   */
  async executeEndpoint(
    call: Caller,
    project: ProjectSnapshot,
    request: EndpointRequest,
    controls: RequestControls,
    cancel: Cancellation,
    attempts?: LogAttempt[],
  ): Promise<EndpointResult> {
    const plan = await this.resolve(call, project, request.body.model, controls, request.body, null);
    const resolved = plan.targets;
    const targets = resolved.filter((t) => this.executor.offers(t.connection.provider, request.operation));
    if (!targets.length) {
      const providers = [...new Set(resolved.map((t) => t.connection.provider))].join(', ');
      throw new GatewayError(400, 'invalid_request_error', 'endpoint_not_supported', endpointNotOffered(request.operation, providers), { param: 'model' });
    }
    const tickets = await this.admitted(plan, { call, project, operation: request.operation, request: request.body, controls, targets });
    const policy = withLatency(executionPolicy(project.settings, controls, this.config.router), plan);
    const run = () => traced(plan, this.executor.executeEndpoint(request, targets, policy, cancel, attempts, plan.skipped, gateOf(tickets)));
    return settledRun(run, tickets);
  }

  /**
   * Runs a Responses or Messages call: targets whose provider speaks the protocol natively get the body as sent
   * (`native`), the others the translated chat request (`chat`), so that a fallback from OpenAI to Claude on
   * `/v1/responses` is translated and one to Anthropic on `/v1/messages` is not. The translation is used for every
   * target when `chat` is given and the caller asks for it (`x-gateway-translate`), or when the project's cache or
   * DLP applies (they read and rewrite chat requests). `chat` is null when the request cannot be translated
   * (`untranslatable`: e.g. a built-in tool): only native targets can serve it, and with none the error is the answer.
   */
  async executeNative(
    call: Caller,
    project: ProjectSnapshot,
    native: NativeRequest,
    chat: { request: ChatRequest } | { untranslatable: GatewayError },
    controls: RequestControls,
    cancel: Cancellation,
    attempts?: LogAttempt[],
  ): Promise<ExecutionResult | EndpointResult> {
    // Asked for the translation (or a mocked answer, which is made on it), a request that cannot be translated is refused.
    if ((controls.translate || controls.mockResponse !== undefined) && 'untranslatable' in chat) throw chat.untranslatable;
    const translated = 'request' in chat ? chat.request : null;
    if (translated && (controls.translate || controls.mockResponse !== undefined || this.governed.applies(project, controls))) {
      return this.execute(call, project, translated, controls, cancel, attempts);
    }
    const plan = await this.resolve(call, project, native.body.model, controls, native.body, translated);
    const targets = translated ? plan.targets : plan.targets.filter((t) => this.executor.passesThrough(t, native.protocol));
    if (!targets.length || ('untranslatable' in chat && this.governed.applies(project, controls))) plan.ticket?.release();
    if (!targets.length) {
      if ('untranslatable' in chat) throw chat.untranslatable;
      throw new GatewayError(400, 'invalid_request_error', 'no_targets', 'No target could be tried.');
    }
    if ('untranslatable' in chat && this.governed.applies(project, controls)) {
      const { message, param } = chat.untranslatable;
      throw invalidRequest(`${message} (This project's cache or DLP policies apply to translated calls only, so the request cannot be passed through.)`, param);
    }
    const admission = translated ? ({ operation: 'chat', request: translated } as const) : { operation: native.protocol, request: native.body };
    const tickets = await this.admitted(plan, { call, project, ...admission, controls, targets });
    const policy = withLatency(executionPolicy(project.settings, controls, this.config.router), plan);
    const run = () => traced(plan, this.executor.executeNative(native, translated, targets, policy, cancel, attempts, plan.skipped, gateOf(tickets)));
    return settledRun(run, tickets);
  }

  /**
   * Runs a provider-native call (Cloudflare's `/v1/{account}/{gateway}/{provider}/{provider path}`): the organization's
   * connection of that provider (`alias`: the one of that slug or name, Cloudflare's `cf-aig-byok-alias`, or a list
   * of them, each one the next one's fallback; else the default one), the model the request names; admitted, executed and priced like any
   * call, its bytes passed through both ways; an answer (JSON, or a stream that ended cleanly) cached as the project's cache says, the project's DLP
   * policies applied (`runNative`).
   */
  async executeProviderPath(
    call: Caller,
    project: ProjectSnapshot,
    provider: ProviderId,
    request: ProviderPathRequest,
    alias: string | null,
    controls: RequestControls,
    cancel: Cancellation,
    attempts?: LogAttempt[],
  ): Promise<EndpointResult> {
    const connections = pickConnections(await this.directory.connectionsOf(call.organizationId), provider, alias);
    for (const connection of connections) {
      const outside = providerPathScopeError(provider, request.path, connection.credentials);
      if (outside) throw invalidRequest(outside, 'path', 'connection_mismatch');
    }
    const { model: named, stream } = providerPathCall(provider, request);
    const model = named ?? '';
    const maxOutputTokens = this.catalog.forUpstream(provider, model)?.max_output_tokens;
    // The connections in the alias list's order: the next one is tried when one gives up (rate limited, down).
    const targets = connections.map((connection): RouteTarget => ({ connection, upstreamModel: model, requested: `${provider}/${model}`, maxOutputTokens }));
    const body = { ...request.json, model } as PassThroughRequest;
    let tickets: readonly AdmissionTicket[] = NO_TICKETS;
    const admitted = this.admitted({ targets }, { call, project, operation: 'provider', request: body, controls, targets }).then((t) => void (tickets = t));
    const policy = executionPolicy(project.settings, controls, this.config.router);
    // The cache key: the (first) connection, the model, and the request as sent (method, path, body).
    const key = { stream, target: `${connections[0]!.id}/${model}`, request: () => `native ${request.method} ${request.path}\n${request.json ? canonicalJson(request.json) : (request.body?.toString('base64') ?? '')}` };
    let result: EndpointResult;
    try {
      result = await this.governed.runNative(project, controls, key, { provider, request }, admitted, (checked) => this.executor.executeProviderPath(checked, targets, policy, cancel, attempts, gateOf(tickets)));
    } catch (err) {
      for (const t of tickets) t.release();
      throw err;
    }
    return tickets.length ? settleWhenDone(result, tickets) : result;
  }

  /** The admission stages' tickets after the plan's own (a dynamic route's cost-limited rate elements), released if admission refuses. */
  private async admitted(plan: ResolvedTargets, ctx: Parameters<typeof admit>[1]): Promise<readonly AdmissionTicket[]> {
    const own = plan.ticket ? [plan.ticket] : NO_TICKETS;
    if (!this.admission.length) return own;
    try {
      return [...own, ...(await admit(this.admission, ctx))];
    } catch (err) {
      plan.ticket?.release();
      throw err;
    }
  }

  /**
   * Stage 3, resolve: the model's targets in order (a dynamic route's: the models its walk reached, each with its
   * retries and timeout; a load-balance group's: its members in the strategy's order), then each fallback model's;
   * then the targets the request excludes or that cannot serve it are left out (`skipped`, with their reasons).
   */
  private async resolve(
    call: Caller,
    project: ProjectSnapshot,
    model: string,
    controls: RequestControls,
    body: unknown,
    chat: ChatRequest | null,
  ): Promise<ResolvedTargets> {
    const connections = await this.directory.connectionsOf(call.organizationId);
    const resolve = (name: string, param: string) => {
      try {
        return resolveModel(name, connections, this.catalog);
      } catch (err) {
        throw Object.assign(err as Error, { param });
      }
    };
    const { balance } = controls;
    let targets: RouteTarget[];
    let routing: JsonObject | undefined;
    let label: string | undefined;
    let ticket: AdmissionTicket | undefined;
    let latency = false;
    if (balance && (balance.group || balance.models) && model === BALANCED_MODEL) {
      ({ targets, routing, label } = await planGroup(this.balancing, project.id, balance, controls.log, resolve));
      latency = routing['strategy'] === 'least-latency';
    } else if (this.routes && model.startsWith('dynamic/')) {
      const { log } = controls;
      const ctx = { metadata: log.metadata, headers: controls.routeHeaders ?? {}, body, customer: log.customerIdentifier === null ? {} : { identifier: log.customerIdentifier } };
      const scope = { id: project.id, rateLimitsFailOpen: project.settings.rate_limits_fail_open };
      const plan = await planDynamicRoute(this.routes.directory, scope, model, ctx, this.routes.deps);
      routing = plan.routing;
      ticket = plan.ticket;
      label = `route=${plan.routing['route'] as string}@${(plan.routing['version_id'] as string).slice(0, 8)}`;
      targets = plan.targets.map((t) => ({
        ...resolveModel(`${t.provider}/${t.model}`, connections, this.catalog)[0]!,
        requested: model,
        policy: { maxAttempts: t.retries + 1, ...(t.timeout === null ? {} : { requestTimeoutMs: t.timeout }) },
      }));
    } else targets = resolveModel(model, connections, this.catalog);
    for (const fallback of controls.fallbackModels) targets.push(...resolve(fallback, 'fallback_models'));
    if (!balance && (targets.length < 2 || !chat)) return { targets, routing, label, ticket };
    const skipped: TargetSkip[] = [];
    try {
      targets = filterTargets(targets, balance, chat, this.catalog, skipped);
    } catch (err) {
      ticket?.release();
      throw err;
    }
    return { targets, routing, label, ticket, latency, skipped: skipped.length ? skipped : undefined };
  }
}

/** At most this many connections in one `cf-aig-byok-alias` list. */
const MAX_ALIASES = 5;

/**
 * The connections a provider-native call may go to, in order: `alias` is one connection's slug or name (Cloudflare's
 * `cf-aig-byok-alias`) or, ours, a comma-separated list of them (the later ones are fallbacks); none: the default one.
 */
export function pickConnections(connections: readonly ResolvedConnection[], provider: ProviderId, alias: string | null): ResolvedConnection[] {
  const names = alias === null ? [] : [...new Set(alias.split(',').map((a) => a.trim()).filter(Boolean))];
  if (names.length > MAX_ALIASES) throw invalidRequest(`cf-aig-byok-alias names at most ${MAX_ALIASES} connections.`, 'cf-aig-byok-alias', 'too_many_byok_aliases');
  if (!names.length) return [pickConnection(connections, provider, null)];
  return [...new Set(names.map((name) => pickConnection(connections, provider, name)))];
}

/**
 * The connection a provider-native call goes to: with `alias`, the provider's connection of that slug or name (a 400
 * naming the alias when there is none); else the provider's default connection (a 400 when there is none).
 */
export function pickConnection(connections: readonly ResolvedConnection[], provider: ProviderId, alias: string | null): ResolvedConnection {
  if (alias !== null) {
    const named = connections.find((c) => c.provider === provider && (c.slug === alias || c.name === alias));
    if (named) return named;
    if (alias !== 'default') throw invalidRequest(`cf-aig-byok-alias '${alias}' names no ${provider} connection of this organization.`, 'cf-aig-byok-alias', 'unknown_byok_alias');
  }
  const connection = defaultConnection(connections as ResolvedConnection[], provider);
  if (!connection) throw invalidRequest(`No default ${provider} connection is configured for this organization (name one with cf-aig-byok-alias).`, 'provider', 'provider_not_connected');
  return connection;
}

/** What resolve decided: the targets in order, and the decision for the trace (`x-gateway-route`, the log's `routing`). */
interface ResolvedTargets {
  targets: RouteTarget[];
  routing?: JsonObject;
  /** `route=…` or `group=…`. */
  label?: string;
  /** Targets left out before execution; the executor adds those whose breaker is open. */
  skipped?: TargetSkip[];
  /** The settlement of a dynamic route's cost-limited rate elements. */
  ticket?: AdmissionTicket;
  /** A `least-latency` group's call: its attempts' times are reported. */
  latency?: boolean;
}

/** The call's policy, reporting the attempts' times when a `least-latency` group chose the targets. */
const withLatency = (policy: ExecutionPolicy, plan: ResolvedTargets): ExecutionPolicy => (plan.latency ? { ...policy, trackLatency: true } : policy);

const NO_TICKETS: readonly AdmissionTicket[] = [];

/** The gate of the call's later targets, when an admission stage handed one back. */
const gateOf = (tickets: readonly AdmissionTicket[]): TargetGate | undefined => tickets.find((t) => t.gate)?.gate;

/** Runs the call of admitted tickets: released when it fails, settled with its usage when done (none: just runs it). */
async function settledRun<R extends ExecutionResult | EndpointResult>(run: () => Promise<R>, tickets: readonly AdmissionTicket[]): Promise<R> {
  if (!tickets.length) return run();
  let result: R;
  try {
    result = await run();
  } catch (err) {
    for (const t of tickets) t.release();
    throw err;
  }
  return settleWhenDone(result, tickets);
}

/**
 * The routing decision on the result's meta (the log record's `routing`, `x-gateway-route`), or on the error when
 * every target failed (its `x-gateway-route` header; the log record reads it with `routingOfFailure`).
 */
async function traced<R extends ExecutionResult | EndpointResult>(plan: ResolvedTargets, running: Promise<R>): Promise<R> {
  let result: R;
  try {
    result = await running;
  } catch (err) {
    if (err instanceof GatewayError) {
      const skipped = plan.skipped;
      err.headers['x-gateway-route'] = routeHeader(plan.label, null, skipped);
      setFailureRouting(err, decision(plan.routing, skipped));
    }
    throw err;
  }
  const { meta } = result;
  if (plan.label) meta.routeLabel = plan.label;
  if (plan.routing || meta.skipped) meta.routing = decision(plan.routing, meta.skipped);
  return result;
}

/** The full decision for the log record: the route's or group's, with the targets left out and why. */
function decision(routing: JsonObject | undefined, skipped: readonly TargetSkip[] | undefined): JsonObject {
  if (!skipped?.length) return routing ?? {};
  return { ...routing, skipped: skipped.map((s) => ({ target: s.target, connection: s.connection, reason: s.reason })) };
}

/**
 * Stage 6's half of admission: the tickets settle with the call's usage once it is known (a completion now, a
 * stream when its tail ends; a stream that fails or loses its client before its usage passed is released), and
 * their headers go on the answer.
 */
function settleWhenDone<R extends ExecutionResult | EndpointResult>(result: R, tickets: readonly AdmissionTicket[]): R {
  const headers: Record<string, string> = {};
  for (const t of tickets) Object.assign(headers, t.headers);
  result.headers = headers;
  if (result.kind === 'completion' || result.kind === 'json') {
    for (const t of tickets) t.settle(result.usage);
    return result;
  }
  const settle = () => {
    for (const t of tickets) {
      if (result.usage) t.settle(result.usage);
      else t.release();
    }
  };
  if (result.kind === 'stream') result.tail = settledAtEnd(result.tail, settle);
  else if (result.kind === 'raw') result.body = settledAtEnd(result.body, settle);
  return result;
}

/** The same items, then `settle` once the consumer is done (the end, a failure, or leaving early). */
async function* settledAtEnd<T>(source: AsyncGenerator<T, void, undefined>, settle: () => void): AsyncGenerator<T, void, undefined> {
  try {
    yield* source;
  } finally {
    settle();
  }
}
