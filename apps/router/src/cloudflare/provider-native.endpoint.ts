import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayCaller } from '@switchyard/auth';
import { anthropicErrorBody, readBody } from '@switchyard/http';
import { messagesErrorEvent } from '@switchyard/ingress';
import { FORWARDED_PROVIDER_HEADERS, type ProviderPathRequest } from '@switchyard/providers';
import { parseRequestControls, providerAnswerOf, type ProviderAnswer } from '@switchyard/routing';
import { invalidRequest, type GatewayError, type ProviderId } from '@switchyard/types';
import { sseData } from '../chat/sse';
import { GatewayEdge, type EdgeDeps } from '../edge/gateway-edge';
import { writePassedThrough } from '../edge/pass-through';

/** Cloudflare's provider-native endpoints of a gateway: `/v1/{account_id}/{gateway_id}/{provider}/{provider path}`. */
export const PROVIDER_NATIVE_PATH = '/v1/:account(uuid)/:gateway/:provider/*';

/** What a provider-native route hands its handler: the gateway's caller, our provider of the slug, the provider's path with its query. */
export interface ProviderNativeCall {
  requestId: string;
  caller: GatewayCaller;
  provider: ProviderId;
  /** `/chat/completions`, `/v1/messages`, `/v1beta/models/m:streamGenerateContent?alt=sse`… */
  path: string;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/**
 * A provider-native call: the client's request bytes to the provider's own path with the connection's credentials
 * (`cf-aig-byok-alias` names the connection), the provider's answer (JSON or stream) passed back as it came, through
 * the same pipeline as every endpoint (`GatewayClient.executeProviderPath`: admission and limits, retries, usage and
 * cost, the log with its bodies, the `cf-aig-*` headers). The body is read as bytes, parsed only to find the model
 * and the stream flag (a JSON body that does not parse is a 400; other content types pass unread).
 */
export function providerNativeHandler(deps: EdgeDeps): (req: IncomingMessage, res: ServerResponse, call: ProviderNativeCall) => Promise<void> {
  const edge = new GatewayEdge(deps);
  return async (req, res, { requestId, caller, provider, path }) => {
    const origin = { requestId, path: PROVIDER_NATIVE_PATH, requestType: 'provider' };
    const method = req.method === 'GET' ? 'GET' : 'POST';
    let bytes: Buffer | null = null;
    const read = async (): Promise<unknown> => {
      if (method === 'GET') return null;
      bytes = await readBody(req, deps.bodyLimitBytes);
      if (!JSON_TYPE.test(req.headers['content-type'] ?? '') || bytes.length === 0) return null;
      try {
        return JSON.parse(bytes.toString('utf8')) as unknown;
      } catch {
        throw invalidRequest('We could not parse the JSON body of your request.', null, 'invalid_json');
      }
    };
    const { project, body, parsed } = await edge.accept(
      req,
      caller,
      origin,
      (json) => {
        const request: ProviderPathRequest = { method, path, body: bytes, json: isObject(json) ? json : null, headers: forwardedHeaders(req) };
        return { request, controls: parseRequestControls(req.headers), alias: headerOf(req, 'cf-aig-byok-alias') };
      },
      read,
    );
    const { request, controls, alias } = parsed;
    const model = typeof request.json?.['model'] === 'string' ? (request.json['model'] as string) : provider;
    const logged = { model, stream: request.json?.['stream'] === true };
    try {
      await edge.around(
        res,
        { origin, principal: caller, project, request, controls, body },
        logged,
        (log, cancel) => deps.gateway.executeProviderPath(caller, project, provider, request, alias, controls, cancel, log.attempts),
        (result, headers, log, clientGone) =>
          writePassedThrough(res, result, headers, log, clientGone, (error) =>
            provider === 'anthropic' ? messagesErrorEvent(anthropicErrorBody(error.status, error.message, requestId)) : sseData(error.toBody()),
          ),
      );
    } catch (err) {
      // The provider's own error answer goes back as it came (its SDK parses it); the gateway's own errors in our shape.
      const answer = providerAnswerOf(err);
      if (!answer || res.headersSent) throw err;
      writeProviderAnswer(res, answer, (err as GatewayError).headers);
    }
  };
}

/** A provider's error answer as it came: its status, content type, kept headers and bytes, with the gateway's headers (log id, attempts). */
function writeProviderAnswer(res: ServerResponse, answer: ProviderAnswer, gatewayHeaders: Readonly<Record<string, string>>): void {
  res.writeHead(answer.status, { ...answer.headers, ...gatewayHeaders, 'content-type': answer.contentType, 'content-length': String(answer.body.length) });
  res.end(answer.body);
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

/** The client's protocol headers the provider is sent (content type, Anthropic's version and betas…); never its credentials. */
function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED_PROVIDER_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}
