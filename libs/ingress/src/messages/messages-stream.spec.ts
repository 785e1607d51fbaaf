import type { ChatCompletionChunk, ChunkDelta, FinishReason, Usage } from '@switchyard/types';
import { messagesErrorEvent, MessagesStreamTranslator } from './messages-stream';

const chunk = (delta: ChunkDelta, finish: FinishReason | null = null): ChatCompletionChunk => ({
  id: 'chatcmpl-9',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta, finish_reason: finish }],
});
const usageChunk = (usage: Usage): ChatCompletionChunk => ({ id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage });

/** The SSE text as `[event, data]` pairs, checking that each `event:` name equals its data's `type`. */
function parse(text: string): [string, Record<string, unknown>][] {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((e) => {
      const [eventLine, dataLine] = e.split('\n');
      const event = eventLine!.replace(/^event: /, '');
      const data = JSON.parse(dataLine!.replace(/^data: /, '')) as Record<string, unknown>;
      expect(data['type']).toBe(event);
      return [event, data];
    });
}

/** Runs batches through a translator and returns the whole event sequence. */
function translate(...batches: ChatCompletionChunk[][]): [string, Record<string, unknown>][] {
  const t = new MessagesStreamTranslator('requested-model');
  let text = '';
  for (const batch of batches) text += t.push(batch);
  return parse(text + t.finish());
}

describe('MessagesStreamTranslator: chat chunks to Anthropic stream events', () => {
  it('streams text: message_start, one text block, message_delta with stop reason and usage, message_stop', () => {
    const events = translate([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' })], [chunk({ content: 'lo' }), chunk({}, 'stop')], [usageChunk({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 })]);
    expect(events).toEqual([
      [
        'message_start',
        {
          type: 'message_start',
          message: {
            id: 'msg_chatcmpl-9',
            type: 'message',
            role: 'assistant',
            model: 'gpt-4o-mini',
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: null, cache_read_input_tokens: null },
          },
        },
      ],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      [
        'message_delta',
        {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { input_tokens: 9, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      ],
      ['message_stop', { type: 'message_stop' }],
    ]);
  });

  it('streams tool calls after text: each a tool_use block, its arguments as input_json_delta fragments', () => {
    const events = translate(
      [chunk({ role: 'assistant', content: 'Checking.' })],
      [chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }), chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] })],
      [chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] })],
      [chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }), chunk({}, 'tool_calls')],
    );
    expect(events.slice(1, -2)).toEqual([
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking.' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_a', name: 'get_weather', input: {} } }],
      ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 1 }],
      ['content_block_start', { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_b', name: 'get_time', input: {} } }],
      ['content_block_delta', { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 2 }],
    ]);
    expect(events.at(-2)![1]['delta']).toEqual({ stop_reason: 'tool_use', stop_sequence: null });
  });

  it('streams thinking: deltas, then the signature when the signed block arrives, then text', () => {
    const events = translate(
      [chunk({ role: 'assistant', content: '' }), chunk({ reasoning_content: 'Let me ' }), chunk({ reasoning_content: 'think.' })],
      [chunk({ thinking_blocks: [{ type: 'thinking', thinking: 'Let me think.', signature: 'sig-xyz' }] }), chunk({ thinking_blocks: [{ type: 'redacted_thinking', data: 'opaque' }] })],
      [chunk({ content: 'Answer.' }), chunk({}, 'stop')],
    );
    expect(events.slice(1, -2)).toEqual([
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Let me ' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'think.' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig-xyz' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'redacted_thinking', data: 'opaque' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 1 }],
      ['content_block_start', { type: 'content_block_start', index: 2, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 2, delta: { type: 'text_delta', text: 'Answer.' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 2 }],
    ]);
  });

  it('maps length to max_tokens and reports cache reads apart', () => {
    const events = translate([chunk({ content: 'cut' }), chunk({}, 'length')], [usageChunk({ prompt_tokens: 100, completion_tokens: 4, total_tokens: 104, prompt_tokens_details: { cached_tokens: 64 } })]);
    expect(events.at(-2)![1]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'max_tokens', stop_sequence: null },
      usage: { input_tokens: 36, output_tokens: 4, cache_creation_input_tokens: 0, cache_read_input_tokens: 64 },
    });
  });

  it('a stream with no content still opens and closes the message', () => {
    expect(translate().map(([e]) => e)).toEqual(['message_start', 'message_delta', 'message_stop']);
  });

  it('a failure mid-stream: the events so far, then an Anthropic error event and no message_stop', () => {
    const t = new MessagesStreamTranslator('m');
    const text = t.push([chunk({ content: 'par' })]) + messagesErrorEvent({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    const events = parse(text);
    expect(events.map(([e]) => e)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'error']);
    expect(events.at(-1)![1]).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  });
});
