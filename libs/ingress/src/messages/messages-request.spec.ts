import { GatewayError } from '@switchyard/types';
import { effortForBudget, parseCountTokensRequest, parseMessagesRequest } from './messages-request';

const base = { model: 'claude-sonnet-4-5', max_tokens: 1024 };

function refusal(body: unknown): GatewayError {
  try {
    parseMessagesRequest(body);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a 400');
}

describe('parseMessagesRequest: Messages body to the chat request', () => {
  it('translates system, sampling, stop sequences, metadata and streaming', () => {
    const { request, extensions } = parseMessagesRequest({
      ...base,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END', 'STOP'],
      metadata: { user_id: 'u-1' },
      stream: true,
      fallback_models: ['gpt-4o-mini'],
    });
    expect(request).toEqual({
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      stream: true,
      max_tokens: 1024,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop: ['END', 'STOP'],
      user: 'u-1',
    });
    expect(extensions).toEqual({ fallback_models: ['gpt-4o-mini'] });
  });

  it('keeps system blocks marked for caching as parts, else joins them', () => {
    const plain = parseMessagesRequest({ ...base, system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }], messages: [{ role: 'user', content: 'x' }] });
    expect(plain.request.messages[0]).toEqual({ role: 'system', content: 'A\n\nB' });
    const cached = parseMessagesRequest({ ...base, system: [{ type: 'text', text: 'A', cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: 'x' }] });
    expect(cached.request.messages[0]).toEqual({ role: 'system', content: [{ type: 'text', text: 'A', cache_control: { type: 'ephemeral' } }] });
  });

  it('translates a system message between turns (the mid-conversation-system beta Claude Code sends) in place; other roles stay a 400', () => {
    const { request } = parseMessagesRequest({
      ...base,
      system: 'Top.',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'system', content: [{ type: 'text', text: 'Agents: A, B.' }] },
        { role: 'assistant', content: 'ok' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'system', content: 'Top.' },
      { role: 'user', content: 'x' },
      { role: 'system', content: 'Agents: A, B.' },
      { role: 'assistant', content: 'ok' },
    ]);
    expect(refusal({ ...base, messages: [{ role: 'system', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }] }).status).toBe(400);
    expect(refusal({ ...base, messages: [{ role: 'tool', content: 'x' }] }).param).toMatch(/^messages\[0\]/);
  });

  it('translates images (base64 and url) and text blocks of a user turn', () => {
    const { request } = parseMessagesRequest({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
  });

  it('turns tool_use into tool calls, tool_result into tool messages placed before the rest of the user turn', () => {
    const { request } = parseMessagesRequest({
      ...base,
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Two cities.', signature: 'sig-1' },
            { type: 'thinking', thinking: 'unsigned', signature: '' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '22' }, { type: 'text', text: 'sunny' }] },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: 'no data', is_error: true },
            { type: 'text', text: 'Thanks.' },
          ],
        },
      ],
    });
    expect(request.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
    ]);
    expect(request.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(request.parallel_tool_calls).toBe(false);
    expect(request.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
        thinking_blocks: [
          { type: 'thinking', thinking: 'Two cities.', signature: 'sig-1' },
          { type: 'redacted_thinking', data: 'opaque' },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '22\nsunny' },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: no data' },
      { role: 'user', content: [{ type: 'text', text: 'Thanks.' }] },
    ]);
  });

  it.each([
    [{ type: 'auto' }, 'auto'],
    [{ type: 'any' }, 'required'],
    [{ type: 'none' }, 'none'],
  ])('maps tool_choice %j to %j', (choice, expected) => {
    const { request } = parseMessagesRequest({ ...base, tools: [{ name: 't', input_schema: { type: 'object' } }], tool_choice: choice, messages: [{ role: 'user', content: 'x' }] });
    expect(request.tool_choice).toBe(expected);
    expect(request.parallel_tool_calls).toBeUndefined();
  });

  it('maps the thinking budget to a reasoning effort (and output_config.effort over it)', () => {
    expect([1024, 2048, 4096, 8192, 10000, 32000].map(effortForBudget)).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high']);
    const thinking = (t: unknown, extra: object = {}) => parseMessagesRequest({ ...base, thinking: t, messages: [{ role: 'user', content: 'x' }], ...extra }).request.reasoning_effort;
    expect(thinking({ type: 'enabled', budget_tokens: 8000 })).toBe('medium');
    expect(thinking({ type: 'disabled' })).toBeUndefined();
    expect(thinking({ type: 'adaptive' })).toBe('medium');
    expect(thinking({ type: 'enabled', budget_tokens: 2048 }, { output_config: { effort: 'max' } })).toBe('high');
  });

  it('maps output_config.format to a json_schema response format', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } } };
    const { request } = parseMessagesRequest({ ...base, output_config: { format: { type: 'json_schema', schema } }, messages: [{ role: 'user', content: 'x' }] });
    expect(request.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'response', schema } });
  });

  it('refuses what it cannot carry with a 400 naming the field', () => {
    expect(refusal({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).toMatchObject({ status: 400, param: 'max_tokens' });
    expect(refusal({ ...base, messages: [{ role: 'user', content: 'x' }], mcp_servers: [] })).toMatchObject({ status: 400, param: 'mcp_servers' });
    expect(refusal({ ...base, messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] })).toMatchObject({ status: 400, param: 'messages[0].content[0].type' });
    expect(refusal({ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }], messages: [{ role: 'user', content: 'x' }] })).toMatchObject({
      status: 400,
      param: 'tools[0].type',
    });
    expect(refusal({ ...base, tools: [{ name: 'a', input_schema: {} }], tool_choice: { type: 'tool', name: 'b' }, messages: [{ role: 'user', content: 'x' }] })).toMatchObject({
      param: 'tool_choice.name',
    });
    expect(refusal({ ...base, thinking: { type: 'enabled', budget_tokens: 100 }, messages: [{ role: 'user', content: 'x' }] })).toMatchObject({ param: 'thinking.budget_tokens' });
    expect(refusal({ ...base, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'b', input: {} }] }] })).toMatchObject({ param: 'messages[0].content[0].type' });
    expect(refusal([])).toMatchObject({ status: 400 });
  });

  it("accepts the fields that tune Anthropic's own serving without acting on them", () => {
    const { request } = parseMessagesRequest({
      ...base,
      messages: [{ role: 'user', content: 'x' }],
      service_tier: 'auto',
      cache_control: { type: 'ephemeral' },
      context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
      speed: 'fast',
    });
    expect(request).toEqual({ model: base.model, messages: [{ role: 'user', content: 'x' }], max_tokens: 1024 });
  });

  it('count_tokens bodies need no max_tokens', () => {
    expect(parseCountTokensRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).messages).toEqual([{ role: 'user', content: 'x' }]);
  });
});
