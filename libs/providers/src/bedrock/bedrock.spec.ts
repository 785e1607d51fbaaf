import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { ChatRequest } from '@switchyard/types';
import { createAnthropicAdapter } from '../anthropic';
import { body, BLOCKS, CONVERSATION, ctx, feed, TURN } from '../spec-fixtures';
import { createBedrockAdapter } from './index';

const anthropic = createAnthropicAdapter();
const bedrock = createBedrockAdapter({ fetchImage: async () => ({ mediaType: 'image/png', data: 'BBBB' }), now: () => new Date('2025-01-01T00:00:00Z') });

describe('Bedrock', () => {
  it('builds the Converse body and signs it with SigV4', async () => {
    const up = await bedrock.buildRequest(CONVERSATION, ctx('aws-bedrock', 'anthropic.claude-3-haiku-20240307-v1:0', { stream: true }));
    expect(up.url).toBe('https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream');
    expect(up.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEEXAMPLE1\/20250101\/us-east-1\/bedrock\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
    expect(up.headers['x-amz-date']).toBe('20250101T000000Z');
    expect(JSON.parse(String(up.body))).toEqual({
      messages: [
        { role: 'user', content: [{ text: 'Hi' }, { image: { format: 'png', source: { bytes: 'BBBB' } } }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'call_1', name: 'f', input: { a: 1 } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 'call_1', content: [{ text: 'ok' }] } }] },
      ],
      system: [{ text: 'Be brief.' }],
      inferenceConfig: { temperature: 0.5, stopSequences: ['END'] },
      toolConfig: { tools: [{ toolSpec: { name: 'f', inputSchema: { json: { type: 'object', properties: { a: { type: 'integer' } } } } } }], toolChoice: { any: {} } },
      top_k: 3,
    });
  });

  it('turns cache_control markers into cachePoint blocks after the marked system and user content (as Anthropic marks them)', async () => {
    const cached: ChatRequest = {
      model: 'x',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Long rules.', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'Today is Monday.' }] },
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Long document.', cache_control: { type: 'ephemeral' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,CCCC' }, cache_control: { type: 'ephemeral' } },
            { type: 'text', text: 'Summarise it.' },
          ],
        },
      ],
    };
    expect(await body(bedrock.buildRequest(cached, ctx('aws-bedrock', 'anthropic.claude-sonnet-4-5-v1:0')))).toEqual({
      messages: [
        {
          role: 'user',
          content: [
            { text: 'Long document.' },
            { cachePoint: { type: 'default' } },
            { image: { format: 'png', source: { bytes: 'CCCC' } } },
            { cachePoint: { type: 'default' } },
            { text: 'Summarise it.' },
          ],
        },
      ],
      system: [{ text: 'Long rules.' }, { cachePoint: { type: 'default' } }, { text: 'Today is Monday.' }, { text: 'Be brief.' }],
    });
    // The same request on Anthropic: cache_control on the same blocks.
    expect(await body(anthropic.buildRequest(cached, ctx('anthropic', 'claude-sonnet-4-5', { maxOutputTokens: 100 })))).toMatchObject({
      system: [{ type: 'text', text: 'Long rules.', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'Today is Monday.' }, { type: 'text', text: 'Be brief.' }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Long document.', cache_control: { type: 'ephemeral' } },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'CCCC' }, cache_control: { type: 'ephemeral' } },
            { type: 'text', text: 'Summarise it.' },
          ],
        },
      ],
    });
  });

  it('decodes event-stream frames split at any byte, keeping tool fragments and exceptions', () => {
    const codec = new EventStreamCodec(toUtf8, fromUtf8);
    const frame = (type: string, payload: unknown, kind = 'event') =>
      codec.encode({
        headers: { [kind === 'event' ? ':event-type' : ':exception-type']: { type: 'string', value: type }, ':message-type': { type: 'string', value: kind }, ':content-type': { type: 'string', value: 'application/json' } },
        body: fromUtf8(JSON.stringify(payload)),
      });
    const frames = [
      frame('messageStart', { role: 'assistant' }),
      frame('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: 't1', name: 'f' } } }),
      frame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '{"a" :' } } }),
      frame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: ' 1}' } } }),
      frame('messageStop', { stopReason: 'tool_use' }),
      frame('metadata', { usage: { inputTokens: 5, outputTokens: 3, totalTokens: 8, cacheReadInputTokens: 2 } }),
    ];
    const all = Buffer.concat(frames);
    const split = [all.subarray(0, 7), all.subarray(7, 100), all.subarray(100)];
    const chunks = feed(bedrock.createStreamDecoder(ctx('aws-bedrock', 'm')), split);
    const args = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).map((t) => t.function?.arguments);
    expect(args).toEqual(['', '{"a" :', ' 1}']);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 2 } });
    expect(() => feed(bedrock.createStreamDecoder(ctx('aws-bedrock', 'm')), [frames[0]!, frame('throttlingException', { message: 'slow down' }, 'exception')])).toThrow(
      expect.objectContaining({ status: 429, message: 'slow down' }),
    );
    expect(() => feed(bedrock.createStreamDecoder(ctx('aws-bedrock', 'm')), frames.slice(0, 5))).toThrow(/before its metadata/);
  });
});

describe('Claude thinking signatures', () => {
  it('Bedrock: reasoningContent (signature, redactedContent) both ways, streamed and not', async () => {
    const converse = [
      { reasoningContent: { reasoningText: { text: 'Paris first.', signature: 'EqQBsig==' } } },
      { reasoningContent: { redactedContent: 'EmwKAhgB' } },
      { toolUse: { toolUseId: 'toolu_1', name: 'f', input: { city: 'Paris' } } },
    ];
    const c = bedrock.parseResponse({ output: { message: { role: 'assistant', content: converse } }, stopReason: 'tool_use', usage: { inputTokens: 1, outputTokens: 2 } }, ctx('aws-bedrock', 'anthropic.claude'));
    expect(c.choices[0]!.message).toMatchObject({ reasoning_content: 'Paris first.', thinking_blocks: BLOCKS });
    expect((await body(bedrock.buildRequest(TURN, ctx('aws-bedrock', 'anthropic.claude-sonnet-4-5-v1:0', { maxOutputTokens: 16000 }))))['messages']).toEqual([
      { role: 'user', content: [{ text: 'Weather in Paris?' }] },
      { role: 'assistant', content: converse },
      { role: 'user', content: [{ toolResult: { toolUseId: 'toolu_1', content: [{ text: 'sunny' }] } }] },
    ]);
    const codec = new EventStreamCodec(toUtf8, fromUtf8);
    const frame = (type: string, payload: unknown) =>
      codec.encode({ headers: { ':event-type': { type: 'string', value: type }, ':message-type': { type: 'string', value: 'event' } }, body: fromUtf8(JSON.stringify(payload)) });
    const chunks = feed(bedrock.createStreamDecoder(ctx('aws-bedrock', 'anthropic.claude', { stream: true })), [
      frame('messageStart', { role: 'assistant' }),
      frame('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Paris ' } } }),
      frame('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'first.' } } }),
      frame('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'EqQBsig==' } } }),
      frame('contentBlockStop', { contentBlockIndex: 0 }),
      frame('contentBlockDelta', { contentBlockIndex: 1, delta: { reasoningContent: { redactedContent: 'EmwKAhgB' } } }),
      frame('contentBlockStop', { contentBlockIndex: 1 }),
      frame('messageStop', { stopReason: 'end_turn' }),
      frame('metadata', { usage: { inputTokens: 1, outputTokens: 2 } }),
    ]);
    expect(chunks.map((ch) => ch.choices[0]?.delta.reasoning_content ?? '').join('')).toBe('Paris first.');
    expect(chunks.flatMap((ch) => ch.choices[0]?.delta.thinking_blocks ?? [])).toEqual(BLOCKS);
  });
});

describe('Bedrock base URL', () => {
  it('is the AWS SDK endpoint (default: bedrock-runtime of the region)', async () => {
    const url = async (baseUrl: string | null) => {
      const c = ctx<'aws-bedrock'>('aws-bedrock', 'm');
      return (await bedrock.buildRequest({ model: 'x', messages: [{ role: 'user', content: 'q' }] }, { ...c, target: { ...c.target, baseUrl } })).url;
    };
    expect(await url(null)).toBe('https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse');
    expect(await url('https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com/')).toBe('https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com/model/m/converse');
  });
});

describe('Bedrock Claude pass-through of /v1/messages (InvokeModel)', () => {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const chunk = (event: unknown) =>
    codec.encode({
      headers: { ':event-type': { type: 'string', value: 'chunk' }, ':message-type': { type: 'string', value: 'event' }, ':content-type': { type: 'string', value: 'application/json' } },
      body: fromUtf8(JSON.stringify({ bytes: Buffer.from(JSON.stringify(event)).toString('base64') })),
    });
  const native = { protocol: 'messages' as const, headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14, context-1m-2025-08-07' } };
  const model = 'anthropic.claude-sonnet-4-20250514-v1:0';

  it('sends the body as sent without model and stream, with Bedrock’s anthropic_version and the betas as anthropic_beta, signed', async () => {
    const messages = bedrock.native!.messages!;
    const request = { model: 'claude-sonnet-4', max_tokens: 100, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [{ role: 'user', content: 'Hi' }] };
    const call = await messages({ ...native, body: request }, ctx('aws-bedrock', model));
    expect(call.read).toBe('json');
    const upstream = call.read === 'json' ? call.requests[0]! : null;
    expect(upstream!.url).toBe(`https://bedrock-runtime.us-east-1.amazonaws.com/model/${encodeURIComponent(model)}/invoke`);
    expect(upstream!.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(JSON.parse(String(upstream!.body))).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      anthropic_beta: ['interleaved-thinking-2025-05-14', 'context-1m-2025-08-07'],
      max_tokens: 100,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(bedrock.native!.serves!(model)).toBe(true);
    expect(bedrock.native!.serves!('amazon.nova-pro-v1:0')).toBe(false);
  });

  it('streams from invoke-with-response-stream, its chunk frames rewritten as Anthropic SSE (split at any byte), usage read', async () => {
    const call = await bedrock.native!.messages!({ ...native, body: { model: 'x', max_tokens: 10, stream: true, messages: [] } }, ctx('aws-bedrock', model));
    if (call.read !== 'raw') throw new Error('expected a raw stream');
    expect(call.request.url).toMatch(/\/invoke-with-response-stream$/);
    const events = [
      { type: 'message_start', message: { id: 'msg_1', usage: { input_tokens: 12, output_tokens: 1 } } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 4 } },
      { type: 'message_stop' },
    ];
    const all = Buffer.concat(events.map(chunk));
    const transform = call.transform!;
    const text = [all.subarray(0, 9), all.subarray(9, 150), all.subarray(150)].map((b) => Buffer.from(transform.push(b)).toString()).join('') + Buffer.from(transform.end()).toString();
    expect(text).toBe(events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(''));
    const usage = events.map((e) => call.sseUsage!({ data: JSON.stringify(e) })).filter(Boolean);
    expect(usage.at(-1)).toMatchObject({ prompt_tokens: 12, completion_tokens: 4 });
    // An exception frame inside the 200 stream is the provider's error.
    const exception = codec.encode({
      headers: { ':exception-type': { type: 'string', value: 'throttlingException' }, ':message-type': { type: 'string', value: 'exception' } },
      body: fromUtf8(JSON.stringify({ message: 'Too many requests' })),
    });
    expect(() => transform.push(exception)).toThrow(expect.objectContaining({ status: 429 }) as Error);
    // Events and the exception in the same bytes: the events are handed on first, then the failure.
    const again = (await bedrock.native!.messages!({ ...native, body: { model: 'x', max_tokens: 10, stream: true, messages: [] } }, ctx('aws-bedrock', model))) as { transform: typeof transform };
    const both = Buffer.from(again.transform.push(Buffer.concat([chunk(events[0]!), exception]))).toString();
    expect(both).toBe(`event: message_start\ndata: ${JSON.stringify(events[0])}\n\n`);
    expect(() => again.transform.end()).toThrow(expect.objectContaining({ status: 429 }) as Error);
  });
});
