import type { ChatCompletionChunk } from '@switchyard/types';
import { StreamAssembler } from './stream-assembler';

const chunk = (choices: ChatCompletionChunk['choices'], extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 7,
  model: 'gpt-4o-mini',
  choices,
  ...extra,
});

describe('StreamAssembler', () => {
  it('adds a stream up to its completion: content, tool calls by index, finish reason, usage', () => {
    const a = new StreamAssembler();
    a.push([chunk([{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }])]);
    a.push([
      chunk([{ index: 0, delta: { content: 'lo' }, finish_reason: null }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"ci' } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"}' } }] }, finish_reason: 'tool_calls' }]),
      chunk([], { usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }),
    ]);
    expect(a.completion()).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 7,
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    });
  });

  it('keeps choices apart and reasoning apart from content', () => {
    const a = new StreamAssembler();
    a.push([
      chunk([{ index: 1, delta: { content: 'b' }, finish_reason: 'stop' }]),
      chunk([{ index: 0, delta: { reasoning_content: 'think', content: 'a' }, finish_reason: 'stop' }]),
    ]);
    expect(a.completion().choices).toEqual([
      { index: 0, message: { role: 'assistant', content: 'a', reasoning_content: 'think' }, finish_reason: 'stop' },
      { index: 1, message: { role: 'assistant', content: 'b' }, finish_reason: 'stop' },
    ]);
  });
});
