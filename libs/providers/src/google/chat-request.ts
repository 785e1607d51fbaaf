import type { ChatMessage, ChatRequest } from '@switchyard/types';
import { loadImage, type ImageFetcher } from '../shared/images';
import { convertTurns, convertUserParts, toolResultObject } from '../shared/messages';
import {
  contentText,
  mergeNative,
  parseToolArguments,
  passthroughFields,
  rejectUnsupported,
  requestedMaxTokens,
  stopSequences,
  THINKING_BUDGET,
  unsupportedParams,
} from '../shared/request';
import { splitToolCallId } from '../shared/tool-call-ids';
import { UnsupportedParameterError, type AdapterContext } from '../types';
import { toGeminiSchema } from './schema';
import type { GeminiContent, GeminiPart } from './types';

/** Google's documented placeholder for function calls whose signature is unknown (history from another model). */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';
/** Gemini 3 models validate thought signatures on function calls. */
const usesThoughtSignatures = (model: string) => /gemini-3/i.test(model);

function functionResponse(content: string): Record<string, unknown> {
  const object = toolResultObject(content);
  if (object) return object;
  try {
    return { content: JSON.parse(content) as unknown };
  } catch {
    return { content };
  }
}

/** OpenAI messages to Gemini `contents` + `systemInstruction`; consecutive same-role turns merged. */
export async function convertGeminiMessages(
  messages: ChatMessage[],
  fetchImage: ImageFetcher,
  options: { thoughtSignatures?: boolean } = {},
): Promise<{ system: string[]; contents: GeminiContent[] }> {
  const toolNames = new Map<string, string>();
  const { system, turns } = await convertTurns<GeminiPart>(messages, {
    user: (m, i) =>
      convertUserParts<GeminiPart>(m, i, 'Gemini', {
        text: (text) => ({ text }),
        image: async (url) => {
          if (url.startsWith('gs://')) return { fileData: { fileUri: url } };
          const img = await loadImage(url, fetchImage);
          return { inlineData: { mimeType: img.mediaType, data: img.data } };
        },
      }),
    text: (text) => ({ text }),
    toolCall: (call, i, j) => {
      toolNames.set(call.id, call.function.name);
      // Gemini 3 requires the first call of a turn to carry its signature; a history from another model has
      // none, for which Google documents a placeholder.
      const signature = splitToolCallId(call.id).thoughtSignature ?? (options.thoughtSignatures && j === 0 ? SKIP_THOUGHT_SIGNATURE : undefined);
      const functionCall = { name: call.function.name, args: parseToolArguments(call.function.arguments, `messages[${i}].tool_calls`) };
      return signature ? { functionCall, thoughtSignature: signature } : { functionCall };
    },
    toolResult: (m, i) => {
      const name = toolNames.get(String(m.tool_call_id)) ?? (typeof m.name === 'string' ? m.name : undefined);
      if (!name) throw new UnsupportedParameterError(`messages[${i}].tool_call_id`, `messages[${i}]: no earlier assistant tool call has id '${String(m.tool_call_id)}'.`);
      return { functionResponse: { name, response: functionResponse(contentText(m.content)) } };
    },
  });
  return { system, contents: turns.map((t) => ({ role: t.role === 'assistant' ? 'model' : 'user', parts: t.blocks })) };
}

/** The Gemini generateContent body for an OpenAI chat request (AI Studio and Vertex). */
export async function buildGeminiBody(request: ChatRequest, ctx: AdapterContext, fetchImage: ImageFetcher): Promise<Record<string, unknown>> {
  rejectUnsupported(unsupportedParams(request, { n: true, seed: true, penalties: true }), 'Gemini', ctx);
  const { system, contents } = await convertGeminiMessages(request.messages, fetchImage, { thoughtSignatures: usesThoughtSignatures(ctx.target.upstreamModel) });
  const body: Record<string, unknown> = { contents };
  if (system.length) body['systemInstruction'] = { parts: system.map((text) => ({ text })) };

  if (request.tools?.length) {
    body['tools'] = [
      {
        functionDeclarations: request.tools.map((t, i) => {
          const params = t.function.parameters;
          const hasParams = params && Object.keys((params['properties'] as object) ?? {}).length > 0;
          return {
            name: t.function.name,
            ...(t.function.description ? { description: t.function.description } : {}),
            ...(hasParams ? { parameters: toGeminiSchema(params, `tools[${i}].function.parameters`) } : {}),
          };
        }),
      },
    ];
    const tc = request.tool_choice;
    let config: Record<string, unknown> | undefined;
    if (tc === 'auto') config = { mode: 'AUTO' };
    else if (tc === 'none') config = { mode: 'NONE' };
    else if (tc === 'required') config = { mode: 'ANY' };
    else if (tc && typeof tc === 'object') config = { mode: 'ANY', allowedFunctionNames: [tc.function.name] };
    if (config) body['toolConfig'] = { functionCallingConfig: config };
  }

  const gen: Record<string, unknown> = {};
  if (request.temperature !== undefined && request.temperature !== null) gen['temperature'] = request.temperature;
  if (request.top_p !== undefined && request.top_p !== null) gen['topP'] = request.top_p;
  const max = requestedMaxTokens(request);
  if (max !== undefined) gen['maxOutputTokens'] = max;
  const stops = stopSequences(request);
  if (stops) gen['stopSequences'] = stops;
  if (typeof request.n === 'number' && request.n !== 1) gen['candidateCount'] = request.n;
  if (typeof request.seed === 'number') gen['seed'] = request.seed;
  if (typeof request['presence_penalty'] === 'number') gen['presencePenalty'] = request['presence_penalty'];
  if (typeof request['frequency_penalty'] === 'number') gen['frequencyPenalty'] = request['frequency_penalty'];
  const rf = request.response_format;
  if (rf?.type === 'json_object') gen['responseMimeType'] = 'application/json';
  else if (rf?.type === 'json_schema') {
    gen['responseMimeType'] = 'application/json';
    gen['responseSchema'] = toGeminiSchema(rf.json_schema.schema ?? { type: 'object' }, 'response_format.json_schema.schema');
  }
  if (request.reasoning_effort) gen['thinkingConfig'] = { thinkingBudget: THINKING_BUDGET[request.reasoning_effort], includeThoughts: true };
  if (Object.keys(gen).length) body['generationConfig'] = gen;
  return mergeNative(body, passthroughFields(request));
}
