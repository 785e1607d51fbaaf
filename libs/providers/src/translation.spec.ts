import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { createAnthropicAdapter } from './anthropic';
import { createBedrockAdapter } from './bedrock';
import { createGeminiAdapter, toGeminiSchema } from './google';
import { ProviderStreamError, UnsupportedParameterError, type AdapterContext, type ChatCompletionChunk, type ChatRequest, type StreamDecoder } from './types';

const ctx = (provider: string, model: string, extra: Partial<AdapterContext> = {}): AdapterContext => ({
  target: { provider: provider as never, upstreamModel: model, baseUrl: null, credentials: { api_key: 'k', access_key_id: 'AKIAEXAMPLEEXAMPLE1', secret_access_key: 'secretsecretsecretsecret', region: 'us-east-1' } },
  stream: false,
  dropUnsupported: false,
  ...extra,
});
const enc = (s: string) => new TextEncoder().encode(s);
const feed = (d: StreamDecoder, parts: (string | Uint8Array)[]) => {
  const out: ChatCompletionChunk[] = [];
  for (const p of parts) out.push(...d.push(typeof p === 'string' ? enc(p) : p));
  out.push(...d.end());
  return out;
};
const body = async (p: Promise<{ body: string | Uint8Array }> | { body: string | Uint8Array }) => JSON.parse(String((await p).body)) as Record<string, unknown>;

const anthropic = createAnthropicAdapter();
const gemini = createGeminiAdapter({ fetchImage: async () => ({ mediaType: 'image/jpeg', data: 'AAAA' }) });
const bedrock = createBedrockAdapter({ fetchImage: async () => ({ mediaType: 'image/png', data: 'BBBB' }), now: () => new Date('2025-01-01T00:00:00Z') });

const CONVERSATION: ChatRequest = {
  model: 'x',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
    { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } }] },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
  ],
  tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'integer' } } } } }],
  tool_choice: 'required',
  parallel_tool_calls: false,
  stop: 'END',
  temperature: 0.5,
  top_k: 3,
};

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

describe('Gemini request and schema reduction', () => {
  it('builds contents, systemInstruction, functionDeclarations, toolConfig and generationConfig', async () => {
    const up = await gemini.buildRequest({ ...CONVERSATION, tool_choice: { type: 'function', function: { name: 'f' } }, max_tokens: 100, response_format: { type: 'json_object' } }, ctx('google-ai-studio', 'gemini-2.5-flash'));
    expect(up.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent');
    expect(up.headers['x-goog-api-key']).toBe('k');
    expect(JSON.parse(String(up.body))).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }, { inlineData: { mimeType: 'image/jpeg', data: 'AAAA' } }] },
        { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'f', response: { content: 'ok' } } }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT', properties: { a: { type: 'INTEGER' } } } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } },
      generationConfig: { temperature: 0.5, maxOutputTokens: 100, stopSequences: ['END'], responseMimeType: 'application/json' },
      top_k: 3,
    });
  });

  it('reduces $ref/$defs, nullable unions, const and drops additionalProperties:false', () => {
    expect(
      toGeminiSchema(
        {
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          type: 'object',
          $defs: { Kind: { type: 'string', enum: ['a', 'b'] } },
          properties: { kind: { $ref: '#/$defs/Kind' }, note: { type: ['string', 'null'], format: 'email' }, n: { anyOf: [{ type: 'integer' }, { type: 'null' }] }, fixed: { const: 'x' } },
          required: ['kind'],
          additionalProperties: false,
        },
        'p',
      ),
    ).toEqual({
      type: 'OBJECT',
      properties: { kind: { type: 'STRING', enum: ['a', 'b'] }, note: { type: 'STRING', nullable: true }, n: { type: 'INTEGER', nullable: true }, fixed: { type: 'STRING', enum: ['x'] } },
      required: ['kind'],
    });
  });

  it.each([
    [{ type: 'object', properties: { tree: { $ref: '#' } } }, /recursive \$ref/],
    [{ type: 'object', additionalProperties: { type: 'number' } }, /additionalProperties with a schema/],
    [{ type: 'object', patternProperties: { '^x': { type: 'string' } } }, /patternProperties/],
    [{ type: 'integer', enum: [1, 2] }, /non-string values/],
    [{ type: 'array', items: { type: 'string' }, uniqueItems: true }, /uniqueItems/],
  ])('a schema Gemini cannot express is a 400 naming the param: %j', async (schema, message) => {
    const req: ChatRequest = { model: 'x', messages: [{ role: 'user', content: 'q' }], response_format: { type: 'json_schema', json_schema: { name: 's', schema } } };
    const err = await Promise.resolve(gemini.buildRequest(req, ctx('google-ai-studio', 'g'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedParameterError);
    expect(err).toMatchObject({ param: 'response_format.json_schema.schema', message: expect.stringMatching(message) });
  });
});

describe('Gemini responses', () => {
  it('MALFORMED_FUNCTION_CALL is an error, not stop; usage includes cached and thinking tokens', () => {
    expect(() => gemini.parseResponse({ candidates: [{ content: { parts: [] }, finishReason: 'MALFORMED_FUNCTION_CALL' }] }, ctx('g', 'g'))).toThrow(ProviderStreamError);
    const c = gemini.parseResponse(
      { candidates: [{ content: { role: 'model', parts: [{ text: 'why', thought: true }, { text: 'ok' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 60, candidatesTokenCount: 5, thoughtsTokenCount: 20, totalTokenCount: 125 } },
      ctx('g', 'g'),
    );
    expect(c.choices[0]).toMatchObject({ message: { content: 'ok', reasoning_content: 'why' }, finish_reason: 'stop' });
    expect(c.usage).toMatchObject({ prompt_tokens: 100, completion_tokens: 25, total_tokens: 125, prompt_tokens_details: { cached_tokens: 60 }, completion_tokens_details: { reasoning_tokens: 20 } });
  });

  it('stream: a missing finishReason is incomplete; a blocked prompt is content_filter', () => {
    const d = gemini.createStreamDecoder(ctx('g', 'g', { stream: true }));
    expect(() => feed(d, ['data: {"candidates":[{"content":{"parts":[{"text":"hi"}]}}]}\n\n'])).toThrow(/before a finishReason/);
    const blocked = feed(gemini.createStreamDecoder(ctx('g', 'g')), ['data: {"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":3}}\n\n']);
    expect(blocked.some((c) => c.choices[0]?.finish_reason === 'content_filter')).toBe(true);
  });
});

describe('Gemini 3 thought signatures', () => {
  const SIG = 'CiQB0e2Kb+/xyz==';
  const answer = { candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: SIG }, { functionCall: { name: 'f', args: { a: 2 } } }] }, finishReason: 'STOP' }] };

  it('travel in the tool call id, streamed and not, and go back on the same call', async () => {
    const calls = gemini.parseResponse(answer, ctx('google-ai-studio', 'gemini-3-pro-preview')).choices[0]!.message.tool_calls!;
    expect(calls[0]!.id).toMatch(/^call_[\w-]+__thought__CiQB0e2Kb-_xyz$/);
    expect(calls[1]!.id).not.toContain('__thought__');
    const streamed = feed(gemini.createStreamDecoder(ctx('google-ai-studio', 'gemini-3-pro-preview')), [`data: ${JSON.stringify(answer)}\n\n`]);
    expect(streamed.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).find((t) => t.id)?.id).toMatch(/__thought__CiQB0e2Kb-_xyz$/);

    const next: ChatRequest = { model: 'x', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: null, tool_calls: calls }, ...calls.map((c) => ({ role: 'tool' as const, tool_call_id: c.id, content: '{}' }))] };
    const sent = (await body(gemini.buildRequest(next, ctx('google-ai-studio', 'gemini-3-pro-preview')))) as { contents: { parts: Record<string, unknown>[] }[] };
    expect(sent.contents[1]!.parts).toEqual([{ functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: SIG }, { functionCall: { name: 'f', args: { a: 2 } } }]);
    // Other providers get the plain id on both sides of the pair.
    const claude = (await body(anthropic.buildRequest(next, ctx('anthropic', 'claude-sonnet-4-5')))) as { messages: { content: { id?: string; tool_use_id?: string }[] }[] };
    expect(claude.messages[1]!.content[0]!.id).toBe(calls[0]!.id.split('__thought__')[0]);
    expect(claude.messages[2]!.content[0]!.tool_use_id).toBe(calls[0]!.id.split('__thought__')[0]);
  });

  it('a Gemini 3 history without signatures gets the documented placeholder on the first call of a turn', async () => {
    const req: ChatRequest = {
      model: 'x',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{}' } }, { id: 'toolu_2', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'ok' },
        { role: 'tool', tool_call_id: 'toolu_2', content: 'ok' },
      ],
    };
    const g3 = (await body(gemini.buildRequest(req, ctx('google-ai-studio', 'gemini-3-flash')))) as { contents: { parts: Record<string, unknown>[] }[] };
    expect(g3.contents[1]!.parts.map((p) => p['thoughtSignature'])).toEqual(['skip_thought_signature_validator', undefined]);
    const g25 = (await body(gemini.buildRequest(req, ctx('google-ai-studio', 'gemini-2.5-flash')))) as { contents: { parts: Record<string, unknown>[] }[] };
    expect(g25.contents[1]!.parts.every((p) => !('thoughtSignature' in p))).toBe(true);
  });
});

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
  const BLOCKS = [
    { type: 'thinking', thinking: 'Paris first.', signature: 'EqQBsig==' },
    { type: 'redacted_thinking', data: 'EmwKAhgB' },
  ] as const;
  const TURN: ChatRequest = {
    model: 'x',
    reasoning_effort: 'low',
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, thinking_blocks: [...BLOCKS], tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
    ],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
  };

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
