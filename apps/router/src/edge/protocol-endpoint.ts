import { writeJson, type RawHandler } from '@switchyard/http';
import type { ServerResponse } from 'node:http';
import { parseRequestControls, type BodyExtensions, type CompletionResult, type ExecutionResult } from '@switchyard/routing';
import type { ChatRequest } from '@switchyard/types';
import { GatewayEdge, type EdgeDeps, type Respond } from './gateway-edge';
import { writeSse, type SseEncoder } from './sse-writer';

/** How a client protocol that maps one-to-one onto a chat call enters the pipeline and how its answers are written. */
export interface EdgeProtocol {
  /** The endpoint path and the kind of call, for the request log. */
  path: string;
  requestType: string;
  /** Stage 2, parse: the body to the chat request the pipeline runs, and the gateway's own body fields. */
  parse(body: unknown): { request: ChatRequest; extensions: BodyExtensions };
  /** A completion as the protocol's JSON answer. */
  completionText(result: CompletionResult): string;
  /** The stream's encoder (its SSE text per batch of chunks, at the end, and for a failure after the first byte). */
  streamEncoder(request: ChatRequest, requestId: string): SseEncoder;
}

/**
 * A raw-route handler for a protocol that needs nothing around the call but parsing and encoding (chat
 * completions, Anthropic Messages): the shared `GatewayEdge` does the rest (body, project, log, abort,
 * headers), JSON answers go out in one write, streams through `writeSse`. Responses, which loads and stores
 * conversations, uses `GatewayEdge` directly.
 */
export function protocolEndpoint(deps: EdgeDeps, protocol: EdgeProtocol): RawHandler {
  const edge = new GatewayEdge(deps);
  return async (req, res, { requestId, principal }) => {
    if (principal.kind !== 'key') return; // the 'key' policy admits keys only
    const origin = { requestId, path: protocol.path, requestType: protocol.requestType };
    const { project, body, parsed } = await edge.accept(req, principal, origin, (body) => {
      const { request, extensions } = protocol.parse(body);
      return { request, controls: parseRequestControls(req.headers, extensions) };
    });
    const { request, controls } = parsed;
    await edge.execute(res, { origin, principal, project, request, controls, body }, translatedAnswer(res, protocol, request, requestId));
  };
}

/** Writes a chat result in the protocol's shape: a completion as its JSON (the log ended before the write), a stream through `writeSse`. */
export function translatedAnswer(res: ServerResponse, protocol: EdgeProtocol, request: ChatRequest, requestId: string): Respond<ExecutionResult> {
  return async (result, headers, log, clientGone) => {
    if (result.kind === 'completion') {
      const text = protocol.completionText(result);
      // The record before the answer: its XADD is written before the client can see the answer.
      log.end({ statusCode: 200, errorCode: null, result, responseText: text });
      return writeJson(res, 200, headers, text);
    }
    await writeSse(res, headers, log.watch(result), protocol.streamEncoder(request, requestId), clientGone, (failure) =>
      log.end({ statusCode: 200, errorCode: failure?.code ?? (clientGone.aborted ? 'client_disconnected' : null), result }),
    );
  };
}
