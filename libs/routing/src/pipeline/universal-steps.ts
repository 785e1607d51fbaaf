import type { ProjectSnapshot } from '@switchyard/auth';
import type { LogAttempt } from '@switchyard/metering';
import { GatewayError, invalidRequest, normalizeProviderId, zodToGatewayError, type ChatRequest, type EndpointRequest } from '@switchyard/types';
import { z } from 'zod';
import type { Cancellation } from '../cancellation';
import { ClientAbortedError, type EndpointResult, type ExecutionResult } from '../executor';
import { parseChatRequest } from './chat-request';
import { parseEndpointRequest, refuseCacheControls, type JsonEndpointOperation } from './endpoint-request';
import type { Caller, GatewayClient } from './gateway-client';
import { parseRequestControls, type HeaderMap, type RequestControls } from './request-controls';

/** At most this many steps in one universal request. */
export const MAX_UNIVERSAL_STEPS = 10;

/** The provider paths a step may name (with or without a leading `/` or `v1/`) and what the pipeline runs for each. */
const ENDPOINTS: Readonly<Record<string, 'chat' | JsonEndpointOperation>> = {
  'chat/completions': 'chat',
  embeddings: 'embeddings',
  completions: 'completions',
  'images/generations': 'images',
  'audio/speech': 'speech',
};

const stepSchema = z
  .object({
    provider: z.string().min(1).max(64),
    endpoint: z.string().min(1).max(256),
    headers: z.record(z.string(), z.string()).optional(),
    query: z.record(z.string(), z.unknown()),
    config: z
      .object({
        requestTimeout: z.number().int().min(1).max(600_000).optional(),
        maxAttempts: z.number().int().min(1).max(5).optional(),
        retryDelay: z.number().int().min(0).max(5000).optional(),
        backoff: z.enum(['constant', 'linear', 'exponential']).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** One step, parsed: a chat call or another endpoint's call, with its own controls. */
export type UniversalStep =
  | { index: number; kind: 'chat'; request: ChatRequest; controls: RequestControls }
  | { index: number; kind: 'endpoint'; request: EndpointRequest; controls: RequestControls };

/**
 * Parses the body of `POST /v1/universal` (Cloudflare's universal endpoint): an array of steps
 * `{provider, endpoint, headers?, query, config?}`. Every step is checked before any runs (a 400 names `[i].…`):
 * `query` is the request body for `endpoint` (chat completions, embeddings, completions, images, speech), its `model`
 * sent as `<provider>/<model>`; `headers` may carry the gateway's control headers (`x-gateway-*`, `cf-aig-*`), which
 * beat the request's; provider credentials are never taken from a step (they come from the project's connections);
 * `config` overrides the timeout to the first byte, attempts, retry delay and backoff of that step.
 */
export function parseUniversalSteps(body: unknown, headers: HeaderMap): UniversalStep[] {
  if (!Array.isArray(body) || body.length === 0) throw invalidRequest('The body of the universal endpoint must be a non-empty array of steps {provider, endpoint, headers, query, config}.');
  if (body.length > MAX_UNIVERSAL_STEPS) throw invalidRequest(`The universal endpoint takes at most ${MAX_UNIVERSAL_STEPS} steps.`);
  return body.map((raw, index) => parseStep(raw, index, headers));
}

function parseStep(raw: unknown, index: number, requestHeaders: HeaderMap): UniversalStep {
  const at = `[${index}]`;
  const parsed = stepSchema.safeParse(raw);
  if (!parsed.success) throw zodToGatewayError(parsed.error, at);
  const step = parsed.data;
  const provider = normalizeProviderId(step.provider);
  if (!provider) throw invalidRequest(`Step ${index}: unknown provider '${step.provider}'.`, `${at}.provider`, 'unknown_provider');
  const kind = ENDPOINTS[step.endpoint.replace(/^\/+/, '').replace(/^v1\//, '')];
  if (!kind) throw invalidRequest(`Step ${index}: endpoint '${step.endpoint}' is not one the universal endpoint runs (${Object.keys(ENDPOINTS).join(', ')}).`, `${at}.endpoint`, 'unsupported_step_endpoint');
  const stepHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(step.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'content-type') continue;
    if (!lower.startsWith('x-gateway-') && !lower.startsWith('cf-aig-')) {
      throw invalidRequest(
        `Step ${index}: header '${name}' is not accepted: a step may set the gateway's x-gateway-* / cf-aig-* headers only (provider credentials come from the project's connections).`,
        `${at}.headers.${name}`,
        'unsupported_step_header',
      );
    }
    stepHeaders[lower] = value;
  }
  const model = step.query['model'];
  if (typeof model !== 'string' || !model) throw invalidRequest(`Step ${index}: query.model is required.`, `${at}.query.model`);
  const query = { ...step.query, model: `${provider}/${model}` };
  const headers = { ...requestHeaders, ...stepHeaders };
  try {
    const { config } = step;
    const overrides = {
      ...(config?.maxAttempts === undefined ? {} : { maxAttempts: config.maxAttempts }),
      ...(config?.retryDelay === undefined ? {} : { retryDelayMs: config.retryDelay }),
      ...(config?.backoff === undefined ? {} : { backoff: config.backoff }),
      ...(config?.requestTimeout === undefined ? {} : { requestTimeoutMs: config.requestTimeout }),
    };
    if (kind === 'chat') {
      const { request, extensions } = parseChatRequest(query);
      return { index, kind, request, controls: { ...parseRequestControls(headers, extensions), ...overrides } };
    }
    const { request, extensions } = parseEndpointRequest(kind, query);
    const controls = { ...parseRequestControls(headers, extensions), ...overrides };
    refuseCacheControls(kind, controls.cache);
    return { index, kind: 'endpoint', request, controls };
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    const param = err.param ? `${at}.${err.param.startsWith('x-') || err.param.startsWith('cf-') ? 'headers.' : 'query.'}${err.param}` : at;
    throw new GatewayError(err.status, err.type, err.code, `Step ${index}: ${err.message}`, { param, cause: err });
  }
}

/**
 * Runs the steps in order, each a whole pipeline call (resolve, admission, cache, retries, accounting), until one
 * succeeds: its result, with `meta.step` the step's index. A step that fails (an upstream error, a timeout, a refusal)
 * hands over to the next; when every step failed, the last step's error is the answer. A client that went away stops it.
 */
export async function runUniversalSteps(
  gateway: Pick<GatewayClient, 'execute' | 'executeEndpoint'>,
  caller: Caller,
  project: ProjectSnapshot,
  steps: readonly UniversalStep[],
  cancel: Cancellation,
  attempts?: LogAttempt[],
): Promise<ExecutionResult | EndpointResult> {
  let last: unknown;
  for (const step of steps) {
    try {
      const result =
        step.kind === 'chat'
          ? await gateway.execute(caller, project, step.request, step.controls, cancel, attempts)
          : await gateway.executeEndpoint(caller, project, step.request, step.controls, cancel, attempts);
      result.meta.step = step.index;
      return result;
    } catch (err) {
      if (err instanceof ClientAbortedError || cancel.aborted || !(err instanceof GatewayError)) throw err;
      last = err;
    }
  }
  throw last;
}
