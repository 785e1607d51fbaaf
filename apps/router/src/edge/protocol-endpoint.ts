import type { ProjectSnapshot } from '@switchyard/auth';
import { writeJson } from '@switchyard/http';
import type { ServerResponse } from 'node:http';
import { parseRequestControls, type BodyExtensions, type CompletionResult, type ExecutionResult, type HeaderMap, type PreparedChatBody } from '@switchyard/routing';
import type { ChatRequest } from '@switchyard/types';
import { GatewayEdge, type EdgeDeps, type EdgeHandler, type Respond } from './gateway-edge';
import { writeSse, type SseEncoder } from './sse-writer';

/** How a client protocol that maps one-to-one onto a chat call enters the pipeline and how its answers are written. */
export interface EdgeProtocol {
  /** The endpoint path and the kind of call, for the request log. */
  path: string;
  requestType: string;
  /**
   * Before parse (chat completions): configs and prompts merged into the body, with the headers that say what was
   * applied; null when nothing applies.
   */
  prepare?(body: unknown, headers: HeaderMap, project: ProjectSnapshot): Promise<PreparedChatBody> | null;
  /** Stage 2, parse: the body to the chat request the pipeline runs, and the gateway's own body fields. */
  parse(body: unknown): { request: ChatRequest; extensions: BodyExtensions };
  /** A completion as the protocol's JSON answer (with the fields `prepare` adds, e.g. `prompt_messages`). */
  completionText(result: CompletionResult, answerFields?: Readonly<Record<string, unknown>>): string;
  /** The stream's encoder (its SSE text per batch of chunks, at the end, and for a failure after the first byte). */
  streamEncoder(request: ChatRequest, requestId: string): SseEncoder;
}

/**
 * A raw-route handler for a protocol that needs nothing around the call but parsing and encoding (chat
 * completions, Anthropic Messages): the shared `GatewayEdge` does the rest (body, project, log, abort,
 * headers), JSON answers go out in one write, streams through `writeSse`. Responses, which loads and stores
 * conversations, uses `GatewayEdge` directly.
 */
export function protocolEndpoint(deps: EdgeDeps, protocol: EdgeProtocol): EdgeHandler {
  const edge = new GatewayEdge(deps);
  return async (req, res, { requestId, principal }) => {
    if (principal.kind === 'admin') return; // the 'key' policy admits keys only
    const origin = { requestId, path: protocol.path, requestType: protocol.requestType };
    const parse = (body: unknown, prepared?: PreparedChatBody) => {
      const { request, extensions } = protocol.parse(body);
      const controls = parseRequestControls(req.headers, extensions);
      if (prepared) controls.log.applied = prepared.applied;
      return { request, controls, responseHeaders: prepared?.headers, answerFields: prepared?.answerFields };
    };
    const { project, body, parsed } = await edge.accept(req, principal, origin, (body, project) => {
      // Synchronous (no promise) unless a config or a saved prompt is to be applied.
      const preparing = protocol.prepare?.(body, req.headers, project);
      return preparing ? preparing.then((prepared) => parse(prepared.body, prepared)) : parse(body);
    });
    const { request, controls, responseHeaders, answerFields } = parsed;
    await edge.execute(res, { origin, principal, project, request, controls, body, responseHeaders }, translatedAnswer(res, protocol, request, requestId, answerFields));
  };
}

/**
 * Writes a chat result in the protocol's shape: a completion as its JSON (the log ended before the write; with the
 * fields `prepare` adds), a stream through `writeSse`.
 */
export function translatedAnswer(
  res: ServerResponse,
  protocol: EdgeProtocol,
  request: ChatRequest,
  requestId: string,
  answerFields?: Readonly<Record<string, unknown>>,
): Respond<ExecutionResult> {
  return async (result, headers, log, clientGone) => {
    if (result.kind === 'completion') {
      const text = protocol.completionText(result, answerFields);
      // The record before the answer: its XADD is written before the client can see the answer.
      log.end({ statusCode: 200, errorCode: null, result, responseText: text });
      return writeJson(res, 200, headers, text);
    }
    await writeSse(res, headers, log.watch(result), protocol.streamEncoder(request, requestId), clientGone, (failure) =>
      log.end({ statusCode: 200, errorCode: failure?.code ?? (clientGone.aborted ? 'client_disconnected' : null), result }),
    );
  };
}
