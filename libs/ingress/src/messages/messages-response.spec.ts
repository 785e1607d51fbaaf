import type { ChatCompletion } from '@switchyard/types';
import { messagesUsageOf, stopReasonOf, toMessagesResponse } from './messages-response';

const completion = (message: ChatCompletion['choices'][number]['message'], finish: ChatCompletion['choices'][number]['finish_reason'], usage?: ChatCompletion['usage']): ChatCompletion => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message, finish_reason: finish }],
  usage,
});

describe('toMessagesResponse: chat completion to Message', () => {
  it('answers text with end_turn and usage', () => {
    expect(toMessagesResponse(completion({ role: 'assistant', content: 'Hi.' }, 'stop', { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 }))).toEqual({
      id: 'msg_chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [{ type: 'text', text: 'Hi.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('puts signed thinking first, then text, then tool_use blocks with parsed input', () => {
    const message = toMessagesResponse(
      completion(
        {
          role: 'assistant',
          content: 'Checking.',
          reasoning_content: 'Two cities.',
          thinking_blocks: [
            { type: 'thinking', thinking: 'Two cities.', signature: 'sig' },
            { type: 'redacted_thinking', data: 'opaque' },
          ],
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: 'not json' } },
          ],
        },
        'tool_calls',
      ),
    );
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Two cities.', signature: 'sig' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'get_weather', input: {} },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('gives unsigned reasoning as a thinking block with an empty signature', () => {
    expect(toMessagesResponse(completion({ role: 'assistant', content: 'A.', reasoning_content: 'hmm' }, 'stop')).content).toEqual([
      { type: 'thinking', thinking: 'hmm', signature: '' },
      { type: 'text', text: 'A.' },
    ]);
  });

  it('maps every finish reason', () => {
    expect([stopReasonOf('stop'), stopReasonOf('length'), stopReasonOf('tool_calls'), stopReasonOf('function_call'), stopReasonOf('content_filter'), stopReasonOf(null)]).toEqual([
      'end_turn',
      'max_tokens',
      'tool_use',
      'tool_use',
      'refusal',
      'end_turn',
    ]);
  });

  it('reports cache reads and writes apart from the uncached input, as Anthropic does', () => {
    expect(
      messagesUsageOf({ prompt_tokens: 100, completion_tokens: 7, total_tokens: 107, prompt_tokens_details: { cached_tokens: 60 }, cache_read_input_tokens: 60, cache_creation_input_tokens: 30 }),
    ).toEqual({ input_tokens: 10, output_tokens: 7, cache_read_input_tokens: 60, cache_creation_input_tokens: 30 });
    expect(messagesUsageOf({ prompt_tokens: 50, completion_tokens: 1, total_tokens: 51, prompt_tokens_details: { cached_tokens: 20 } })).toEqual({
      input_tokens: 30,
      output_tokens: 1,
      cache_read_input_tokens: 20,
      cache_creation_input_tokens: 0,
    });
  });
});
