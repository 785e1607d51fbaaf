import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProjectSnapshot, TenantDirectory } from '@switchyard/auth';
import { readJsonBody } from '@switchyard/http';
import {
  Cancellation,
  callCost,
  ClientAbortedError,
  dlpHeaders,
  type CallLog,
  type CallOrigin,
  type ExecutionMeta,
  type ExecutionResult,
  type GatewayClient,
  type RequestControls,
  type RequestLogger,
} from '@switchyard/routing';
import { GatewayError, type ChatRequest, type KeyPrincipal } from '@switchyard/types';

export interface EdgeDeps {
  gateway: GatewayClient;
  directory: TenantDirectory;
  logger: RequestLogger;
  bodyLimitBytes: number;
}

/** One call as an endpoint parsed it: where it came in, who for, the chat request and controls the pipeline runs, the body as received (for the log). */
export interface EdgeCall {
  origin: CallOrigin;
  principal: KeyPrincipal;
  project: ProjectSnapshot;
  request: ChatRequest;
  controls: RequestControls;
  body: unknown;
}

/** What an endpoint does with the pipeline's result: write it in its protocol, then end the log (`log.end`). */
export type Respond = (result: ExecutionResult, headers: Record<string, string>, log: CallLog, clientGone: Cancellation) => Promise<void>;

/**
 * What every endpoint of the router's request pipeline does around its own protocol (chat completions,
 * Responses, …): read the body and resolve the project once; begin the request's log; abort the upstream
 * request when the client disconnects; execute; set the gateway's response headers (`x-gateway-*`, the log
 * id, the cost of a completion); end the log of a failure, and answer an error with the log id too.
 */
export class GatewayEdge {
  constructor(private readonly deps: EdgeDeps) {}

  /** The body (size-limited JSON) and the project the call acts on (`x-gateway-project` for organization keys). */
  async read(req: IncomingMessage, principal: KeyPrincipal): Promise<{ body: unknown; project: ProjectSnapshot }> {
    const body = await readJsonBody(req, this.deps.bodyLimitBytes);
    const project = await this.deps.directory.projectFor(principal, req.headers['x-gateway-project'] as string | undefined);
    return { body, project };
  }

  /** Runs the call through the GatewayClient and hands the result to `respond`. */
  async execute(res: ServerResponse, call: EdgeCall, respond: Respond): Promise<void> {
    const { origin, principal, project, request, controls, body } = call;
    const log = this.deps.logger.begin(origin, principal, project, request, controls, body);
    const clientGone = new Cancellation();
    // A client that disconnects aborts the upstream request.
    res.once('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    try {
      const result = await this.deps.gateway.execute(principal, project, request, controls, clientGone, log.attempts);
      if (result.meta.cache === 'HIT' && controls.cache.omitLog) log.omit();
      const headers = responseHeaders(origin.requestId, result.meta, result.headers);
      log.addHeaders(headers);
      if (result.kind === 'completion') {
        const cost = callCost(result.usage, controls);
        if (cost !== null) headers['x-gateway-cost'] = String(cost);
      }
      log.firstByte();
      await respond(result, headers, log, clientGone);
    } catch (err) {
      log.failed(err);
      if (err instanceof ClientAbortedError) return;
      // The error answer carries the log id too (a copy: an error object may be shared).
      if (err instanceof GatewayError && log.id) {
        const headers = { ...err.headers };
        log.addHeaders(headers);
        throw new GatewayError(err.status, err.type, err.code, err.message, { param: err.param, headers, cause: err });
      }
      throw err;
    }
  }
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
  };
  if (meta.cache) headers['x-gateway-cache-status'] = headers['cf-aig-cache-status'] = meta.cache;
  return meta.dlp ? Object.assign(headers, dlpHeaders(meta.dlp)) : headers;
}
