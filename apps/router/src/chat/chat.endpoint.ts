import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TenantDirectory } from '@switchyard/auth';
import { readJsonBody, writeJson, type RawHandler, type RawRouteContext } from '@switchyard/http';
import {
  Cancellation,
  callCost,
  ClientAbortedError,
  parseChatRequest,
  parseRequestControls,
  type CallLog,
  type ExecutionMeta,
  type GatewayClient,
  type RequestControls,
  type RequestLogger,
} from '@switchyard/routing';
import { GatewayError, type ChatRequest } from '@switchyard/types';
import { streamToClient } from './sse';

export interface ChatEndpointDeps {
  gateway: GatewayClient;
  directory: TenantDirectory;
  logger: RequestLogger;
  bodyLimitBytes: number;
}

/**
 * `POST /v1/chat/completions`, the hot path, served on the Node HTTP server directly (a raw route, see
 * RawRoutes and chat.routes.ts): the edge of the request pipeline. RawRoutes has checked the key (before the
 * body is read); the handler resolves the project once, parses the body and the per-request controls once,
 * and hands typed values to the GatewayClient; then it ends the request's log (the accounting stage: metrics,
 * and the log record appended, its XADD written but not awaited) just before the end of the answer is written
 * (JSON, or the last write of the SSE stream through `streamToClient`), so an answered request has its record.
 */
export function chatCompletionsHandler(deps: ChatEndpointDeps): RawHandler {
  const { gateway, directory, logger, bodyLimitBytes } = deps;
  return async (req: IncomingMessage, res: ServerResponse, { requestId, principal }: RawRouteContext) => {
    if (principal.kind !== 'key') return; // the 'key' policy admits keys only
    const read = await readJsonBody(req, bodyLimitBytes).then(
      (body) => ({ body }),
      (error: unknown) => ({ error }),
    );
    const project = await directory.projectFor(principal, req.headers['x-gateway-project'] as string | undefined);
    const origin = { requestId, path: CHAT_PATH, requestType: 'chat.completions' };
    let parsed: { request: ChatRequest; controls: RequestControls };
    try {
      if ('error' in read) throw read.error;
      const { request, extensions } = parseChatRequest(read.body);
      parsed = { request, controls: parseRequestControls(req.headers, extensions) };
    } catch (err) {
      // Refused before the pipeline (bad JSON, schema, a header): recorded too, without bodies.
      if (!(err instanceof GatewayError)) throw err;
      throw withLogId(err, logger.refused(origin, principal, project, req.headers, err, 'body' in read ? read.body : undefined));
    }
    const { request, controls } = parsed;
    const body = read.body;
    const log = logger.begin(origin, principal, project, request, controls, body);
    const clientGone = new Cancellation();
    // A client that disconnects aborts the upstream request.
    res.once('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    try {
      const result = await gateway.execute(principal, project, request, controls, clientGone, log.attempts);
      const gatewayHeaders = responseHeaders(requestId, result.meta);
      log.addHeaders(gatewayHeaders);
      log.firstByte();
      if (result.kind === 'completion') {
        const cost = callCost(result.usage, controls);
        if (cost !== null) gatewayHeaders['x-gateway-cost'] = String(cost);
        const text = JSON.stringify(result.completion);
        // The record before the answer: its XADD is written before the client can see the answer.
        log.end({ statusCode: 200, errorCode: null, result, responseText: text });
        return writeJson(res, 200, gatewayHeaders, text);
      }
      await streamToClient(res, gatewayHeaders, log.watch(result), request.stream_options?.include_usage === true, clientGone, (failure) =>
        log.end({ statusCode: 200, errorCode: failure?.code ?? (clientGone.aborted ? 'client_disconnected' : null), result }),
      );
    } catch (err) {
      log.failed(err);
      if (err instanceof ClientAbortedError) return;
      throw err instanceof GatewayError ? withLogId(err, log) : err;
    }
  };
}

/** The error answer with the log id headers too (a copy: an error object may be shared); itself when not recorded. */
function withLogId(err: GatewayError, log: CallLog): GatewayError {
  if (!log.id) return err;
  const headers = { ...err.headers };
  log.addHeaders(headers);
  return new GatewayError(err.status, err.type, err.code, err.message, { param: err.param, headers, cause: err });
}

const CHAT_PATH = '/v1/chat/completions';

function responseHeaders(requestId: string, meta: ExecutionMeta): Record<string, string> {
  return {
    'x-gateway-request-id': requestId,
    'x-gateway-provider': meta.provider,
    'x-gateway-model': meta.model,
    'x-gateway-step': String(meta.step),
    'x-gateway-attempts': String(meta.attempts),
  };
}
