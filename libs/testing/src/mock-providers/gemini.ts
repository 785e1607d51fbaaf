import type { ParsedJson } from '../http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { importSPKI, jwtVerify } from 'jose';
import { anthropicAnswer, anthropicError, anthropicImages, betasOf, validateAnthropicBody } from './anthropic';
import { geminiEmbedAnswer, imagenPredictAnswer, vertexPredictAnswer } from './embeddings';
import { TEST_PNG } from '../image-server';
import { DEFAULT_USAGE, MockProviderServer, MockRejection, pieces, sse, type MockScenario, type RecordedProviderRequest, type SeenImage, type StreamWriter } from './base';


/**
 * A mock of the Gemini API (AI Studio `/v1beta/models/{m}:generateContent|streamGenerateContent?alt=sse`, and
 * `:embedContent|batchEmbedContents`, at most 100 per batch) and
 * of Vertex AI (`/v1/projects/{p}/locations/{r}/publishers/google/models/{m}:…`, plus Anthropic models at
 * `publishers/anthropic/models/{m}:rawPredict|streamRawPredict`, plus an OAuth token endpoint at `/token`),
 * written from Google's public reference. Validates the API key (`x-goog-api-key` or `?key=`) or the bearer
 * token issued by `/token` (whose JWT assertion is verified against the service account's public key), the body
 * (contents/roles/parts, and Schema objects: unknown fields are rejected as the real API does), and answers
 * errors as `{"error":{code,message,status}}`.
 */
export class GeminiMockServer extends MockProviderServer {
  /** Access tokens issued by /token. */
  readonly tokens = new Set<string>();
  /** Thought signatures issued to Gemini 3 function calls. */
  readonly signatures: ThoughtSignatures = new Map();
  tokenRequests = 0;
  readonly serviceAccount: { type: string; project_id: string; private_key_id: string; private_key: string; client_email: string; token_uri: string };
  private readonly publicKeyPem: string;

  constructor(readonly apiKey = 'gemini-test-key', readonly projectId = 'test-project') {
    super();
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.serviceAccount = {
      type: 'service_account',
      project_id: projectId,
      private_key_id: randomBytes(20).toString('hex'),
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: `gateway@${projectId}.iam.gserviceaccount.com`,
      token_uri: '', // set in start()
    };
  }

  override async start(): Promise<this> {
    await super.start();
    this.serviceAccount.token_uri = `${this.url}/token`;
    return this;
  }

  /** Vertex connection credentials pointing at this mock's token endpoint. */
  vertexCredentials(region = 'us-central1') {
    return { project_id: this.projectId, region, service_account_json: JSON.stringify(this.serviceAccount) };
  }

  protected async respond(req: RecordedProviderRequest, scenario: MockScenario) {
    if (req.path === '/token') return { raw: await this.token(req) };
    const vertex = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/(google|anthropic)\/models\/([^/:]+):(\w+)$/.exec(req.path);
    const studio = /^\/v1beta\/models\/([^/:]+):(\w+)$/.exec(req.path);
    if (req.method !== 'POST' || (!vertex && !studio)) throw new MockRejection(404, `The requested URL ${req.path} was not found on this server.`);
    if (vertex) {
      const auth = String(req.headers['authorization'] ?? '');
      if (!auth.startsWith('Bearer ') || !this.tokens.has(auth.slice(7))) {
        throw new MockRejection(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
      }
      if (decodeURIComponent(vertex[1]!) !== this.projectId) throw new MockRejection(403, `Permission denied on resource project ${vertex[1]}.`);
      if (vertex[3] === 'google' && vertex[5] === 'predict') {
        const model = decodeURIComponent(vertex[4]!);
        return { json: model.startsWith('imagen-') ? imagenPredictAnswer(req.body, TEST_PNG) : vertexPredictAnswer(model, req.body) };
      }
      if (vertex[3] === 'anthropic') {
        const method = vertex[5];
        if (method !== 'rawPredict' && method !== 'streamRawPredict') throw new MockRejection(404, `Unknown method ${method}`);
        validateAnthropicBody(req.body, 'vertex', betasOf(req.headers['anthropic-beta']));
        if ((method === 'streamRawPredict') !== !!req.body.stream) throw new MockRejection(400, 'stream must match streamRawPredict', 'invalid_request_error');
        return anthropicAnswer(req.body, scenario, decodeURIComponent(vertex[4]!));
      }
    } else {
      const key = req.headers['x-goog-api-key'] ?? req.query.get('key');
      if (!key) throw new MockRejection(403, 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.');
      if (key !== this.apiKey) throw new MockRejection(400, 'API key not valid. Please pass a valid API key.');
    }
    const method = vertex ? vertex[5] : studio![2];
    if (studio && (method === 'embedContent' || method === 'batchEmbedContents')) return { json: geminiEmbedAnswer(method, decodeURIComponent(studio[1]!), req.body) };
    if (studio && method === 'predict') {
      if (!studio[1]!.startsWith('imagen-')) throw new MockRejection(404, `models/${studio[1]} is not found for API version v1beta, or is not supported for predict.`);
      return { json: imagenPredictAnswer(req.body, TEST_PNG) };
    }
    const stream = method === 'streamGenerateContent';
    if (!stream && method !== 'generateContent') throw new MockRejection(404, `Method ${method} not found.`);
    if (stream && req.query.get('alt') !== 'sse') throw new MockRejection(400, 'The mock only streams with alt=sse (as the gateway must).');
    validateGeminiBody(req.body);
    const model = decodeURIComponent(vertex ? vertex[4]! : studio![1]!);
    validateThoughtSignatures(req.body, model, this.signatures);
    return geminiAnswer(req.body, scenario, stream, model, this.signatures);
  }

  protected errorResponse(status: number, message: string, type?: string) {
    if (this.lastRequest?.path.includes('/publishers/anthropic/')) return anthropicError(status, message, type);
    return { body: JSON.stringify({ error: { code: status, message, status: type ?? GOOGLE_STATUS[status] ?? 'UNKNOWN' } }) };
  }

  protected async imagesOf(req: RecordedProviderRequest): Promise<SeenImage[]> {
    if (req.path.includes('/publishers/anthropic/')) return anthropicImages(req.body, (url) => this.fetchUrlImage(url));
    const out: SeenImage[] = [];
    for (const c of req.body?.contents ?? []) {
      if (c.role !== 'user') continue;
      for (const p of c.parts ?? []) if (p?.inlineData) out.push({ mime: p.inlineData.mimeType, data: Buffer.from(p.inlineData.data, 'base64') });
    }
    return out;
  }

  private async token(req: RecordedProviderRequest): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    this.tokenRequests++;
    const form = new URLSearchParams(req.raw);
    const fail = (error: string, description: string) => ({ status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error, error_description: description }) });
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return fail('unsupported_grant_type', 'Invalid grant_type');
    try {
      const key = await importSPKI(this.publicKeyPem, 'RS256');
      const { payload, protectedHeader } = await jwtVerify(form.get('assertion') ?? '', key, { issuer: this.serviceAccount.client_email, audience: this.serviceAccount.token_uri });
      if (protectedHeader.alg !== 'RS256' || payload['scope'] !== 'https://www.googleapis.com/auth/cloud-platform') return fail('invalid_scope', 'Invalid scope');
      if (!payload.exp || !payload.iat || payload.exp - payload.iat > 3600) return fail('invalid_grant', 'Invalid JWT: expiry too far');
    } catch {
      return fail('invalid_grant', 'Invalid JWT Signature.');
    }
    const token = `ya29.${randomBytes(24).toString('base64url')}`;
    this.tokens.add(token);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ access_token: token, expires_in: 3599, token_type: 'Bearer' }) };
  }
}

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED', 529: 'UNAVAILABLE',
};

const bad = (message: string): never => {
  throw new MockRejection(400, message, 'INVALID_ARGUMENT');
};

const TOP_LEVEL = new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings', 'cachedContent', 'labels']);
const GENERATION = new Set(['temperature', 'topP', 'topK', 'maxOutputTokens', 'stopSequences', 'candidateCount', 'seed', 'presencePenalty', 'frequencyPenalty', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'thinkingConfig', 'responseLogprobs', 'logprobs', 'responseModalities']);
const SCHEMA_FIELDS = new Set(['type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required', 'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering', 'default', 'items', 'minimum', 'maximum']);
const SCHEMA_TYPES = new Set(['STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL', 'TYPE_UNSPECIFIED']);

/** The Schema message: unknown fields are an error, as in the real API ("Cannot find field"). */
export function validateGeminiSchema(schema: ParsedJson, where: string): void {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) bad(`Invalid value at '${where}': expected a Schema object`);
  for (const [k, v] of Object.entries(schema)) {
    if (!SCHEMA_FIELDS.has(k)) bad(`Invalid JSON payload received. Unknown name "${k}" at '${where}': Cannot find field.`);
    if (k === 'type' && !SCHEMA_TYPES.has(String(v).toUpperCase())) bad(`Invalid value at '${where}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), "${String(v)}"`);
    if (k === 'properties') for (const [name, sub] of Object.entries(v as object)) validateGeminiSchema(sub, `${where}.properties[${name}].value`);
    if (k === 'items') validateGeminiSchema(v, `${where}.items`);
    if (k === 'anyOf') (v as unknown[]).forEach((s, i) => validateGeminiSchema(s, `${where}.any_of[${i}]`));
    if (k === 'enum' && (!Array.isArray(v) || v.some((e) => typeof e !== 'string'))) bad(`Invalid value at '${where}.enum': enum values must be strings`);
  }
}

export function validateGeminiBody(body: ParsedJson): void {
  if (!body || typeof body !== 'object') bad('Invalid JSON payload received.');
  for (const k of Object.keys(body)) if (!TOP_LEVEL.has(k)) bad(`Invalid JSON payload received. Unknown name "${k}": Cannot find field.`);
  if (!Array.isArray(body.contents) || !body.contents.length) bad('* GenerateContentRequest.contents: contents is not specified');
  body.contents.forEach((c: ParsedJson, i: number) => {
    if (c.role !== 'user' && c.role !== 'model') bad(`Please use a valid role: user, model. (contents[${i}])`);
    if (!Array.isArray(c.parts) || !c.parts.length) bad(`* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`);
    for (const p of c.parts) {
      const kinds = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse'].filter((k) => k in p);
      if (kinds.length !== 1) bad(`* GenerateContentRequest.contents[${i}].parts: exactly one data field is required`);
      if (p.inlineData && (typeof p.inlineData.mimeType !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(p.inlineData.data ?? ''))) bad(`contents[${i}].parts.inline_data: invalid`);
      if (p.functionCall && (c.role !== 'model' || typeof p.functionCall.name !== 'string')) bad(`contents[${i}]: functionCall parts belong to the model role`);
      if (p.functionResponse && (typeof p.functionResponse.name !== 'string' || typeof p.functionResponse.response !== 'object')) bad(`contents[${i}].parts.function_response: name and response object are required`);
    }
  });
  if (body.systemInstruction && !Array.isArray(body.systemInstruction.parts)) bad('systemInstruction.parts: required');
  for (const [i, t] of (body.tools ?? []).entries()) {
    for (const [j, fd] of (t.functionDeclarations ?? []).entries()) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_.-]{0,63}$/.test(fd.name ?? '')) bad(`* GenerateContentRequest.tools[${i}].function_declarations[${j}].name: Invalid function name.`);
      if (fd.parameters) validateGeminiSchema(fd.parameters, `tools[${i}].function_declarations[${j}].parameters`);
    }
  }
  const mode = body.toolConfig?.functionCallingConfig?.mode;
  if (mode !== undefined && !['AUTO', 'ANY', 'NONE', 'VALIDATED'].includes(mode)) bad(`Invalid value at 'tool_config.function_calling_config.mode', "${mode}"`);
  const gen = body.generationConfig ?? {};
  for (const k of Object.keys(gen)) if (!GENERATION.has(k)) bad(`Invalid JSON payload received. Unknown name "${k}" at 'generation_config': Cannot find field.`);
  if (gen.responseSchema) {
    if (gen.responseMimeType !== 'application/json') bad('responseSchema requires responseMimeType application/json');
    validateGeminiSchema(gen.responseSchema, 'generation_config.response_schema');
  }
}

type Part = { text: string; thought?: boolean } | { functionCall: { name: string; args: unknown }; thoughtSignature?: string };

function plan(body: ParsedJson, scenario: MockScenario): { parts: Part[]; finish: string; argFragments?: string[] } {
  const reply = scenario.reply ?? { kind: 'text' };
  let parts: Part[] = [];
  let finish = 'STOP';
  switch (reply.kind) {
    case 'text':
      parts = [{ text: reply.text ?? 'Hello! How can I help?' }];
      break;
    case 'length':
      parts = [{ text: reply.text ?? 'This answer was cut' }];
      finish = 'MAX_TOKENS';
      break;
    case 'tool_calls':
      if (reply.text) parts.push({ text: reply.text });
      for (const c of reply.calls) parts.push({ functionCall: { name: c.name, args: JSON.parse(c.arguments) } });
      break;
    case 'json':
      parts = [{ text: JSON.stringify(reply.value) }];
      break;
    case 'reasoning':
      if (body.generationConfig?.thinkingConfig?.includeThoughts) parts.push({ text: reply.reasoning, thought: true });
      parts.push({ text: reply.text });
      break;
    case 'finish':
      parts = reply.text ? [{ text: reply.text }] : [];
      finish = reply.reason;
      break;
    case 'describe_images': // resolved to text before planning
      break;
  }
  for (const p of parts) {
    if (!('text' in p) || p.thought) continue;
    for (const s of (body.generationConfig?.stopSequences ?? []) as string[]) {
      const at = p.text.indexOf(s);
      if (at >= 0) p.text = p.text.slice(0, at);
    }
  }
  return { parts, finish };
}

function usageOf(scenario: MockScenario) {
  const u = scenario.usage ?? DEFAULT_USAGE;
  const thoughts = u.reasoning ?? 0;
  return {
    promptTokenCount: u.input,
    candidatesTokenCount: u.output - thoughts,
    totalTokenCount: u.input + u.output,
    ...(u.cacheRead ? { cachedContentTokenCount: u.cacheRead } : {}),
    ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
  };
}

/** Gemini 3 models: signatures issued on function calls (signature -> function name), required back on later turns. */
export type ThoughtSignatures = Map<string, string>;

const isGemini3 = (model: string) => /gemini-3/.test(model);
/** The documented placeholder that skips signature validation (for histories from other models). */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

/**
 * Gemini 3 rule: in the model turns sent back, the first functionCall part of each turn must carry the
 * thoughtSignature it was returned with (else 400), as the real API enforces for function calling.
 */
export function validateThoughtSignatures(body: ParsedJson, model: string, issued: ThoughtSignatures): void {
  if (!isGemini3(model)) return;
  body.contents.forEach((c: ParsedJson, i: number) => {
    if (c.role !== 'model') return;
    const first = c.parts.find((p: ParsedJson) => p.functionCall);
    if (!first) return;
    const sig = first.thoughtSignature;
    if (sig === SKIP_THOUGHT_SIGNATURE) return;
    if (typeof sig !== 'string') bad(`Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${first.functionCall.name}\` , position ${i + 1}.`);
    if (issued.get(sig) !== first.functionCall.name) bad(`Corrupted thought signature at contents[${i}].`);
  });
}

export function geminiAnswer(body: ParsedJson, scenario: MockScenario, stream: boolean, model: string, signatures?: ThoughtSignatures): { json: unknown } | { stream: StreamWriter } {
  const { parts, finish } = plan(body, scenario);
  if (signatures && isGemini3(model)) {
    // Parallel calls: only the first functionCall part carries a signature.
    const first = parts.find((p): p is Extract<Part, { functionCall: unknown }> => 'functionCall' in p);
    if (first) {
      first.thoughtSignature = randomBytes(48).toString('base64');
      signatures.set(first.thoughtSignature, first.functionCall.name);
    }
  }
  const responseId = randomBytes(9).toString('base64url');
  const usageMetadata = usageOf(scenario);
  if (!stream) {
    return { json: { candidates: [{ content: { role: 'model', parts }, finishReason: finish, index: 0 }], usageMetadata, modelVersion: model, responseId } };
  }
  // Text is split across events; function calls arrive whole; the last event carries finishReason and usage.
  const events: string[] = [];
  const emit = (ps: Part[], last: boolean) =>
    events.push(
      sse(undefined, {
        candidates: [{ content: { role: 'model', parts: ps }, ...(last ? { finishReason: finish } : {}), index: 0 }],
        usageMetadata: last ? usageMetadata : { promptTokenCount: usageMetadata.promptTokenCount },
        modelVersion: model,
        responseId,
      }),
    );
  const flat: Part[] = [];
  for (const p of parts) {
    if ('text' in p) for (const t of pieces(p.text, 8)) flat.push({ ...p, text: t });
    else flat.push(p);
  }
  if (!flat.length) flat.push({ text: '' });
  flat.forEach((p, i) => emit([p], i === flat.length - 1));
  return {
    stream: {
      events,
      contentType: 'text/event-stream',
      terminalEvents: 1,
      firstContentEvents: 1,
      malformed: 'data: {"candidates": [{"content": \n\n',
      errorEvent: (type, message) => sse(undefined, { error: { code: type === 'RESOURCE_EXHAUSTED' ? 429 : 503, message, status: type ?? 'UNAVAILABLE' } }),
    },
  };
}
