import type { ProviderPathRequest } from '@switchyard/providers';
import type { ProviderId } from '@switchyard/types';
import type { EndpointRawResult } from '../executor';
import type { DlpPolicy } from './dlp-policy';
import { builtInDetector } from './dlp-stage';
import { checkNativeRequest, checkNativeResponse } from './native-dlp';
import { answerTexts, nativeRequestSlots, streamText } from './native-text';

const MAIL = 'mail jane@example.com';
const redact: DlpPolicy[] = [{ id: 'r', action: 'REDACT', check: ['REQUEST'], profiles: ['email'] }];
const block: DlpPolicy[] = [{ id: 'b', action: 'BLOCK', check: ['REQUEST', 'RESPONSE'], profiles: ['email'] }];
const request = (path: string, json: Record<string, unknown> | null, method: 'GET' | 'POST' = 'POST'): ProviderPathRequest => ({
  method,
  path,
  json,
  body: json ? Buffer.from(JSON.stringify(json)) : null,
  headers: {},
});
const texts = (provider: ProviderId, path: string, body: Record<string, unknown>) => nativeRequestSlots(provider, path, body)?.map((s) => s.text) ?? null;

describe('DLP on provider-native bodies', () => {
  it.each([
    ['openai', '/chat/completions', { messages: [{ role: 'user', content: 'a' }, { role: 'user', content: [{ type: 'text', text: 'b' }] }, { role: 'assistant', tool_calls: [{ function: { arguments: 'c' } }] }] }, ['a', 'b', 'c']],
    ['azure-openai', '/res/dep/chat/completions?api-version=1', { messages: [{ role: 'user', content: 'a' }] }, ['a']],
    ['openai', '/responses', { instructions: 'i', input: [{ role: 'user', content: [{ type: 'input_text', text: 'a' }] }, { type: 'function_call_output', output: 'o' }] }, ['i', 'a', 'o']],
    ['openai', '/responses', { input: 'a' }, ['a']],
    ['groq', '/embeddings', { input: ['a', [1, 2], 'b'] }, ['a', 'b']],
    ['anthropic', '/v1/messages', { system: [{ type: 'text', text: 's' }], messages: [{ role: 'user', content: [{ type: 'tool_result', content: 'r' }, { type: 'text', text: 'a' }] }] }, ['s', 'r', 'a']],
    ['google-ai-studio', '/v1beta/models/g:streamGenerateContent?alt=sse', { contents: [{ parts: [{ text: 'a' }, { inlineData: {} }] }], systemInstruction: { parts: [{ text: 's' }] } }, ['a', 's']],
    ['google-vertex', '/v1/projects/p/locations/l/publishers/anthropic/models/c:rawPredict', { messages: [{ role: 'user', content: 'a' }] }, ['a']],
    ['aws-bedrock', '/bedrock-runtime/us-east-1/model/m/converse-stream', { messages: [{ content: [{ text: 'a' }] }], system: [{ text: 's' }] }, ['a', 's']],
    ['aws-bedrock', '/bedrock-runtime/us-east-1/model/m/invoke', { anthropic_version: 'bedrock-2023-05-31', messages: [{ role: 'user', content: 'a' }] }, ['a']],
  ] as const)('reads %s %s', (provider, path, body, expected) => {
    expect(texts(provider, path, body as Record<string, unknown>)).toEqual(expected);
  });

  it.each([
    ['openai', '/completions'],
    ['openai', '/audio/speech'],
    ['anthropic', '/v1/complete'],
    ['aws-bedrock', '/bedrock-runtime/us-east-1/model/amazon.titan/invoke'],
  ] as const)('knows no shape for %s %s', (provider, path) => {
    expect(texts(provider, path, { prompt: 'x' })).toBeNull();
  });

  it('redacts a copy of the body and sends its bytes; the caller’s request is untouched', () => {
    const original = request('/v1/messages', { model: 'c', messages: [{ role: 'user', content: MAIL }] });
    const checked = checkNativeRequest(redact, 'anthropic', original, builtInDetector);
    expect(JSON.parse(checked.request.body!.toString())).toEqual({ model: 'c', messages: [{ role: 'user', content: 'mail [EMAIL]' }] });
    expect(checked.request.json).toEqual({ model: 'c', messages: [{ role: 'user', content: 'mail [EMAIL]' }] });
    expect(checked.dlp).toMatchObject({ action: 'REDACT' });
    expect((original.json!['messages'] as { content: string }[])[0]!.content).toBe(MAIL);
  });

  it('blocks (2029), refuses what it cannot read (dlp_not_applicable) and passes a GET', () => {
    expect(() => checkNativeRequest(block, 'openai', request('/chat/completions', { messages: [{ role: 'user', content: MAIL }] }), builtInDetector)).toThrow(expect.objectContaining({ code: '2029' }));
    expect(() => checkNativeRequest(block, 'openai', request('/completions', { prompt: MAIL }), builtInDetector)).toThrow(expect.objectContaining({ code: 'dlp_not_applicable' }));
    expect(() => checkNativeRequest(block, 'openai', { ...request('/chat/completions', null), body: Buffer.from('x') }, builtInDetector)).toThrow(expect.objectContaining({ code: 'dlp_not_applicable' }));
    const get = request('/models', null, 'GET');
    expect(checkNativeRequest(block, 'openai', get, builtInDetector)).toEqual({ request: get, dlp: null });
  });

  it('reads the texts of JSON answers and of streams (SSE, a JSON array), the fragments joined', () => {
    expect(answerTexts({ choices: [{ message: { role: 'assistant', content: 'a', tool_calls: [{ function: { name: 'f', arguments: 'b' } }] } }], model: 'm' })).toEqual(['a', 'b']);
    expect(answerTexts({ content: [{ type: 'text', text: 'a' }], model: 'claude' })).toEqual(['a']);
    const sse = 'data: {"choices":[{"delta":{"content":"jane@exa"}}]}\n\ndata: {"choices":[{"delta":{"content":"mple.com"}}]}\n\ndata: [DONE]\n\n';
    expect(streamText('text/event-stream', Buffer.from(sse))).toBe('jane@example.com');
    expect(streamText('application/json', Buffer.from('[{"candidates":[{"content":{"parts":[{"text":"a"}]}}]},{"candidates":[{"content":{"parts":[{"text":"b"}]}}]}]'))).toBe('ab');
  });

  it('blocks an answer (2030); a stream is buffered and handed on whole', async () => {
    const meta = { provider: 'openai', model: 'm', connectionId: 'c', step: 0, attempts: 1, firstByteMs: 0 };
    const stream = (text: string): EndpointRawResult => ({
      kind: 'raw',
      contentType: 'text/event-stream',
      usage: null,
      meta,
      body: (async function* () {
        yield Buffer.from(`data: {"choices":[{"delta":{"content":"${text.slice(0, 5)}"}}]}\n\n`);
        yield Buffer.from(`data: {"choices":[{"delta":{"content":"${text.slice(5)}"}}]}\n\n`);
      })(),
    });
    await expect(checkNativeResponse(block, stream(MAIL), builtInDetector)).rejects.toMatchObject({ code: '2030' });
    const clean = stream('nothing here');
    expect(await checkNativeResponse(block, clean, builtInDetector)).toBeNull();
    const parts: Buffer[] = [];
    for await (const b of clean.body) parts.push(b);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.toString()).toContain('"nothi"');
    await expect(checkNativeResponse(block, { kind: 'json', body: { content: [{ type: 'text', text: MAIL }] }, usage: null, meta }, builtInDetector)).rejects.toMatchObject({ code: '2030' });
  });
});
