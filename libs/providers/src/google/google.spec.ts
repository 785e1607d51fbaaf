import type { ChatRequest } from '@switchyard/types';
import { createAnthropicAdapter } from '../anthropic';
import { body, CONVERSATION, ctx, feed } from '../spec-fixtures';
import { ProviderStreamError, UnsupportedParameterError } from '../types';
import { createGeminiAdapter, geminiApiBase, toGeminiSchema, vertexApiBase } from './index';

const anthropic = createAnthropicAdapter();
const gemini = createGeminiAdapter({ fetchImage: async () => ({ mediaType: 'image/jpeg', data: 'AAAA' }) });

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

describe('Google base URLs', () => {
  it('Gemini: the SDK base URL (+ /v1beta); a stored base with its version still works', () => {
    expect(geminiApiBase(null)).toBe('https://generativelanguage.googleapis.com/v1beta');
    expect(geminiApiBase('https://generativelanguage.googleapis.com/')).toBe('https://generativelanguage.googleapis.com/v1beta');
    expect(geminiApiBase('https://generativelanguage.googleapis.com/v1beta')).toBe('https://generativelanguage.googleapis.com/v1beta');
    expect(geminiApiBase('http://127.0.0.1:9000/v1')).toBe('http://127.0.0.1:9000/v1');
  });

  it('Vertex: the SDK base URL for the region (+ /v1); a stored base with its version still works', () => {
    expect(vertexApiBase(null, 'europe-west4')).toBe('https://europe-west4-aiplatform.googleapis.com/v1');
    expect(vertexApiBase(null, 'global')).toBe('https://aiplatform.googleapis.com/v1');
    expect(vertexApiBase('https://europe-west4-aiplatform.googleapis.com', 'europe-west4')).toBe('https://europe-west4-aiplatform.googleapis.com/v1');
    expect(vertexApiBase('http://127.0.0.1:9000/v1/', 'us-central1')).toBe('http://127.0.0.1:9000/v1');
    expect(vertexApiBase('http://127.0.0.1:9000/v1beta1', 'us-central1')).toBe('http://127.0.0.1:9000/v1beta1');
  });
});
