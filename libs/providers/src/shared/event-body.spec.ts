import { anthropicMessageAssembler, responsesBodyAssembler } from './event-body';

const ev = (data: unknown, event?: string) => ({ ...(event ? { event } : {}), data: JSON.stringify(data) });

describe('passed-through stream bodies for the request log', () => {
  it("assembles Anthropic's events into the Message: text, signed thinking, tool input, stop reason, merged usage", () => {
    const a = anthropicMessageAssembler();
    expect(a.body()).toBeNull();
    [
      { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, usage: { input_tokens: 10, cache_read_input_tokens: 2, output_tokens: 1 } } },
      { type: 'ping' },
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Let me ' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'look.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Reading ' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'it.' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_1', name: 'Read', input: {} } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"file_' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: 'path":"/a"}' } },
      { type: 'content_block_stop', index: 2 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 30 } },
      { type: 'message_stop' },
    ].forEach((e) => a.push(ev(e, e.type)));
    a.push({ data: 'not json' });
    expect(a.body()).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [
        { type: 'thinking', thinking: 'Let me look.', signature: 'sig' },
        { type: 'text', text: 'Reading it.' },
        { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: '/a' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 10, cache_read_input_tokens: 2, output_tokens: 30 },
    });
  });

  it('takes the Response of the terminal Responses event (named by the event line or the data type)', () => {
    const a = responsesBodyAssembler();
    a.push(ev({ type: 'response.created', response: { id: 'r', status: 'in_progress' } }, 'response.created'));
    a.push(ev({ type: 'response.output_text.delta', delta: 'x' }, 'response.output_text.delta'));
    expect(a.body()).toBeNull();
    a.push(ev({ type: 'response.completed', response: { id: 'r', status: 'completed', output: [] } }, 'response.completed'));
    expect(a.body()).toEqual({ id: 'r', status: 'completed', output: [] });
    const unnamed = responsesBodyAssembler();
    unnamed.push(ev({ type: 'response.incomplete', response: { id: 'r2', status: 'incomplete' } }));
    expect(unnamed.body()).toEqual({ id: 'r2', status: 'incomplete' });
  });
});
