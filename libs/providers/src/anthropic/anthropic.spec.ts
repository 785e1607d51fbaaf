import type { ChatRequest } from '@switchyard/types';
import { body, BLOCKS, CONVERSATION, ctx, feed, TURN } from '../spec-fixtures';
import { ProviderStreamError } from '../types';
import { anthropicMessagesUrl, createAnthropicAdapter } from './index';

const anthropic = createAnthropicAdapter();

describe('Anthropic request', () => {
  it('lifts system, merges same-role turns, defaults max_tokens from the catalog, maps tools and tool_choice', async () => {
    expect(await body(anthropic.buildRequest(CONVERSATION, ctx('anthropic', 'claude-sonnet-4-5', { maxOutputTokens: 64000 })))).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 64000,
      system: 'Be brief.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'ok' }] },
      ],
      temperature: 0.5,
      stop_sequences: ['END'],
      tools: [{ name: 'f', input_schema: { type: 'object', properties: { a: { type: 'integer' } } } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      top_k: 3,
    });
  });

  it('headers, base64 images, reasoning_effort to thinking, json_schema as a forced tool', async () => {
    const up = await anthropic.buildRequest(
      {
        model: 'x',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBO' } }] }],
        reasoning_effort: 'medium',
      },
      ctx('anthropic', 'claude-3-haiku-20240307', { stream: true }),
    );
    expect(up.url).toBe('https://api.anthropic.com/v1/messages');
    expect(up.headers).toMatchObject({ 'x-api-key': 'k', 'anthropic-version': '2023-06-01' });
    expect(JSON.parse(String(up.body))).toMatchObject({
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } }] }],
      thinking: { type: 'enabled', budget_tokens: 8192 },
      max_tokens: 8192 + 4096,
      stream: true,
    });
    const json = await body(anthropic.buildRequest({ model: 'x', messages: [{ role: 'user', content: 'q' }], response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' } } } }, ctx('anthropic', 'claude-sonnet-4-5')));
    expect(json['tool_choice']).toEqual({ type: 'tool', name: 'json_response' });
  });

  it('n>1 is a 400 naming the param unless dropUnsupported', async () => {
    const req: ChatRequest = { model: 'x', messages: [{ role: 'user', content: 'q' }], n: 2 };
    await expect(Promise.resolve().then(() => anthropic.buildRequest(req, ctx('anthropic', 'claude')))).rejects.toMatchObject({ param: 'n' });
    expect(await body(anthropic.buildRequest(req, ctx('anthropic', 'claude', { dropUnsupported: true })))).not.toHaveProperty('n');
  });
});

describe('Anthropic stream (recorded wire sample)', () => {
  const SAMPLE = [
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":200,"cache_read_input_tokens":300,"output_tokens":1}}}\n\n',
    'event: ping\ndata: {"type":"ping"}\n\n',
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"a\\": "}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"1 , \\"b\\":\\"\\u00e9\\"}"}}\n\n',
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\nevent: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":17}}\n\n',
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  ];

  it('tool argument fragments are passed on byte for byte; usage counts cache reads and writes', () => {
    const chunks = feed(anthropic.createStreamDecoder(ctx('anthropic', 'claude')), SAMPLE);
    expect(chunks[0]).toMatchObject({ id: 'msg_1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    expect(chunks[1]!.choices[0]!.delta.tool_calls).toEqual([{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '' } }]);
    expect(chunks.slice(2, 4).map((c) => c.choices[0]!.delta.tool_calls![0]!.function!.arguments)).toEqual(['{"a": ', '1 , "b":"é"}']);
    expect(chunks[4]!.choices[0]!.finish_reason).toBe('tool_calls');
    expect(chunks[5]).toMatchObject({ choices: [], usage: { prompt_tokens: 510, completion_tokens: 17, total_tokens: 527, prompt_tokens_details: { cached_tokens: 300 }, cache_creation_input_tokens: 200 } });
  });

  it('an error event and a missing message_stop are errors', () => {
    expect(() => feed(anthropic.createStreamDecoder(ctx('anthropic', 'c')), [SAMPLE[0]!, 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'])).toThrow(
      expect.objectContaining({ status: 529, code: 'overloaded_error' }),
    );
    expect(() => feed(anthropic.createStreamDecoder(ctx('anthropic', 'c')), SAMPLE.slice(0, 5))).toThrow(ProviderStreamError);
  });

  it('maps stop reasons', () => {
    const parse = (stop_reason: string) => anthropic.parseResponse({ id: 'm', type: 'message', role: 'assistant', model: 'c', content: [{ type: 'text', text: 'x' }], stop_reason, usage: {} }, ctx('anthropic', 'c')).choices[0]!.finish_reason;
    expect(['end_turn', 'stop_sequence', 'max_tokens', 'tool_use', 'refusal'].map(parse)).toEqual(['stop', 'stop', 'length', 'tool_calls', 'content_filter']);
  });
});

describe('Claude thinking signatures', () => {
  it('Anthropic: message.thinking_blocks carries the signed and redacted blocks, and they go back first on the assistant turn', async () => {
    const c = anthropic.parseResponse(
      { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude', content: [...BLOCKS, { type: 'tool_use', id: 'toolu_1', name: 'f', input: { city: 'Paris' } }], stop_reason: 'tool_use', usage: { input_tokens: 1, output_tokens: 2 } },
      ctx('anthropic', 'claude'),
    );
    expect(c.choices[0]!.message).toMatchObject({ reasoning_content: 'Paris first.', thinking_blocks: BLOCKS });
    expect((await body(anthropic.buildRequest(TURN, ctx('anthropic', 'claude-sonnet-4-5', { maxOutputTokens: 16000 }))))['messages']).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: [...BLOCKS, { type: 'tool_use', id: 'toolu_1', name: 'f', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] },
    ]);
    await expect(Promise.resolve().then(() => anthropic.buildRequest({ ...TURN, messages: [TURN.messages[0]!, { ...TURN.messages[1]!, thinking_blocks: [{ type: 'thinking' }] }] }, ctx('anthropic', 'c')))).rejects.toMatchObject({
      param: 'messages[1].thinking_blocks[0]',
    });
  });

  it('Anthropic stream: each finished thinking block is one delta.thinking_blocks entry (signature_delta joined)', () => {
    const ev = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
    const chunks = feed(anthropic.createStreamDecoder(ctx('anthropic', 'claude')), [
      ev({ type: 'message_start', message: { id: 'msg_1', model: 'claude', usage: { input_tokens: 1 } } }),
      ev({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Paris ' } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'first.' } }),
      ev({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBsig==' } }),
      ev({ type: 'content_block_stop', index: 0 }),
      ev({ type: 'content_block_start', index: 1, content_block: { type: 'redacted_thinking', data: 'EmwKAhgB' } }),
      ev({ type: 'content_block_stop', index: 1 }),
      ev({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } }),
      ev({ type: 'message_stop' }),
    ]);
    expect(chunks.map((c) => c.choices[0]?.delta.reasoning_content ?? '').join('')).toBe('Paris first.');
    expect(chunks.flatMap((c) => c.choices[0]?.delta.thinking_blocks ?? [])).toEqual(BLOCKS);
  });

});

describe('Anthropic base URL', () => {
  it('is the SDK base URL (+ /v1/messages); a stored base ending in /v1 still works', () => {
    expect(anthropicMessagesUrl(null)).toBe('https://api.anthropic.com/v1/messages');
    expect(anthropicMessagesUrl('https://api.anthropic.com')).toBe('https://api.anthropic.com/v1/messages');
    expect(anthropicMessagesUrl('http://127.0.0.1:9000/proxy/')).toBe('http://127.0.0.1:9000/proxy/v1/messages');
    expect(anthropicMessagesUrl('https://api.anthropic.com/v1')).toBe('https://api.anthropic.com/v1/messages');
    expect(anthropicMessagesUrl('http://127.0.0.1:9000/v1/')).toBe('http://127.0.0.1:9000/v1/messages');
  });
});
