import { openaiAdapter } from '../openai';
import { openAICompatibleFamily } from './family';
import type { ProviderPathRequest } from '../shared/provider-path';
import type { AdapterContext, ByteTransform, UpstreamCall } from '../types';
import { hiddenUsageTransform, withIncludeUsage, withoutTopLevel } from './hidden-usage';

/** An OpenAI chat stream as the API writes it, with `include_usage` (usage:null members and the usage chunk) or without. */
function openAIStream(pieces: string[], includeUsage: boolean): string {
  const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', system_fingerprint: 'fp_1' };
  const extra = includeUsage ? { usage: null } : {};
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })}\n\n`;
  let out = chunk({ role: 'assistant', content: '', refusal: null });
  for (const p of pieces) out += chunk({ content: p });
  out += chunk({}, 'stop');
  if (includeUsage) out += `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } })}\n\n`;
  return out + 'data: [DONE]\n\n';
}

/** The transform's whole output for `input` fed `step` bytes at a time. */
function run(transform: ByteTransform, input: Buffer, step: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < input.length; i += step) parts.push(Buffer.from(transform.push(input.subarray(i, i + step))));
  parts.push(Buffer.from(transform.end()));
  return Buffer.concat(parts);
}

describe('hidden stream usage', () => {
  // Content that spells the member itself, a usage-only chunk and non-ASCII text: all JSON-escaped or multi-byte.
  const pieces = ['Hi ', ',"usage":null', ' "choices":[],"usage":{"prompt_tokens":1}', ' café 😀', '\n\ndata: x'];

  it.each([1, 7, 64, 100_000])('gives the bytes of the stream without include_usage, fed %i bytes at a time', (step) => {
    const out = run(hiddenUsageTransform(), Buffer.from(openAIStream(pieces, true)), step);
    expect(out.equals(Buffer.from(openAIStream(pieces, false)))).toBe(true);
  });

  it('keeps CRLF framing and a stream that ends without a final newline', () => {
    const crlf = openAIStream(['a'], true).replace(/\n/g, '\r\n');
    expect(run(hiddenUsageTransform(), Buffer.from(crlf), 5).toString()).toBe(openAIStream(['a'], false).replace(/\n/g, '\r\n'));
    expect(run(hiddenUsageTransform(), Buffer.from('data: {"a":1,"usage":null}'), 3).toString()).toBe('data: {"a":1}');
  });

  it('removes the member only at the top level of the object, never in a nested object or a string', () => {
    expect(withoutTopLevel('data: {"x":{"y":1,"usage":null},"usage":null}', ',"usage":null')).toBe('data: {"x":{"y":1,"usage":null}}');
    expect(withoutTopLevel('data: {"x":[{"usage":0,"usage":null}]}', ',"usage":null')).toBe('data: {"x":[{"usage":0,"usage":null}]}');
    const escaped = `data: ${JSON.stringify({ content: ',"usage":null' })}`;
    expect(withoutTopLevel(escaped, ',"usage":null')).toBe(escaped);
  });

  it('adds the one member to the body, every other byte as sent', () => {
    const body = Buffer.from(' {"model":"m",  "stream":true,"messages":[{"role":"user","content":"é {"}]}');
    const sent = withIncludeUsage(body, JSON.parse(body.toString()) as Record<string, unknown>);
    expect(sent.toString()).toBe(' {"stream_options":{"include_usage":true},"model":"m",  "stream":true,"messages":[{"role":"user","content":"é {"}]}');
    const own = { model: 'm', stream: true, stream_options: { include_usage: false, extra: 1 } };
    expect(JSON.parse(withIncludeUsage(Buffer.from(JSON.stringify(own)), own).toString())).toEqual({ ...own, stream_options: { include_usage: true, extra: 1 } });
  });
});

describe('provider-native chat stream usage', () => {
  const ctx = { target: { provider: 'openai', upstreamModel: 'gpt-4o-mini', baseUrl: 'http://127.0.0.1:1/v1', credentials: { api_key: 'sk-test' } }, stream: false, dropUnsupported: false } as AdapterContext<'openai'>;
  const request = (json: Record<string, unknown>, path = '/chat/completions'): ProviderPathRequest => ({ method: 'POST', path, body: Buffer.from(JSON.stringify(json)), json, headers: { 'content-type': 'application/json' } });
  const raw = (call: UpstreamCall) => (call.read === 'raw' ? call : null);

  it('asks for usage upstream and hides it when the client did not ask', async () => {
    const call = raw(await openaiAdapter.providerPath!(request({ model: 'gpt-4o-mini', stream: true, messages: [] }), ctx));
    expect(JSON.parse(String(call?.request.body))).toMatchObject({ stream_options: { include_usage: true } });
    expect(call).toMatchObject({ usageUpstream: true, transform: expect.any(Object) });
  });

  it('changes nothing when the client asked, on other paths, or for a provider without stream_options', async () => {
    const asked = request({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [] });
    const completions = request({ model: 'gpt-4o-mini', stream: true, prompt: 'x' }, '/completions');
    for (const r of [asked, completions]) {
      const call = raw(await openaiAdapter.providerPath!(r, ctx));
      expect(call?.request.body).toEqual(r.body);
      expect(call?.transform).toBeUndefined();
    }
    const mistral = raw(await openAICompatibleFamily.mistral.providerPath!(request({ model: 'm', stream: true, messages: [] }), { ...ctx, target: { ...ctx.target, provider: 'mistral' } } as never));
    expect(mistral?.transform).toBeUndefined();
  });
});
