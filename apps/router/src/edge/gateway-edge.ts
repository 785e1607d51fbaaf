import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProjectSnapshot, TenantDirectory } from '@switchyard/auth';
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
import { GatewayError, type ChatRequest, type EndpointRequest, type KeyPrincipal } from '@switchyard/types';

export interface EdgeDeps {
  gateway: GatewayClient;
  directory: TenantDirectory;
  logger: RequestLogger;
  bodyLimitBytes: number;
}

/** One call as an endpoint parsed it: where it came in, who for, the request and controls the pipeline runs, the body as received (for the log). */
export interface EdgeCall<Q> {
  origin: CallOrigin;
  principal: KeyPrincipal;
  project: ProjectSnapshot;
  request: Q;
  controls: RequestControls;
  body: unknown;
}

/** What an endpoint does with the pipeline's result: end the log (`log.end`) just before the last write of its answer. */
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
    principal: KeyPrincipal,
    origin: CallOrigin,
    parse: (body: unknown, project: ProjectSnapshot) => T | Promise<T>,
    read: () => Promise<unknown> = () => readJsonBody(req, this.deps.bodyLimitBytes),
  ): Promise<{ project: ProjectSnapshot; body: unknown; parsed: T }> {
    const got = await read().then(
      (body) => ({ body }),
      (error: unknown) => ({ error }),
    );
    const project = await this.project(req, principal);
    try {
      if ('error' in got) throw got.error;
      return { project, body: got.body, parsed: await parse(got.body, project) };
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      throw withLogId(err, this.deps.logger.refused(origin, principal, project, req.headers, err, 'body' in got ? got.body : undefined));
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

  private async around<R extends ExecutionResult | EndpointResult>(
    res: ServerResponse,
    call: EdgeCall<unknown>,
    logged: LoggedRequest,
    run: (log: CallLog, cancel: Cancellation) => Promise<R>,
    respond: Respond<R>,
  ): Promise<void> {
    const { origin, principal, project, controls, body } = call;
    const log = this.deps.logger.begin(origin, principal, project, logged, controls, body);
    const clientGone = new Cancellation();
    // A client that disconnects aborts the upstream request.
    res.once('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    try {
      const result = await run(log, clientGone);
      if (result.meta.cache === 'HIT' && controls.cache.omitLog) log.omit();
      const headers = responseHeaders(origin.requestId, result.meta, result.headers);
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

/** The gateway's response headers: admission's (`x-ratelimit-*`), the call's own, the cache status and the DLP result. */
function responseHeaders(requestId: string, meta: ExecutionMeta, admission?: Readonly<Record<string, string>>): Record<string, string> {
  const headers: Record<string, string> = {
    ...admission,
    'x-gateway-request-id': requestId,
    'x-gateway-provider': meta.provider,
    'x-gateway-model': meta.model,
    'x-gateway-step': String(meta.step),
    'x-gateway-attempts': String(meta.attempts),
    'x-gateway-route': routeHeader(meta.routeLabel, `${meta.provider}/${meta.model}`, meta.skipped),
  };
  if (meta.cache) headers['x-gateway-cache-status'] = headers['cf-aig-cache-status'] = meta.cache;
  return meta.dlp ? Object.assign(headers, dlpHeaders(meta.dlp)) : headers;
}
