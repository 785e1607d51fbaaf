import type { ChatCompletion, FinishReason, ToolCall } from '@switchyard/types';
import { nowSeconds, randomId } from '../shared/chunks';
import { statusForErrorType } from '../shared/errors';
import { mapFinishReason } from '../shared/finish-reasons';
import { toolCallIdWithSignature } from '../shared/tool-call-ids';
import { ProviderStreamError } from '../types';
import type { GeminiCandidate, GeminiResponse, GeminiResponsePart } from './types';
import { geminiUsage } from './usage';

/** The finish reason of a Gemini candidate; MALFORMED_FUNCTION_CALL and friends are errors, never `stop`. */
export function geminiFinish(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  const mapped = mapFinishReason('gemini', reason);
  if (mapped === 'error') {
    throw new ProviderStreamError(`Gemini stopped with ${reason}: the model produced an invalid function call.`, 502, String(reason).toLowerCase());
  }
  return mapped === 'stop' && hasToolCalls ? 'tool_calls' : mapped;
}

/** An `{"error":{…}}` object (a stream event) as a ProviderStreamError. */
export function geminiStreamError(err: NonNullable<GeminiResponse['error']>): ProviderStreamError {
  const status = typeof err.code === 'number' && err.code >= 400 ? err.code : statusForErrorType(err.status);
  return new ProviderStreamError(err.message ?? 'Gemini reported an error inside the stream.', status, err.status ?? String(err.code ?? 'stream_error'));
}

/** The OpenAI id of a Gemini function call part, carrying its thoughtSignature (Gemini 3) when it has one. */
export function toolCallId(part: GeminiResponsePart): string {
  const id = part.functionCall?.id;
  return toolCallIdWithSignature(id ? id : randomId('call_'), typeof part.thoughtSignature === 'string' ? part.thoughtSignature : undefined);
}

function candidateMessage(c: GeminiCandidate): { content: string; reasoning: string; toolCalls: ToolCall[] } {
  let content = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const part of c.content?.parts ?? []) {
    if (typeof part.text === 'string') {
      if (part.thought) reasoning += part.text;
      else content += part.text;
    } else if (part.functionCall) {
      const fc = part.functionCall;
      toolCalls.push({ id: toolCallId(part), type: 'function', function: { name: fc.name, arguments: JSON.stringify(fc.args ?? {}) } });
    }
  }
  return { content, reasoning, toolCalls };
}

export function parseGeminiResponse(body: unknown, fallbackModel: string): ChatCompletion {
  const res = body as GeminiResponse;
  if (!res || typeof res !== 'object' || (res.candidates === undefined && !res.promptFeedback && !res.usageMetadata)) {
    if (res?.error) throw geminiStreamError(res.error);
    throw new ProviderStreamError('Gemini returned a response that is not a GenerateContentResponse.', 502, 'malformed_response');
  }
  const choices: ChatCompletion['choices'] = [];
  if (!res.candidates?.length) {
    // The prompt itself was blocked (promptFeedback.blockReason): no candidate, a content filter finish.
    choices.push({ index: 0, message: { role: 'assistant', content: null, refusal: null }, finish_reason: res.promptFeedback?.blockReason ? 'content_filter' : 'stop', logprobs: null });
  }
  for (const [i, c] of (res.candidates ?? []).entries()) {
    const { content, reasoning, toolCalls } = candidateMessage(c);
    const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: content || (toolCalls.length ? null : ''), refusal: null };
    if (reasoning) message.reasoning_content = reasoning;
    if (toolCalls.length) message.tool_calls = toolCalls;
    choices.push({ index: c.index ?? i, message, finish_reason: geminiFinish(c.finishReason, toolCalls.length > 0), logprobs: null });
  }
  return {
    id: res.responseId ? `chatcmpl-${res.responseId}` : randomId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model: res.modelVersion ?? fallbackModel,
    choices,
    usage: geminiUsage(res.usageMetadata),
  };
}
