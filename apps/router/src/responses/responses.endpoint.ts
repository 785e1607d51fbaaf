import { writeJson, type RawHandler } from '@switchyard/http';
import { parseResponsesRequest, randomItemId, ResponsesStreamTranslator, toChatRequest, toResponse, type ConversationItem, type ResponseContext, type ResponsesRequest, type ResponseStreamEvent } from '@switchyard/ingress';
import { parseChatRequest, parseNativeRequest, parseRequestControls, retainsData } from '@switchyard/routing';
import { GatewayError, type ChatRequest } from '@switchyard/types';
import { writePassedThrough } from '../edge/pass-through';
import { GatewayEdge, type EdgeDeps } from '../edge/gateway-edge';
import { writeSse } from '../edge/sse-writer';
import type { ResponseStore } from './response-store.service';

export interface ResponsesEndpointDeps extends EdgeDeps {
  store: ResponseStore;
}

const RESPONSES_PATH = '/v1/responses';

interface Translated {
  ok: true;
  parsed: ResponsesRequest;
  context: ConversationItem[];
  request: ChatRequest;
}

/** The `error` event that ends a passed-through Responses stream failing after its first byte (OpenAI's shape). */
const responsesErrorEvent = (error: GatewayError): string =>
  `event: error\ndata: ${JSON.stringify({ type: 'error', code: error.code, message: error.message, param: error.param ?? null })}\n\n`;

/** Responses events as SSE: `event: <type>` and the event as `data`. */
const sse = (events: readonly ResponseStreamEvent[]): string => events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');

/**
 * `POST /v1/responses` (the OpenAI Responses API), a raw route like chat completions: the body is validated
 * and translated to a chat request (libs/ingress), after the stored conversation of `previous_response_id`;
 * the call runs through the same pipeline as chat (GatewayEdge: routing, retries, fallbacks, accounting, the
 * log with path `/v1/responses`); the answer is translated back, as the Response object or its stream events,
 * and stored when `store` is not false (see ResponseStore for when).
 */
export function responsesHandler(deps: ResponsesEndpointDeps): RawHandler {
  const edge = new GatewayEdge(deps);
  const { store } = deps;
  /**
   * The request translated to chat, after the stored conversation of `previous_response_id`; a 400 or 404 here
   * (a built-in tool, a field the translation lacks, a `previous_response_id` that is not the gateway's, i.e. one
   * of OpenAI's own) leaves only the providers that take the body as is.
   */
  async function translation(body: unknown, projectId: string): Promise<{ translated: Translated | { ok: false; error: GatewayError } }> {
    try {
      const parsed = parseResponsesRequest(body);
      const context = parsed.previous_response_id ? await store.conversation(projectId, parsed.previous_response_id) : [];
      const { request } = parseChatRequest(toChatRequest(parsed, context));
      return { translated: { ok: true, parsed, context, request } };
    } catch (err) {
      if (err instanceof GatewayError && (err.status === 400 || err.status === 404)) return { translated: { ok: false, error: err } };
      throw err;
    }
  }
  return async (req, res, { requestId, principal }) => {
    if (principal.kind !== 'key') return; // the 'key' policy admits keys only
    const origin = { requestId, path: RESPONSES_PATH, requestType: 'responses' };
    const accepted = await edge.accept(req, principal, origin, async (body, project) => {
      const { native, extensions } = parseNativeRequest('responses', body, req.headers);
      const controls = parseRequestControls(req.headers, extensions);
      return { native, controls, ...(await translation(body, project.id)) };
    });
    const { project, body } = accepted;
    const { native, controls, translated } = accepted.parsed;
    const chat = translated.ok ? { request: translated.request } : { untranslatable: translated.error };
    // Zero data retention (the project's `zdr`, the request's `cf-aig-zdr`): the conversation is not stored either.
    const keep = retainsData(project, controls);
    const ctx: ResponseContext | null = translated.ok ? { id: randomItemId('resp'), createdAt: Math.floor(Date.now() / 1000), request: translated.parsed, ids: randomItemId } : null;
    await edge.executeNative(res, { origin, principal, project, request: { native, chat }, controls, body }, async (result, headers, log, clientGone) => {
      if (result.kind === 'json' || result.kind === 'raw') return writePassedThrough(res, result, headers, log, clientGone, responsesErrorEvent, 'responses');
      // Translated: `ctx` exists (a request that cannot be translated has no chat target).
      const { parsed, context } = translated as Translated;
      if (result.kind === 'completion') {
        const response = toResponse(result.completion, ctx!);
        if (keep) await store.save(project.id, parsed, context, response);
        const text = JSON.stringify(response);
        // The record before the answer: its XADD is written before the client can see the answer.
        log.end({ statusCode: 200, errorCode: null, result, responseText: text });
        return writeJson(res, 200, headers, text);
      }
      const translator = new ResponsesStreamTranslator(ctx!);
      await writeSse(
        res,
        headers,
        result,
        {
          head: (chunks) => sse([...translator.start(), ...translator.push(chunks)]),
          batch: (chunks) => sse(translator.push(chunks)),
          end: async () => {
            const events = translator.finish();
            if (keep) await store.save(project.id, parsed, context, translator.response()!);
            return sse(events);
          },
          error: (error) => sse(translator.fail({ code: error.code, message: error.message, param: error.param })),
        },
        clientGone,
        (failure) => {
          const response = translator.response();
          const errorCode = failure?.code ?? (clientGone.aborted ? 'client_disconnected' : null);
          log.end({ statusCode: 200, errorCode, result, responseText: log.id && response ? JSON.stringify(response) : undefined });
        },
      );
    });
  };
}
