import { bedrockEmbedAnswer } from './embeddings';
import type { ParsedJson } from '../http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { randomBytes } from 'node:crypto';
import { anthropicAnswer, MOCK_REDACTED_THINKING, mockThinkingSignature, validateAnthropicBody } from './anthropic';
import { DEFAULT_USAGE, MockProviderServer, MockRejection, pieces, type MockScenario, type RecordedProviderRequest, type SeenImage, type StreamWriter } from './base';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** One `application/vnd.amazon.eventstream` frame (the real framing: prelude, headers, payload, CRC32s). */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    // Bedrock pads payloads with a random `p` field.
    body: fromUtf8(JSON.stringify({ ...(payload as object), p: 'abcdefghij'.slice(0, 1 + (randomBytes(1)[0]! % 10)) })),
  });
}

export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

export interface BedrockMockCredentials {
  access_key_id: string;
  secret_access_key: string;
  session_token?: string;
  region: string;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'ValidationException', 403: 'AccessDeniedException', 404: 'ResourceNotFoundException', 408: 'ModelTimeoutException',
  424: 'ModelErrorException', 429: 'ThrottlingException', 500: 'InternalServerException', 503: 'ServiceUnavailableException',
  401: 'UnrecognizedClientException', 529: 'ServiceUnavailableException',
};

/**
 * A mock of Bedrock Runtime Converse (`POST /model/{modelId}/converse`), InvokeModel of the Titan and Cohere
 * embedding models (`/invoke`) and of Claude (`/invoke`, `/invoke-with-response-stream`: the Messages format), and ConverseStream
 * (`/converse-stream`, binary event stream), written from the AWS API reference. It verifies the SigV4
 * signature completely (recomputed with the connection's secret over the signed headers, service
 * `bedrock`), requires the session token header when one is configured, validates the body (alternating
 * roles starting with user, content blocks, toolConfig when tool blocks appear, image formats), and answers
 * errors as `{"message"}` with `x-amzn-ErrorType`.
 */
export class BedrockMockServer extends MockProviderServer {
  constructor(
    readonly credentials: BedrockMockCredentials = {
      access_key_id: 'AKIAMOCKACCESSKEY01',
      secret_access_key: 'mockSecretAccessKey/abcdefghijklmnopqrstu',
      session_token: 'mock-session-token',
      region: 'us-east-1',
    },
  ) {
    super();
  }

  protected async respond(req: RecordedProviderRequest, scenario: MockScenario) {
    const m = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/.exec(req.path);
    if (req.method !== 'POST' || !m) throw new MockRejection(404, `Unknown operation ${req.method} ${req.path}`, 'UnknownOperationException');
    await this.verifySignature(req);
    const modelId = decodeURIComponent(m[1]!);
    if (m[2] === 'invoke-with-response-stream' && !CLAUDE_ID.test(modelId)) throw new MockRejection(400, `The model ${modelId} does not support response streaming through InvokeModel in this mock.`, 'ValidationException');
    if (CLAUDE_ID.test(modelId) && m[2]!.startsWith('invoke')) return invokeClaude(req.body, scenario, modelId, m[2] === 'invoke-with-response-stream');
    if (m[2] === 'invoke') return { raw: bedrockEmbedAnswer(modelId, req.body) };
    validateConverseBody(req.body);
    return bedrockAnswer(req.body, scenario, m[2] === 'converse-stream');
  }

  protected errorResponse(status: number, message: string, type?: string) {
    const t = type ?? ERROR_TYPES[status] ?? 'InternalServerException';
    return { body: JSON.stringify({ message }), headers: { 'x-amzn-errortype': `${t}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': randomBytes(16).toString('hex') } };
  }

  protected async imagesOf(req: RecordedProviderRequest): Promise<SeenImage[]> {
    const out: SeenImage[] = [];
    for (const m of req.body?.messages ?? []) {
      if (m.role !== 'user') continue;
      for (const b of m.content ?? []) if (b?.image) out.push({ mime: `image/${b.image.format}`, data: Buffer.from(b.image.source?.bytes ?? '', 'base64') });
    }
    return out;
  }

  private async verifySignature(req: RecordedProviderRequest): Promise<void> {
    const auth = String(req.headers['authorization'] ?? '');
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/bedrock\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) throw new MockRejection(403, 'Authorization header requires \'Credential\', \'SignedHeaders\' and \'Signature\' in the AWS4-HMAC-SHA256 format.', 'IncompleteSignatureException');
    const [, keyId, , region, signedHeaders, signature] = m;
    if (keyId !== this.credentials.access_key_id) throw new MockRejection(403, 'The security token included in the request is invalid.', 'UnrecognizedClientException');
    if (region !== this.credentials.region) throw new MockRejection(403, `Credential should be scoped to a valid region, not '${region}'.`, 'InvalidSignatureException');
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    if (!/^\d{8}T\d{6}Z$/.test(amzDate)) throw new MockRejection(403, 'Missing or invalid X-Amz-Date header.', 'IncompleteSignatureException');
    const names = signedHeaders!.split(';');
    if (!names.includes('host') || !names.includes('x-amz-date')) throw new MockRejection(403, 'host and x-amz-date must be signed.', 'InvalidSignatureException');
    if (this.credentials.session_token) {
      if (req.headers['x-amz-security-token'] !== this.credentials.session_token || !names.includes('x-amz-security-token')) {
        throw new MockRejection(403, 'The security token included in the request is invalid.', 'UnrecognizedClientException');
      }
    }
    const headers: Record<string, string> = {};
    for (const n of names) headers[n] = String(req.headers[n] ?? '');
    const signer = new SignatureV4({
      service: 'bedrock',
      region: this.credentials.region,
      sha256: Sha256,
      credentials: { accessKeyId: this.credentials.access_key_id, secretAccessKey: this.credentials.secret_access_key, sessionToken: this.credentials.session_token },
    });
    const [host, port] = headers['host']!.split(':');
    const query: Record<string, string> = {};
    req.query.forEach((v, k) => (query[k] = v));
    const date = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const expected = await signer.sign(
      { method: req.method, protocol: 'http:', hostname: host!, port: port ? Number(port) : undefined, path: req.url.split('?')[0]!, query, headers, body: req.raw },
      { signingDate: date },
    );
    const expectedSig = /Signature=([0-9a-f]{64})/.exec(String(expected.headers['authorization']))?.[1];
    if (expectedSig !== signature) {
      throw new MockRejection(403, 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.', 'InvalidSignatureException');
    }
  }
}

/** Claude's Bedrock ids (`anthropic.claude-…`, with a cross-region prefix such as `us.` or `global.`). */
const CLAUDE_ID = /^(?:[a-z]{2,6}\.)?anthropic\.claude-/;

/**
 * InvokeModel / InvokeModelWithResponseStream of Claude: the Messages body (no `model`, no `stream`, Bedrock's
 * `anthropic_version`, betas as `anthropic_beta`) validated as Anthropic would, answered with the Message, or with
 * each Anthropic event base64-encoded in a `chunk` frame (`{"bytes": …}`), `message_stop` carrying Bedrock's
 * invocation metrics, as the real stream does.
 */
function invokeClaude(body: ParsedJson, scenario: MockScenario, modelId: string, stream: boolean): { json: unknown } | { stream: StreamWriter } {
  try {
    validateAnthropicBody(body, 'bedrock');
  } catch (err) {
    // Bedrock answers Claude's own 400s as a ValidationException.
    if (err instanceof MockRejection) throw new MockRejection(400, err.message, 'ValidationException');
    throw err;
  }
  const answer = anthropicAnswer({ ...body, stream }, scenario, modelId);
  if ('json' in answer) return answer;
  const sse = answer.stream;
  const usage = scenario.usage ?? DEFAULT_USAGE;
  const frames = (sse.events as string[])
    .map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)) as { type: string })
    .filter((e) => e.type !== 'ping')
    .map((e) => {
      const event = e.type === 'message_stop' ? { ...e, 'amazon-bedrock-invocationMetrics': { inputTokenCount: usage.input, outputTokenCount: usage.output, invocationLatency: 120, firstByteLatency: 40 } } : e;
      return eventFrame('chunk', { bytes: Buffer.from(JSON.stringify(event)).toString('base64') });
    });
  return {
    stream: {
      events: frames,
      contentType: 'application/vnd.amazon.eventstream',
      terminalEvents: 2,
      firstContentEvents: Math.max(1, sse.firstContentEvents - 1),
      malformed: Buffer.from('not an event-stream frame'),
      errorEvent: (type, message) => exceptionFrame(type ?? 'modelStreamErrorException', message),
    },
  };
}

const bad = (message: string): never => {
  throw new MockRejection(400, message, 'ValidationException');
};

const TOP_LEVEL = new Set(['messages', 'system', 'inferenceConfig', 'toolConfig', 'guardrailConfig', 'additionalModelRequestFields', 'additionalModelResponseFieldPaths', 'promptVariables', 'requestMetadata', 'performanceConfig']);
const INFERENCE = new Set(['maxTokens', 'temperature', 'topP', 'stopSequences']);

export function validateConverseBody(body: ParsedJson): void {
  if (!body || typeof body !== 'object') bad('Malformed input request.');
  for (const k of Object.keys(body)) if (!TOP_LEVEL.has(k)) bad(`Malformed input request: extraneous key [${k}] is not permitted`);
  if (!Array.isArray(body.messages) || !body.messages.length) bad('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
  let toolBlocks = false;
  body.messages.forEach((m: ParsedJson, i: number) => {
    if (m.role !== 'user' && m.role !== 'assistant') bad(`1 validation error detected: Value at 'messages.${i + 1}.member.role' failed to satisfy constraint`);
    if (i === 0 && m.role !== 'user') bad('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
    if (i > 0 && body.messages[i - 1].role === m.role) bad('A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.');
    if (!Array.isArray(m.content) || !m.content.length) bad(`The content field in the Message object at messages.${i}.content is empty.`);
    for (const b of m.content) {
      const kinds = Object.keys(b);
      if (kinds.length !== 1) bad(`messages.${i}.content: exactly one member of ContentBlock must be set`);
      const k = kinds[0]!;
      if (k === 'image') {
        if (!['png', 'jpeg', 'gif', 'webp'].includes(b.image.format)) bad(`messages.${i}: invalid image format`);
        if (typeof b.image.source?.bytes !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(b.image.source.bytes)) bad(`messages.${i}: image bytes must be base64`);
      } else if (k === 'toolUse' || k === 'toolResult') toolBlocks = true;
      else if (k === 'reasoningContent') {
        if (m.role !== 'assistant') bad(`messages.${i}: reasoningContent is only allowed in assistant messages`);
        const rc = b.reasoningContent ?? {};
        if (Object.keys(rc).length !== 1) bad(`messages.${i}.content: exactly one member of ReasoningContentBlock (reasoningText, redactedContent) must be set`);
        if (rc.reasoningText) {
          if (typeof rc.reasoningText.text !== 'string') bad(`messages.${i}: reasoningText.text is required`);
          if (rc.reasoningText.signature !== mockThinkingSignature(rc.reasoningText.text)) bad(`messages.${i}: The model returned the following errors: Invalid \`signature\` in \`thinking\` block`);
        } else if (typeof rc.redactedContent !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(rc.redactedContent)) bad(`messages.${i}: redactedContent must be base64`);
      } else if (!['text', 'document', 'cachePoint'].includes(k)) bad(`messages.${i}: unknown content block ${k}`);
    }
    validateCachePoints(m.content, `messages.${i}.content`);
  });
  if (body.system !== undefined) {
    if (!Array.isArray(body.system)) bad("1 validation error detected: Value at 'system' failed to satisfy constraint: Member must be a list");
    for (const [j, b] of body.system.entries()) {
      const kinds = Object.keys(b ?? {});
      if (kinds.length !== 1 || !['text', 'cachePoint', 'guardContent'].includes(kinds[0]!)) bad(`system.${j}: exactly one member of SystemContentBlock (text, cachePoint, guardContent) must be set`);
      if (kinds[0] === 'text' && typeof b.text !== 'string') bad(`system.${j}.text: must be a string`);
    }
    validateCachePoints(body.system, 'system');
  }
  // Claude with thinking on: the assistant turn whose toolUse the last user turn answers must start with its reasoning.
  const last = body.messages.length - 1;
  const answered = body.messages[last - 1];
  const has = (m: ParsedJson, k: string) => Array.isArray(m?.content) && m.content.some((b: ParsedJson) => b && k in b);
  if (body.additionalModelRequestFields?.thinking?.type === 'enabled' && has(body.messages[last], 'toolResult') && answered?.role === 'assistant' && has(answered, 'toolUse') && !answered.content[0]?.reasoningContent) {
    bad(
      `The model returned the following errors: messages.${last - 1}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`tool_use\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block.`,
    );
  }
  for (const k of Object.keys(body.inferenceConfig ?? {})) if (!INFERENCE.has(k)) bad(`Malformed input request: extraneous key [${k}] is not permitted`);
  if (body.inferenceConfig?.maxTokens !== undefined && (!Number.isInteger(body.inferenceConfig.maxTokens) || body.inferenceConfig.maxTokens < 1)) bad('maxTokens must be a positive integer');
  if (toolBlocks && !body.toolConfig?.tools?.length) bad('The toolConfig field must be defined when using toolUse and toolResult content blocks.');
  for (const t of body.toolConfig?.tools ?? []) {
    const kinds = Object.keys(t ?? {});
    if (kinds.length !== 1) bad('toolConfig.tools: exactly one member of Tool (toolSpec, cachePoint) must be set');
    if (kinds[0] === 'cachePoint') continue;
    if (!t.toolSpec?.name || !t.toolSpec?.inputSchema?.json) bad('toolSpec requires name and inputSchema.json');
  }
  if (body.toolConfig?.tools) validateCachePoints(body.toolConfig.tools, 'toolConfig.tools');
  const choice = body.toolConfig?.toolChoice;
  if (choice && Object.keys(choice).length !== 1) bad('toolChoice: exactly one of auto, any, tool');
  if (choice?.tool && !body.toolConfig.tools.some((t: ParsedJson) => t.toolSpec?.name === choice.tool.name)) bad('toolChoice.tool.name must name a tool');
}

/**
 * Prompt-cache checkpoints (`{cachePoint: {type: 'default'}}`, the only CachePointBlock type): each must follow
 * the content it caches (not first in its list, not right after another checkpoint).
 */
function validateCachePoints(blocks: ParsedJson[], where: string): void {
  blocks.forEach((b, j) => {
    if (!b || typeof b !== 'object' || !('cachePoint' in b)) return;
    const cp = b.cachePoint;
    if (!cp || typeof cp !== 'object' || Object.keys(cp).length !== 1 || cp.type !== 'default') {
      bad(`1 validation error detected: Value at '${where}.${j + 1}.member.cachePoint' failed to satisfy constraint: type must be 'default'`);
    }
    if (j === 0 || 'cachePoint' in (blocks[j - 1] ?? {})) bad(`${where}.${j}: a cachePoint must follow the content it caches`);
  });
}

type Block = { text: string } | { toolUse: { toolUseId: string; name: string; input: unknown }; raw: string } | { reasoning: string } | { redacted: string };

function plan(body: ParsedJson, scenario: MockScenario): { blocks: Block[]; stopReason: string } {
  const reply = scenario.reply ?? { kind: 'text' };
  const id = () => `tooluse_${randomBytes(11).toString('base64url')}`;
  let blocks: Block[] = [];
  let stopReason = 'end_turn';
  switch (reply.kind) {
    case 'text':
      blocks = [{ text: reply.text ?? 'Hello! How can I help?' }];
      break;
    case 'length':
      blocks = [{ text: reply.text ?? 'This answer was cut' }];
      stopReason = 'max_tokens';
      break;
    case 'tool_calls':
      if (body.additionalModelRequestFields?.thinking && reply.reasoning) blocks.push({ reasoning: reply.reasoning });
      if (body.additionalModelRequestFields?.thinking && reply.redacted) blocks.push({ redacted: MOCK_REDACTED_THINKING });
      if (reply.text) blocks.push({ text: reply.text });
      for (const c of reply.calls) blocks.push({ toolUse: { toolUseId: c.id ?? id(), name: c.name, input: JSON.parse(c.arguments) }, raw: c.arguments });
      stopReason = 'tool_use';
      break;
    case 'json': {
      const choice = body.toolConfig?.toolChoice;
      const forced = choice?.tool?.name ?? (choice?.any ? body.toolConfig.tools[body.toolConfig.tools.length - 1].toolSpec.name : undefined);
      const raw = JSON.stringify(reply.value);
      if (forced) {
        blocks = [{ toolUse: { toolUseId: id(), name: forced, input: reply.value }, raw }];
        stopReason = 'tool_use';
      } else blocks = [{ text: raw }];
      break;
    }
    case 'reasoning':
      if (body.additionalModelRequestFields?.thinking) blocks.push({ reasoning: reply.reasoning });
      blocks.push({ text: reply.text });
      break;
    case 'finish':
      blocks = [{ text: reply.text ?? '' }];
      stopReason = reply.reason;
      break;
    case 'describe_images': // resolved to text before planning
      blocks = [{ text: '' }];
      break;
  }
  for (const b of blocks) {
    if (!('text' in b)) continue;
    for (const s of (body.inferenceConfig?.stopSequences ?? []) as string[]) {
      const at = b.text.indexOf(s);
      if (at >= 0) {
        b.text = b.text.slice(0, at);
        stopReason = 'stop_sequence';
      }
    }
  }
  return { blocks, stopReason };
}

function usageOf(scenario: MockScenario) {
  const u = scenario.usage ?? DEFAULT_USAGE;
  return {
    inputTokens: u.input - (u.cacheRead ?? 0) - (u.cacheWrite ?? 0),
    outputTokens: u.output,
    totalTokens: u.input + u.output,
    ...(u.cacheRead !== undefined ? { cacheReadInputTokens: u.cacheRead } : {}),
    ...(u.cacheWrite !== undefined ? { cacheWriteInputTokens: u.cacheWrite } : {}),
  };
}

export function bedrockAnswer(body: ParsedJson, scenario: MockScenario, stream: boolean): { json: unknown } | { stream: StreamWriter } {
  const { blocks, stopReason } = plan(body, scenario);
  const usage = usageOf(scenario);
  if (!stream) {
    const content = blocks.map((b) =>
      'text' in b
        ? { text: b.text }
        : 'toolUse' in b
          ? { toolUse: b.toolUse }
          : 'redacted' in b
            ? { reasoningContent: { redactedContent: b.redacted } }
            : { reasoningContent: { reasoningText: { text: b.reasoning, signature: mockThinkingSignature(b.reasoning) } } },
    );
    return { json: { output: { message: { role: 'assistant', content } }, stopReason, usage, metrics: { latencyMs: 42 } } };
  }
  const events: Uint8Array[] = [eventFrame('messageStart', { role: 'assistant' })];
  let firstContentEvents = 0;
  blocks.forEach((b, contentBlockIndex) => {
    if ('text' in b) {
      for (const p of pieces(b.text)) {
        events.push(eventFrame('contentBlockDelta', { contentBlockIndex, delta: { text: p } }));
        firstContentEvents ||= events.length;
      }
    } else if ('toolUse' in b) {
      events.push(eventFrame('contentBlockStart', { contentBlockIndex, start: { toolUse: { toolUseId: b.toolUse.toolUseId, name: b.toolUse.name } } }));
      firstContentEvents ||= events.length;
      for (const p of pieces(b.raw, 7)) events.push(eventFrame('contentBlockDelta', { contentBlockIndex, delta: { toolUse: { input: p } } }));
    } else if ('redacted' in b) {
      events.push(eventFrame('contentBlockDelta', { contentBlockIndex, delta: { reasoningContent: { redactedContent: b.redacted } } }));
      firstContentEvents ||= events.length;
    } else {
      for (const p of pieces(b.reasoning)) {
        events.push(eventFrame('contentBlockDelta', { contentBlockIndex, delta: { reasoningContent: { text: p } } }));
        firstContentEvents ||= events.length;
      }
      events.push(eventFrame('contentBlockDelta', { contentBlockIndex, delta: { reasoningContent: { signature: mockThinkingSignature(b.reasoning) } } }));
    }
    events.push(eventFrame('contentBlockStop', { contentBlockIndex }));
  });
  events.push(eventFrame('messageStop', { stopReason }));
  events.push(eventFrame('metadata', { usage, metrics: { latencyMs: 42 } }));
  return {
    stream: {
      events,
      contentType: 'application/vnd.amazon.eventstream',
      terminalEvents: 2,
      firstContentEvents: firstContentEvents || 2,
      malformed: new Uint8Array([0, 0, 0, 40, 0, 0, 0, 5, 1, 2, 3, 4, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]),
      errorEvent: (type, message) => exceptionFrame(type ?? 'throttlingException', message),
    },
  };
}
