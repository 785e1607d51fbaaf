import type { ChatCompletion, FinishReason, ThinkingBlock, ToolCall } from '@switchyard/types';
import { nowSeconds } from '../shared/chunks';
import { forcedJsonToolFinish } from '../shared/finish-reasons';
import { ProviderStreamError } from '../types';
import { JSON_TOOL_NAME, type AnthropicResponse } from './types';
import { anthropicUsage } from './usage';

/** A finish reason for Anthropic, where a forced JSON tool call is a normal `stop`. */
export function anthropicFinish(stopReason: string | null | undefined, onlyJsonTool: boolean): FinishReason {
  return forcedJsonToolFinish('anthropic', stopReason, onlyJsonTool);
}

export function parseAnthropicResponse(body: unknown, fallbackModel: string): ChatCompletion {
  const msg = body as AnthropicResponse;
  if (!msg || typeof msg !== 'object' || !Array.isArray(msg.content)) {
    throw new ProviderStreamError('Anthropic returned a response that is not a message.', 502, 'malformed_response');
  }
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  let jsonTool = false;
  for (const block of msg.content) {
    switch (block.type) {
      case 'text':
        text += block.text;
        break;
      case 'thinking':
        reasoning += block.thinking;
        thinkingBlocks.push({ type: 'thinking', thinking: block.thinking, ...(block.signature !== undefined ? { signature: block.signature } : {}) });
        break;
      case 'redacted_thinking':
        thinkingBlocks.push({ type: 'redacted_thinking', data: block.data });
        break;
      case 'tool_use':
        if (block.name === JSON_TOOL_NAME) {
          jsonTool = true;
          text += JSON.stringify(block.input ?? {});
        } else toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
        break;
      default:
        break;
    }
  }
  const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: text || (toolCalls.length ? null : '') };
  if (reasoning) message.reasoning_content = reasoning;
  if (thinkingBlocks.length) message.thinking_blocks = thinkingBlocks;
  if (toolCalls.length) message.tool_calls = toolCalls;
  message.refusal = null;
  return {
    id: msg.id,
    object: 'chat.completion',
    created: nowSeconds(),
    model: msg.model ?? fallbackModel,
    choices: [{ index: 0, message, finish_reason: anthropicFinish(msg.stop_reason, jsonTool && !toolCalls.length), logprobs: null }],
    usage: anthropicUsage(msg.usage),
  };
}
