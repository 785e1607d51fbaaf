import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import type { Response, ResponseStreamEvent as SdkEvent } from 'openai/resources/responses/responses';
import type { ChatCompletion, ChatCompletionChunk, ChunkDelta, FinishReason, ThinkingBlock } from '@switchyard/types';
import { parseResponsesRequest } from './responses-request.schema';
import { toResponse, type ItemIds, type ResponseContext } from './responses-response';
import { ResponsesStreamTranslator } from './responses-stream';
import { toChatMessages } from './responses-request';
import type { ConversationItem, ResponseObject, ResponseStreamEvent } from './responses.types';
import { decodeThinking } from './thinking-content';

function context(body: Record<string, unknown> = {}): ResponseContext {
  let n = 0;
  const ids: ItemIds = (prefix) => `${prefix}_${++n}`;
  return { id: 'resp_1', createdAt: 1_700_000_000, request: parseResponsesRequest({ model: 'gpt-4o-mini', input: 'hi', ...body }), ids };
}

const chunk = (delta: ChunkDelta, finish: FinishReason | null = null): ChatCompletionChunk => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, delta, finish_reason: finish }],
});
const usageChunk: ChatCompletionChunk = {
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4 } },
};

/** Runs the events through the `openai` SDK's own stream accumulator (what `responses.stream()` uses): it throws on any event out of place. */
function accumulate(events: ResponseStreamEvent[]): Response {
  let snapshot: Response | undefined;
  for (const e of events) snapshot = accumulateResponse(e as SdkEvent, snapshot);
  return snapshot!;
}

function run(batches: ChatCompletionChunk[][], ctx = context()) {
  const t = new ResponsesStreamTranslator(ctx);
  const events = [...t.start(), ...batches.flatMap((b) => t.push(b)), ...t.finish()];
  return { events, translator: t };
}

describe('ResponsesStreamTranslator', () => {
  it('streams text as the event sequence of OpenAI, numbered from 0, that the SDK accumulates into the final Response', () => {
    const { events, translator } = run([[chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' })], [chunk({ content: 'lo' })], [chunk({}, 'stop'), usageChunk]]);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[4]).toEqual({ type: 'response.output_text.delta', sequence_number: 4, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hel', logprobs: [] });
    const final = accumulate(events);
    expect(final.status).toBe('completed');
    expect(final.output_text).toBe('Hello');
    expect(final.model).toBe('gpt-4o-mini-2024-07-18');
    expect(final.usage).toEqual({ input_tokens: 10, input_tokens_details: { cached_tokens: 4, cache_write_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 });
    expect(translator.response()).toEqual(events[events.length - 1]!.type === 'response.completed' && (events[events.length - 1] as { response: ResponseObject }).response);
  });

  it('streams parallel function calls as function_call items with argument deltas and .done events', () => {
    const { events } = run([
      [chunk({ role: 'assistant', content: 'Let me check.' })],
      [chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] })],
      [chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }), chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] })],
      [chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } }] })],
      [chunk({}, 'tool_calls')],
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const final = accumulate(events);
    expect(final.output).toEqual([
      { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Let me check.', annotations: [], logprobs: [] }] },
      { type: 'function_call', id: 'fc_2', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
      { type: 'function_call', id: 'fc_3', call_id: 'call_b', name: 'get_time', arguments: '{}', status: 'completed' },
    ]);
  });

  it('streams reasoning as a reasoning item before the message', () => {
    const { events } = run([[chunk({ reasoning_content: 'Think' }), chunk({ reasoning_content: 'ing.' }), chunk({ content: 'Answer' })], [chunk({}, 'stop')]]);
    const final = accumulate(events);
    expect(final.output[0]).toEqual({ type: 'reasoning', id: 'rs_1', summary: [], content: [{ type: 'reasoning_text', text: 'Thinking.' }] });
    expect(final.output_text).toBe('Answer');
    expect(events.filter((e) => e.type === 'response.reasoning_text.delta')).toHaveLength(2);
  });

  it("carries Claude's signed thinking in the reasoning item's encrypted_content, back to thinking_blocks as input", () => {
    const blocks: ThinkingBlock[] = [
      { type: 'thinking', thinking: 'Need weather.', signature: 'sig-1' },
      { type: 'redacted_thinking', data: 'opaque' },
    ];
    const { events } = run([
      [chunk({ reasoning_content: 'Need weather.' }), chunk({ thinking_blocks: blocks.slice(0, 1) }), chunk({ thinking_blocks: blocks.slice(1) })],
      [chunk({ tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] })],
      [chunk({}, 'tool_calls')],
    ]);
    const final = accumulate(events);
    const reasoning = final.output[0] as { type: string; encrypted_content?: string };
    expect(reasoning.type).toBe('reasoning');
    expect(decodeThinking(reasoning.encrypted_content)).toEqual(blocks);
    const messages = toChatMessages([{ type: 'message', role: 'user', content: 'Weather?' }, ...(final.output as unknown as ConversationItem[])]);
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: null,
      thinking_blocks: blocks,
      tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    });
    // A value the gateway did not write is ignored.
    expect(decodeThinking('gAAAAABopaque')).toBeNull();
  });

  it('ends a length stop with response.incomplete and max_output_tokens', () => {
    const { events } = run([[chunk({ content: 'cut' })], [chunk({}, 'length')]]);
    const last = events[events.length - 1] as { type: string; response: ResponseObject };
    expect(last.type).toBe('response.incomplete');
    expect(last.response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(accumulate(events).status).toBe('incomplete');
  });

  it('sends an empty message when the answer has no output', () => {
    const final = accumulate(run([[chunk({}, 'stop')]]).events);
    expect(final.output).toHaveLength(1);
    expect(final.output_text).toBe('');
  });

  it('ends a failure with an error event then response.failed, continuing the numbering', () => {
    const t = new ResponsesStreamTranslator(context());
    const events = [...t.start(), ...t.push([chunk({ content: 'part' })])];
    const failed = t.fail({ code: 'provider_unavailable', message: 'The provider is unavailable.', param: null });
    expect(failed).toEqual([
      { type: 'error', sequence_number: 5, code: 'provider_unavailable', message: 'The provider is unavailable.', param: null },
      expect.objectContaining({ type: 'response.failed', sequence_number: 6, response: expect.objectContaining({ status: 'failed', error: { code: 'provider_unavailable', message: 'The provider is unavailable.' } }) }),
    ]);
    const final = accumulate([...events, ...failed]);
    expect(final.status).toBe('failed');
    // The text streamed before the failure stays in the failed Response, its message incomplete.
    expect(final.output).toEqual([{ type: 'message', id: 'msg_1', role: 'assistant', status: 'incomplete', content: [{ type: 'output_text', text: 'part', annotations: [], logprobs: [] }] }]);
  });
});

describe('toResponse', () => {
  const completion = (message: ChatCompletion['choices'][0]['message'], finish: FinishReason = 'stop'): ChatCompletion => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'claude-sonnet-4-20250514',
    choices: [{ index: 0, message, finish_reason: finish }],
    usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10, completion_tokens_details: { reasoning_tokens: 2 } },
  });

  it('answers text as a completed message and echoes the request', () => {
    const ctx = context({ instructions: 'Be brief.', metadata: { a: 'b' }, temperature: 0.5, store: false });
    const r = toResponse(completion({ role: 'assistant', content: 'Hi there' }), ctx);
    // The SDK's type (its error codes are a closed list; the gateway's are its own).
    const sdkTyped: Omit<Response, 'output_text' | 'error'> = r;
    expect(sdkTyped).toMatchObject({
      id: 'resp_1',
      object: 'response',
      created_at: 1_700_000_000,
      status: 'completed',
      model: 'claude-sonnet-4-20250514',
      instructions: 'Be brief.',
      metadata: { a: 'b' },
      temperature: 0.5,
      store: false,
      output: [{ type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hi there', annotations: [], logprobs: [] }] }],
      usage: { input_tokens: 7, input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 }, output_tokens: 3, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 10 },
      error: null,
      incomplete_details: null,
    });
    expect(r.completed_at).toEqual(expect.any(Number));
  });

  it('answers tool calls as function_call items and reasoning as a reasoning item', () => {
    const r = toResponse(
      completion(
        { role: 'assistant', content: null, reasoning_content: 'Need weather.', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        'tool_calls',
      ),
      context(),
    );
    expect(r.output).toEqual([
      { type: 'reasoning', id: 'rs_1', summary: [], content: [{ type: 'reasoning_text', text: 'Need weather.' }] },
      { type: 'function_call', id: 'fc_2', call_id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
    ]);
  });

  it('answers signed thinking in the reasoning item, which the next turn sends back as thinking_blocks', () => {
    const blocks = [{ type: 'thinking' as const, thinking: 'Hmm.', signature: 'sig' }];
    const r = toResponse(
      completion({ role: 'assistant', content: null, reasoning_content: 'Hmm.', thinking_blocks: blocks, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, 'tool_calls'),
      context(),
    );
    expect(decodeThinking((r.output[0] as { encrypted_content?: string }).encrypted_content)).toEqual(blocks);
    expect(toChatMessages(r.output as unknown as ConversationItem[])).toEqual([
      { role: 'assistant', content: null, thinking_blocks: blocks, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
    ]);
  });

  it('answers a length stop as incomplete', () => {
    const r = toResponse(completion({ role: 'assistant', content: 'cut' }, 'length'), context());
    expect(r.status).toBe('incomplete');
    expect(r.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(r.output[0]).toMatchObject({ status: 'incomplete' });
  });
});
