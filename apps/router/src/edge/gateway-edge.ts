import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayCaller, ProjectSnapshot, TenantDirectory } from '@switchyard/auth';
import { readJsonBody } from '@switchyard/http';
import {
  Cancellation,
  callCost,
  ClientAbortedError,
  dlpHeaders,
  routeHeader,
  type CallLog,
  type CallOrigin,
  type EndpointResult,
  type ExecutionMeta,
  type ExecutionResult,
  type GatewayClient,
  type LoggedRequest,
  type RequestControls,
  type RequestLogger,
} from '@switchyard/routing';
import type { NativeRequest } from '@switchyard/providers';
import { endAfterRecord } from './end-after-record';
import { GatewayError, type ChatRequest, type EndpointRequest, type KeyPrincipal, type Principal } from '@switchyard/types';

export interface EdgeDeps {
  gateway: GatewayClient;
  directory: TenantDirectory;
  logger: RequestLogger;
  bodyLimitBytes: number;
}

/** Who a call is for: an access key (its project from the key or `x-gateway-project`), or the caller of a Cloudflare gateway path (the gateway's project). */
export type EdgeCaller = KeyPrincipal | GatewayCaller;

/** What an endpoint handler is given: a raw route's context (`principal` checked by the 'key' policy), or a gateway path's caller. */
export interface EdgeContext {
  requestId: string;
  principal: Principal | GatewayCaller;
}

/** An endpoint's handler; a RawHandler of a 'key' route, and the handler a Cloudflare gateway path hands its caller to. */
export type EdgeHandler = (req: IncomingMessage, res: ServerResponse, ctx: EdgeContext) => Promise<void>;

/** One call as an endpoint parsed it: where it came in, who for, the request and controls the pipeline runs, the body as received (for the log). */
export interface EdgeCall<Q> {
  origin: CallOrigin;
  principal: EdgeCaller;
  project: ProjectSnapshot;
  request: Q;
  controls: RequestControls;
  body: unknown;
  /** Headers the edge adds to the answer (e.g. the config variant that was applied). */
  responseHeaders?: Readonly<Record<string, string>>;
}

/** A Responses or Messages call: the body to pass through, and its translation to chat (or why there is none). */
export interface NativeCall {
  native: NativeRequest;
  chat: { request: ChatRequest } | { untranslatable: GatewayError };
}

/**
 * What an endpoint does with the pipeline's result: end the log (`log.end`) before the last write of its answer
 * (`res.end`, which `around` holds until the record is written).
 */
export type Respond<R> = (result: R, headers: Record<string, string>, log: CallLog, clientGone: Cancellation) => Promise<void>;

/**
 * What every endpoint of the router's request pipeline does around its own protocol (chat completions,
 * Messages, Responses, embeddings, …): read the body and resolve the project once; begin the request's log;
 * abort the upstream request when the client disconnects; execute; set the gateway's response headers
 * (`x-gateway-*`, admission's `x-ratelimit-*`, the cache status, DLP, the log id, the cost of a JSON answer);
 * end the log of a failure, and answer an error with the log id too.
 */
export class GatewayEdge {
  constructor(private readonly deps: EdgeDeps) {}

  /**
   * Stage 2 with its refusals recorded: reads the body (`read`, by default size-limited JSON), resolves the project
   * and parses; a call refused here (a body, or a header, that does not parse) is counted and recorded too (status
   * and error code, no bodies) and its error carries the log id.
   */
  async accept<T>(
    req: IncomingMessage,
    principal: EdgeCaller,
    origin: CallOrigin,
    parse: (body: unknown, project: ProjectSnapshot) => T | Promise<T>,
    read: () => Promise<unknown> = () => readJsonBody(req, this.deps.bodyLimitBytes),
  ): Promise<{ project: ProjectSnapshot; body: unknown; parsed: T }> {
    const got = await read().then(
      (body) => ({ body }),
      (error: unknown) => ({ error }),
    );
    const project = principal.kind === 'gateway' ? principal.project : await this.project(req, principal);
    try {
      if ('error' in got) throw got.error;
      return { project, body: got.body, parsed: await parse(got.body, project) };
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      const log = this.deps.logger.refused(origin, principal, project, req.headers, err, 'body' in got ? got.body : undefined);
      // The error answer is written once the record is.
      await log.recorded();
      throw withLogId(err, log);
    }
  }

  /** The project the call acts on (`x-gateway-project` for organization keys). */
  project(req: IncomingMessage, principal: KeyPrincipal): Promise<ProjectSnapshot> {
    return this.deps.directory.projectFor(principal, req.headers['x-gateway-project'] as string | undefined);
  }

  /** Runs a chat call through the GatewayClient and hands the result to `respond`. */
  execute(res: ServerResponse, call: EdgeCall<ChatRequest>, respond: Respond<ExecutionResult>): Promise<void> {
    const { principal, project, request, controls } = call;
    return this.around(res, call, request, (log, cancel) => this.deps.gateway.execute(principal, project, request, controls, cancel, log.attempts), respond);
  }

  /** Runs a call of another endpoint (embeddings, images, audio…) through the GatewayClient and hands the result to `respond`. */
  executeEndpoint(res: ServerResponse, call: EdgeCall<EndpointRequest>, respond: Respond<EndpointResult>): Promise<void> {
    const { principal, project, request, controls } = call;
    return this.around(res, call, request.body, (log, cancel) => this.deps.gateway.executeEndpoint(principal, project, request, controls, cancel, log.attempts), respond);
  }

  /** Runs a Responses or Messages call (passed through where the provider speaks it, else translated) and hands the result to `respond`. */
  executeNative(res: ServerResponse, call: EdgeCall<NativeCall>, respond: Respond<ExecutionResult | EndpointResult>): Promise<void> {
    const { principal, project, request, controls } = call;
    return this.around(res, call, request.native.body, (log, cancel) =>
      this.deps.gateway.executeNative(principal, project, request.native, request.chat, controls, cancel, log.attempts),
    respond);
  }

  /**
   * Runs any pipeline call (`run`: one chat or endpoint call, or several, as the universal endpoint does) inside the
   * edge: the log begun with `logged`, the disconnect abort, the response headers, the failure's log id.
   */
  async around<R extends ExecutionResult | EndpointResult>(
    res: ServerResponse,
    call: EdgeCall<unknown>,
    logged: LoggedRequest,
    run: (log: CallLog, cancel: Cancellation) => Promise<R>,
    respond: Respond<R>,
  ): Promise<void> {
    const { origin, principal, project, controls, body } = call;
    const log = this.deps.logger.begin(origin, principal, project, logged, controls, body);
    endAfterRecord(res, log);
    const clientGone = new Cancellation();
    // A client that disconnects aborts the upstream request.
    res.once('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    try {
      const result = await run(log, clientGone);
      if (result.meta.cache === 'HIT' && controls.cache.omitLog) log.omit();
      const headers = responseHeaders(origin.requestId, controls.log.eventId, result.meta, result.headers);
      if (call.responseHeaders) Object.assign(headers, call.responseHeaders);
      log.addHeaders(headers);
      if (result.kind === 'completion' || result.kind === 'json') {
        const cost = callCost(result.usage, controls);
        if (cost !== null) headers['x-gateway-cost'] = String(cost);
      }
      log.firstByte();
      await respond(result, headers, log, clientGone);
    } catch (err) {
      log.failed(err);
      if (err instanceof ClientAbortedError) return;
      throw err instanceof GatewayError ? withLogId(err, log) : err;
    }
  }
}

/** The error answer with the log id headers too (a copy: an error object may be shared); itself when not recorded. */
function withLogId(err: GatewayError, log: CallLog): GatewayError {
  if (!log.id) return err;
  const headers = { ...err.headers };
  log.addHeaders(headers);
  return new GatewayError(err.status, err.type, err.code, err.message, { param: err.param, headers, cause: err, details: err.details });
}

/**
 * The gateway's response headers, each in both spellings (`x-gateway-*` and Cloudflare's `cf-aig-*`, on every route):
 * admission's (`x-ratelimit-*`), the request id, the client's event id (else the request id), what answered (provider,
 * model, step), the attempts, the cache status and the DLP result. One object literal of a fixed shape per answer,
 * admission's headers assigned onto it.
 */
function responseHeaders(requestId: string, eventId: string | null, meta: ExecutionMeta, admission?: Readonly<Record<string, string>>): Record<string, string> {
  const step = String(meta.step);
  const event = eventId ?? requestId;
  const headers: Record<string, string> = {
    'x-gateway-request-id': requestId,
    'cf-aig-request-id': requestId,
    'x-gateway-event-id': event,
    'cf-aig-event-id': event,
    'x-gateway-provider': meta.provider,
    'cf-aig-provider': meta.provider,
    'x-gateway-model': meta.model,
    'cf-aig-model': meta.model,
    'x-gateway-step': step,
    'cf-aig-step': step,
    'x-gateway-attempts': String(meta.attempts),
    'x-gateway-route': routeHeader(meta.routeLabel, `${meta.provider}/${meta.model}`, meta.skipped),
  };
  if (meta.cache) headers['x-gateway-cache-status'] = headers['cf-aig-cache-status'] = meta.cache;
  // Admission's headers are added last, not spread first: an object literal that starts with a spread of them
  // took ~40 us per answer in V8 (its properties after the spread are added one by one on the slow path).
  if (admission) Object.assign(headers, admission);
  return meta.dlp ? Object.assign(headers, dlpHeaders(meta.dlp)) : headers;
}
