import type { ProviderId, Usage } from '@switchyard/types';
import { anthropicEventUsage, messageUsage, openAIEventUsage, responsesEventUsage, responsesUsage } from './event-usage';
import type { SseUsageReader, UpstreamCall, UpstreamRequest, UsageEventDecoder } from '../types';

/**
 * A call on a provider's own API path (Cloudflare's provider-native endpoints,
 * `/v1/{account_id}/{gateway_id}/{provider}/{provider path}`): the client's request bytes are sent as they came, to the
 * provider path on the connection's base URL, with the connection's credentials instead of any the client sent.
 */
export interface ProviderPathRequest {
  method: 'GET' | 'POST';
  /** The provider's path after its slug, with the query (`/chat/completions`, `/v1/messages`, `/v1beta/models/m:streamGenerateContent?alt=sse`). */
  path: string;
  /** The body as received; null for GET. */
  body: Buffer | null;
  /** The body parsed, when it is a JSON object (its `model` and `stream`); else null. */
  json: Readonly<Record<string, unknown>> | null;
  /** The client's protocol headers to forward (see FORWARDED), lower-case names. */
  headers: Readonly<Record<string, string>>;
}

/** What the gateway reads of a provider-path call: the model it names (in the body or the path; null: none, e.g. `GET /models`) and whether it streams. */
export interface ProviderPathCall {
  model: string | null;
  stream: boolean;
}

/** The client headers passed on to the provider (its protocol's; never a credential). */
export const FORWARDED_PROVIDER_HEADERS = ['content-type', 'accept', 'anthropic-version', 'anthropic-beta', 'openai-beta'] as const;

const GOOGLE_METHOD = /\/models\/([^/:?]+):(\w+)/;
const BEDROCK_OPERATION = /\/model\/([^/?]+)\/(converse-stream|converse|invoke-with-response-stream|invoke)(?:\?|$)/;

const decoded = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The model and stream flag of a provider-path call, where the provider's API puts them. */
export function providerPathCall(provider: ProviderId, request: ProviderPathRequest): ProviderPathCall {
  const bodyModel = typeof request.json?.['model'] === 'string' ? (request.json['model'] as string) : null;
  switch (provider) {
    case 'google-ai-studio':
    case 'google-vertex': {
      const m = GOOGLE_METHOD.exec(request.path);
      return { model: m ? decoded(m[1]!) : bodyModel, stream: !!m && m[2]!.startsWith('stream') };
    }
    case 'aws-bedrock': {
      const m = BEDROCK_OPERATION.exec(request.path);
      return { model: m ? decoded(m[1]!) : null, stream: !!m && m[2]!.includes('stream') };
    }
    case 'azure-openai': {
      // `/{resource_name}/{deployment_name}/chat/completions?api-version=…`: the deployment is the model.
      const deployment = request.path.split('?')[0]!.split('/')[2];
      return { model: deployment ? decoded(deployment) : bodyModel, stream: request.json?.['stream'] === true };
    }
    default:
      return { model: bodyModel, stream: request.json?.['stream'] === true };
  }
}

const VERTEX_SCOPE = /^\/v1[a-z0-9]*\/projects\/([^/]+)\/locations\/([^/]+)\//;
const SCOPED: ReadonlySet<ProviderId> = new Set(['azure-openai', 'google-vertex', 'aws-bedrock']);

/**
 * Why a provider path is outside the connection it would be sent with (null: it is not): Azure's
 * `/{resource_name}/…` must name the connection's resource, Vertex's `/v1/projects/{project}/locations/{region}/…`
 * its project and region (the service account may reach other projects: the path must not), Bedrock's
 * `/bedrock-runtime/{region}/…` its region (the call goes to the connection's regional endpoint, never the path's),
 * and none may hold a `.` or `..` segment or an encoded slash (a server that resolves them would reach another path
 * than the one checked).
 */
export function providerPathScopeError(provider: ProviderId, path: string, credentials: Readonly<Record<string, unknown>>): string | null {
  if (!SCOPED.has(provider)) return null;
  const segments = path.split('?')[0]!.split('/').map(decoded);
  if (segments.some((s) => s === '.' || s === '..' || /[/\\]/.test(s))) return `The ${provider} path may not hold '.' or '..' segments or encoded slashes.`;
  if (provider === 'azure-openai') {
    return segments[1] === credentials['resource_name'] ? null : `The Azure resource '${segments[1] ?? ''}' in the path is not the resource of the connection this call would use (pick another with cf-aig-byok-alias).`;
  }
  if (provider === 'aws-bedrock') {
    if (segments[1] !== 'bedrock-runtime' || !segments[2]) return 'An aws-bedrock path must start with /bedrock-runtime/{region}/.';
    return segments[2] === credentials['region'] ? null : `The AWS region '${segments[2]}' in the path is not the region of the connection this call would use (pick another with cf-aig-byok-alias).`;
  }
  const m = VERTEX_SCOPE.exec(path);
  if (!m) return 'A google-vertex-ai path must start with /v1/projects/{project}/locations/{region}/.';
  if (decoded(m[1]!) !== credentials['project_id'] || decoded(m[2]!) !== credentials['region']) {
    return `The Vertex project '${decoded(m[1]!)}' and region '${decoded(m[2]!)}' in the path are not those of the connection this call would use (pick another with cf-aig-byok-alias).`;
  }
  return null;
}

const VERSION_AT_END = /\/v\d+(?:alpha|beta)?\d*$/;
const VERSION_AT_START = /^\/v\d+(?:alpha|beta)?\d*(?=[/?]|$)/;

/**
 * The provider path on an API base: a path that brings its own API version (`/v1/messages`, `/v1beta/models/…`)
 * replaces the base's (`https://api.anthropic.com/v1` + `/v1/messages`); one without is appended to the base as it
 * is (`https://api.groq.com/openai/v1` + `/chat/completions`). The client's `key` query parameter (Gemini's API key
 * in the URL) is removed: the connection's credential is sent instead.
 */
export function providerUrl(apiBase: string, path: string): string {
  const base = apiBase.replace(/\/+$/, '');
  const url = VERSION_AT_START.test(path) && VERSION_AT_END.test(base) ? base.replace(VERSION_AT_END, '') + path : base + path;
  return withoutQueryParam(url, 'key');
}

function withoutQueryParam(url: string, name: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  if (!params.has(name)) return url;
  params.delete(name);
  const rest = params.toString();
  return rest ? `${url.slice(0, q)}?${rest}` : url.slice(0, q);
}

/** Where a provider's answers report usage: in a JSON body, and in the events of a stream (absent: streams are not read). */
export interface PathUsage {
  body: (body: unknown) => Usage | null;
  events?: () => SseUsageReader;
  /** How a stream's bytes split into events, when it is not SSE. */
  decoder?: () => UsageEventDecoder;
}

/**
 * The upstream call of a provider-path request: the client's bytes with the forwarded headers and `auth` (the
 * connection's credentials, or a signer of the whole request for Bedrock). A stream is passed through as it arrives,
 * its usage read from its events; a JSON answer goes back as the provider sent it, its usage read from the body.
 */
export async function providerPathUpstream(
  request: ProviderPathRequest,
  url: string,
  auth: Record<string, string> | ((upstream: UpstreamRequest) => Promise<UpstreamRequest>),
  usage: PathUsage,
  stream: boolean,
): Promise<UpstreamCall> {
  const headers: Record<string, string> = { ...request.headers };
  const bare: UpstreamRequest = { url, method: request.method, headers, body: request.body ?? '' };
  const upstream = typeof auth === 'function' ? await auth(bare) : { ...bare, headers: { ...headers, ...auth } };
  if (request.method === 'GET') upstream.body = '';
  // The auth headers' values (a Vertex access token is fetched for the call: no stored credential holds it).
  const sentSecrets = typeof auth === 'function' ? undefined : Object.values(auth).map((v) => v.replace(/^Bearer /, ''));
  if (stream) return { read: 'raw', request: upstream, sentSecrets, ...(usage.events ? { sseUsage: usage.events(), usageEvents: usage.decoder } : {}) };
  return { read: 'json', requests: [upstream], sentSecrets, combine: ([answer]) => ({ body: answer!.body, usage: usage.body(answer!.body) }) };
}

/** An OpenAI-format answer's usage: chat, completions and embeddings (`prompt_tokens`), or a Response (`input_tokens`). */
export const OPENAI_PATH_USAGE: PathUsage = {
  body: (body) => {
    const u = (body as { usage?: Partial<Usage> | null } | null)?.usage;
    if (u && typeof u.prompt_tokens === 'number') {
      const prompt = u.prompt_tokens;
      const completion = typeof u.completion_tokens === 'number' ? u.completion_tokens : 0;
      return { ...u, prompt_tokens: prompt, completion_tokens: completion, total_tokens: u.total_tokens ?? prompt + completion } as Usage;
    }
    return responsesUsage(body);
  },
  events: () => (event) => openAIEventUsage(event) ?? responsesEventUsage(event),
};

/** A Messages answer's usage (Anthropic, Claude on Vertex and on Bedrock's InvokeModel). */
export const MESSAGES_PATH_USAGE: PathUsage = { body: messageUsage, events: anthropicEventUsage };
