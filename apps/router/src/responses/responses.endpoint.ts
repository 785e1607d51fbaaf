import { writeJson, type RawHandler } from '@switchyard/http';
import { parseResponsesRequest, randomItemId, ResponsesStreamTranslator, toChatRequest, toResponse, type ResponseContext, type ResponseStreamEvent } from '@switchyard/ingress';
import { parseChatRequest, parseRequestControls } from '@switchyard/routing';
import { GatewayEdge, type EdgeDeps } from '../edge/gateway-edge';
import { writeSse } from '../edge/sse-writer';
import type { ResponseStore } from './response-store.service';

export interface ResponsesEndpointDeps extends EdgeDeps {
  store: ResponseStore;
}

const RESPONSES_PATH = '/v1/responses';

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
  return async (req, res, { requestId, principal }) => {
    if (principal.kind !== 'key') return; // the 'key' policy admits keys only
    const origin = { requestId, path: RESPONSES_PATH, requestType: 'responses' };
    const accepted = await edge.accept(req, principal, origin, async (body, project) => {
      const parsed = parseResponsesRequest(body);
      const context = parsed.previous_response_id ? await store.conversation(project.id, parsed.previous_response_id) : [];
      const { request, extensions } = parseChatRequest(toChatRequest(parsed, context));
      return { parsed, context, request, controls: parseRequestControls(req.headers, extensions) };
    });
    const { project, body } = accepted;
    const { parsed, context, request, controls } = accepted.parsed;
    const ctx: ResponseContext = { id: randomItemId('resp'), createdAt: Math.floor(Date.now() / 1000), request: parsed, ids: randomItemId };
    await edge.execute(res, { origin, principal, project, request, controls, body }, async (result, headers, log, clientGone) => {
      if (result.kind === 'completion') {
        const response = toResponse(result.completion, ctx);
        await store.save(project.id, parsed, context, response);
        const text = JSON.stringify(response);
        // The record before the answer: its XADD is written before the client can see the answer.
        log.end({ statusCode: 200, errorCode: null, result, responseText: text });
        return writeJson(res, 200, headers, text);
      }
      const translator = new ResponsesStreamTranslator(ctx);
      await writeSse(
        res,
        headers,
        result,
        {
          head: (chunks) => sse([...translator.start(), ...translator.push(chunks)]),
          batch: (chunks) => sse(translator.push(chunks)),
          end: async () => {
            const events = translator.finish();
            await store.save(project.id, parsed, context, translator.response()!);
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
