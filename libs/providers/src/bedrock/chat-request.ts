import type { ChatMessage, ChatRequest } from '@switchyard/types';
import { loadImage, type ImageFetcher } from '../shared/images';
import { thinkingBlocksOf } from '../shared/thinking';
import { plainToolCallId } from '../shared/tool-call-ids';
import { convertTurns, convertUserParts, hasCacheControl, toolResultObject } from '../shared/messages';
import {
  contentParts,
  contentText,
  jsonSchemaFormat,
  mergeNative,
  parseToolArguments,
  passthroughFields,
  rejectUnsupported,
  requestedMaxTokens,
  stopSequences,
  THINKING_BUDGET,
  unsupportedParams,
} from '../shared/request';
import { UnsupportedParameterError, type AdapterContext } from '../types';

/** The tool that carries `response_format: json_schema` (forced); its input is the JSON answer. */
export const BEDROCK_JSON_TOOL = 'json_response';

type Block = Record<string, unknown>;
interface BedrockMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

const FORMATS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };

async function imageBlock(url: string, i: number, fetchImage: ImageFetcher): Promise<Block> {
  const img = await loadImage(url, fetchImage);
  const format = FORMATS[img.mediaType];
  if (!format) throw new UnsupportedParameterError(`messages[${i}].content`, `Bedrock accepts png, jpeg, gif and webp images, not ${img.mediaType}.`);
  return { image: { format, source: { bytes: img.data } } };
}

/** Converse's prompt-cache checkpoint: everything before it (system, tools, messages, in that order) is cached. */
export const CACHE_POINT: Block = { cachePoint: { type: 'default' } };

/**
 * System messages as Converse system blocks. A message without cache markers is one text block (as before);
 * a message with `cache_control` parts is one text block per part, a cachePoint after each marked part
 * (where Anthropic would put `cache_control`).
 */
function systemBlocks(messages: ChatMessage[]): Block[] {
  const out: Block[] = [];
  for (const m of messages) {
    if (m.role !== 'system' && m.role !== 'developer') continue;
    const parts = contentParts(m.content);
    if (!parts.some(hasCacheControl)) {
      out.push({ text: contentText(m.content) });
      continue;
    }
    for (const p of parts) {
      if (p.type === 'text') out.push({ text: String((p as { text: unknown }).text) });
      if (hasCacheControl(p) && out.length) out.push({ ...CACHE_POINT });
    }
  }
  return out;
}

function toolResultContent(text: string): Block[] {
  const object = toolResultObject(text);
  return object ? [{ json: object }] : [{ text }];
}

export async function convertBedrockMessages(messages: ChatMessage[], fetchImage: ImageFetcher): Promise<{ system: Block[]; messages: BedrockMessage[]; hasToolBlocks: boolean }> {
  let hasToolBlocks = false;
  const { turns } = await convertTurns<Block>(messages, {
    user: (m, i) => convertUserParts<Block>(m, i, 'Bedrock', { text: (text) => ({ text }), image: (url) => imageBlock(url, i, fetchImage), cachePoint: () => ({ ...CACHE_POINT }) }),
    text: (text) => ({ text }),
    // Claude's signed thinking goes back first and unchanged (reasoningText + signature, or redactedContent).
    reasoning: (m, i) =>
      thinkingBlocksOf(m, i).map((b) =>
        b.type === 'thinking'
          ? { reasoningContent: { reasoningText: { text: b.thinking, ...(b.signature !== undefined ? { signature: b.signature } : {}) } } }
          : { reasoningContent: { redactedContent: b.data } },
      ),
    toolCall: (call, i) => {
      hasToolBlocks = true;
      return { toolUse: { toolUseId: plainToolCallId(call.id), name: call.function.name, input: parseToolArguments(call.function.arguments, `messages[${i}].tool_calls`) } };
    },
    toolResult: (m) => {
      hasToolBlocks = true;
      return { toolResult: { toolUseId: plainToolCallId(String(m.tool_call_id ?? '')), content: toolResultContent(contentText(m.content)) } };
    },
    leads: (b) => 'toolResult' in b,
  });
  return { system: systemBlocks(messages), messages: turns.map((t) => ({ role: t.role, content: t.blocks })), hasToolBlocks };
}

const isClaude = (model: string) => /anthropic\.claude|claude/i.test(model);

/** The Converse / ConverseStream body. */
export async function buildBedrockBody(request: ChatRequest, ctx: AdapterContext, fetchImage: ImageFetcher): Promise<Record<string, unknown>> {
  rejectUnsupported(unsupportedParams(request, {}), 'Bedrock', ctx);
  const { system, messages, hasToolBlocks } = await convertBedrockMessages(request.messages, fetchImage);
  const body: Record<string, unknown> = { messages };
  if (system.length) body['system'] = system;

  const inference: Record<string, unknown> = {};
  let max = requestedMaxTokens(request) ?? ctx.maxOutputTokens;
  const additional: Record<string, unknown> = {};
  if (request.reasoning_effort) {
    if (!isClaude(ctx.target.upstreamModel)) {
      rejectUnsupported(['reasoning_effort'], `Bedrock model ${ctx.target.upstreamModel}`, ctx);
    } else {
      let budget = THINKING_BUDGET[request.reasoning_effort];
      if (requestedMaxTokens(request) !== undefined) budget = Math.min(budget, max! - 1);
      else if (max === undefined || max <= budget) max = budget + 4096;
      if (budget < 1024) throw new UnsupportedParameterError('reasoning_effort', 'Extended thinking needs max_tokens above 1024.');
      additional['thinking'] = { type: 'enabled', budget_tokens: budget };
    }
  }
  if (max !== undefined) inference['maxTokens'] = max;
  if (request.temperature !== undefined && request.temperature !== null) inference['temperature'] = request.temperature;
  if (request.top_p !== undefined && request.top_p !== null) inference['topP'] = request.top_p;
  const stops = stopSequences(request);
  if (stops) inference['stopSequences'] = stops;
  if (Object.keys(inference).length) body['inferenceConfig'] = inference;

  const tools: Block[] = (request.tools ?? []).map((t) => ({
    toolSpec: { name: t.function.name, ...(t.function.description ? { description: t.function.description } : {}), inputSchema: { json: t.function.parameters ?? { type: 'object', properties: {} } } },
  }));
  let toolChoice: Block | undefined;
  const tc = request.tool_choice;
  if (tc === 'auto') toolChoice = { auto: {} };
  else if (tc === 'required') toolChoice = { any: {} };
  else if (tc && typeof tc === 'object') toolChoice = { tool: { name: tc.function.name } };
  else if (tc === 'none' && tools.length) {
    // Converse has no "none": without tool history the tools are left out; with it, they must stay.
    if (hasToolBlocks) rejectUnsupported(['tool_choice'], 'Bedrock (tool_choice none with tool history)', ctx);
    tools.length = 0;
  }
  const schema = jsonSchemaFormat(request);
  if (schema) {
    tools.push({ toolSpec: { name: BEDROCK_JSON_TOOL, description: schema.description ?? `Respond with the ${schema.name} JSON object.`, inputSchema: { json: schema.schema } } });
    toolChoice = tools.length > 1 ? { any: {} } : { tool: { name: BEDROCK_JSON_TOOL } };
  } else if (request.response_format?.type === 'json_object') {
    system.push({ text: 'Respond only with a valid JSON object.' });
    body['system'] = system;
  }
  if (tools.length) body['toolConfig'] = { tools, ...(toolChoice ? { toolChoice } : {}) };
  if (Object.keys(additional).length) body['additionalModelRequestFields'] = additional;
  return mergeNative(body, passthroughFields(request));
}
