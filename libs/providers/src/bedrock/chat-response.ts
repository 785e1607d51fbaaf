import type { ChatCompletion, FinishReason, ThinkingBlock, ToolCall } from '@switchyard/types';
import { nowSeconds, randomId } from '../shared/chunks';
import { forcedJsonToolFinish } from '../shared/finish-reasons';
import { ProviderStreamError } from '../types';
import { BEDROCK_JSON_TOOL } from './chat-request';
import type { ConverseResponse } from './types';
import { bedrockUsage } from './usage';

export function bedrockFinish(stopReason: string | undefined, onlyJsonTool: boolean): FinishReason {
  return forcedJsonToolFinish('bedrock', stopReason, onlyJsonTool);
}

export function parseBedrockResponse(body: unknown, model: string): ChatCompletion {
  const res = body as ConverseResponse;
  if (!res || typeof res !== 'object' || !res.output?.message) {
    throw new ProviderStreamError('Bedrock returned a response that is not a Converse answer.', 502, 'malformed_response');
  }
  let text = '';
  let reasoning = '';
  let jsonTool = false;
  const toolCalls: ToolCall[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  for (const block of res.output.message.content ?? []) {
    if (typeof block.text === 'string') text += block.text;
    else if (block.toolUse) {
      const tu = block.toolUse;
      if (tu.name === BEDROCK_JSON_TOOL) {
        jsonTool = true;
        text += JSON.stringify(tu.input ?? {});
      } else toolCalls.push({ id: tu.toolUseId, type: 'function', function: { name: tu.name, arguments: JSON.stringify(tu.input ?? {}) } });
    } else if (block.reasoningContent?.reasoningText) {
      const rt = block.reasoningContent.reasoningText;
      reasoning += rt.text ?? '';
      thinkingBlocks.push({ type: 'thinking', thinking: rt.text ?? '', ...(rt.signature !== undefined ? { signature: rt.signature } : {}) });
    } else if (typeof block.reasoningContent?.redactedContent === 'string') {
      thinkingBlocks.push({ type: 'redacted_thinking', data: block.reasoningContent.redactedContent });
    }
  }
  const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: text || (toolCalls.length ? null : ''), refusal: null };
  if (reasoning) message.reasoning_content = reasoning;
  if (thinkingBlocks.length) message.thinking_blocks = thinkingBlocks;
  if (toolCalls.length) message.tool_calls = toolCalls;
  return {
    id: randomId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model,
    choices: [{ index: 0, message, finish_reason: bedrockFinish(res.stopReason, jsonTool && !toolCalls.length), logprobs: null }],
    usage: bedrockUsage(res.usage),
  };
}
