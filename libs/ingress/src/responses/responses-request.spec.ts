import type { ResponseCreateParamsNonStreaming } from 'openai/resources/responses/responses';
import { GatewayError } from '@switchyard/types';
import { parseResponsesRequest } from './responses-request.schema';
import { toChatRequest } from './responses-request';
import type { ConversationItem } from './responses.types';

const translate = (body: Record<string, unknown>, history: ConversationItem[] = []) => toChatRequest(parseResponsesRequest(body), history);

function refusal(body: unknown): GatewayError {
  try {
    parseResponsesRequest(body);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a 400');
}

describe('Responses request -> chat request', () => {
  it('turns a string input and instructions into a system and a user message', () => {
    expect(translate({ model: 'gpt-4o-mini', input: 'Hello', instructions: 'Be brief.' })).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
    });
  });

  it('maps every translated parameter to its chat name (an SDK-typed body)', () => {
    const body: ResponseCreateParamsNonStreaming = {
      model: 'claude-sonnet-4',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Weather?' }, { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'low' }] }],
      tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true }],
      tool_choice: { type: 'function', name: 'get_weather' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
      reasoning: { effort: 'low' },
      max_output_tokens: 300,
      metadata: { team: 'a' },
      temperature: 0.2,
      top_p: 0.9,
      user: 'u1',
      store: false,
    };
    expect(translate({ ...body, fallback_models: ['gpt-4o'] })).toEqual({
      model: 'claude-sonnet-4',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather?' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
          ],
        },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      reasoning_effort: 'low',
      max_completion_tokens: 300,
      metadata: { team: 'a' },
      temperature: 0.2,
      top_p: 0.9,
      user: 'u1',
      fallback_models: ['gpt-4o'],
    });
  });

  it('rebuilds a function-calling round trip: the call on an assistant message, its output as a tool message', () => {
    const history: ConversationItem[] = [
      { type: 'message', role: 'user', content: 'Weather in Paris?' },
      { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Checking.', annotations: [] }] },
      { type: 'function_call', id: 'fc_1', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
      { type: 'function_call', id: 'fc_2', call_id: 'call_b', name: 'get_time', arguments: '{}', status: 'completed' },
    ];
    const chat = translate(
      {
        model: 'm',
        input: [
          { type: 'function_call_output', call_id: 'call_a', output: '{"temp":21}' },
          { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: '12:00' }] },
        ],
      },
      history,
    );
    expect(chat.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: '{"temp":21}' },
      { role: 'tool', tool_call_id: 'call_b', content: [{ type: 'text', text: '12:00' }] },
    ]);
  });

  it("accepts output items sent back as the openai SDK's helpers shape them (parsed, parsed_arguments)", () => {
    const chat = translate({
      model: 'm',
      input: [
        { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hi', annotations: [], logprobs: [], parsed: null }] },
        { type: 'function_call', id: 'fc_1', call_id: 'call_a', name: 'f', arguments: '{}', status: 'completed', parsed_arguments: null },
      ],
    });
    expect(chat.messages).toEqual([{ role: 'assistant', content: 'Hi', tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'f', arguments: '{}' } }] }]);
  });

  it('leaves reasoning items out and takes text.format json_object and text', () => {
    const chat = translate({
      model: 'm',
      input: [
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { role: 'developer', content: 'Answer in JSON.' },
      ],
      text: { format: { type: 'json_object' } },
    });
    expect(chat.messages).toEqual([{ role: 'developer', content: 'Answer in JSON.' }]);
    expect(chat.response_format).toEqual({ type: 'json_object' });
    expect(translate({ model: 'm', input: 'x', text: { format: { type: 'text' } } })).not.toHaveProperty('response_format');
  });

  it('defaults store to true and stream to false', () => {
    const req = parseResponsesRequest({ model: 'm', input: 'x' });
    expect(req.store).toBe(true);
    expect(req.stream).toBe(false);
    expect(translate({ model: 'm', input: 'x', stream: true }).stream).toBe(true);
  });

  it('refuses built-in tools with a 400 naming them', () => {
    const err = refusal({ model: 'm', input: 'x', tools: [{ type: 'function', name: 'f' }, { type: 'web_search_preview' }] });
    expect(err.status).toBe(400);
    expect(err.param).toBe('tools[1].type');
    expect(err.message).toContain("'web_search_preview'");
    expect(refusal({ model: 'm', input: 'x', tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }] }).message).toContain("'file_search'");
  });

  it('refuses fields the translation cannot carry, unknown fields, and unsupported items and parts, by name', () => {
    expect(refusal({ model: 'm', input: 'x', include: ['message.output_text.logprobs'] }).param).toBe('include');
    expect(refusal({ model: 'm', input: 'x', background: true }).param).toBe('background');
    expect(refusal({ model: 'm', input: 'x', truncation: 'auto' }).param).toBe('truncation');
    expect(refusal({ model: 'm', input: 'x', reasoning: { summary: 'auto' } }).param).toBe('reasoning.summary');
    expect(refusal({ model: 'm', input: 'x', made_up: 1 }).param).toBe('made_up');
    expect(refusal({ model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] }).param).toBe('input[0].type');
    expect(refusal({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }).param).toBe('input[0].content[0].type');
    expect(refusal({ model: 'm', input: 'x', tool_choice: { type: 'web_search_preview' } }).param).toBe('tool_choice');
    expect(refusal({ model: 'm', input: 'x', tool_choice: { type: 'function', name: 'nope' } }).message).toContain('not in tools');
    expect(refusal({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }] }).param).toMatch(/^input\[0\]\.content\[0\]/);
    // Null and empty values of the refused fields are what SDKs send by default: accepted.
    expect(() => parseResponsesRequest({ model: 'm', input: 'x', include: ['reasoning.encrypted_content'], prompt: null, reasoning: { effort: null, summary: null } })).not.toThrow();
  });
});
