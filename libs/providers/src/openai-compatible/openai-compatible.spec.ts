import type { ChatRequest } from '@switchyard/types';
import { openaiAdapter } from '../openai';
import type { AdapterContext } from '../types';

const ctx: AdapterContext<'openai'> = {
  target: { provider: 'openai', upstreamModel: 'gpt-4o-mini', baseUrl: 'http://127.0.0.1:1/v1', credentials: { api_key: 'sk-test' } },
  stream: true,
  dropUnsupported: false,
};

describe('OpenAI-compatible request', () => {
  it('forwards unknown fields, always asks for streamed usage, and drops Claude thinking_blocks from history', () => {
    const request: ChatRequest = {
      model: 'openai/gpt-4o-mini',
      vendor_extension: { keep: true },
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello', thinking_blocks: [{ type: 'thinking', thinking: 't', signature: 's' }] },
        { role: 'user', content: 'again' },
      ],
    };
    const upstream = openaiAdapter.buildRequest(request, ctx) as { url: string; headers: Record<string, string>; body: string };
    const body = JSON.parse(upstream.body) as ChatRequest;
    expect(upstream.url).toBe('http://127.0.0.1:1/v1/chat/completions');
    expect(upstream.headers['authorization']).toBe('Bearer sk-test');
    expect(body).toMatchObject({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, vendor_extension: { keep: true } });
    expect(body.messages[1]).toEqual({ role: 'assistant', content: 'hello' });
    // The caller's request object is left as it was.
    expect(request.messages[1]).toHaveProperty('thinking_blocks');
  });
});

describe('OpenAI-compatible metadata', () => {
  const bodyOf = (metadata: ChatRequest['metadata']) =>
    JSON.parse((openaiAdapter.buildRequest({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], metadata }, ctx) as { body: string }).body) as ChatRequest;

  it('forwards metadata in the form OpenAI defines (string values)', () => {
    expect(bodyOf({ user: 'u-1', tier: 'gold' }).metadata).toEqual({ user: 'u-1', tier: 'gold' });
  });

  it('keeps metadata with other values (recorded in the log) out of the upstream body', () => {
    expect(bodyOf({ user_id: 5 })).not.toHaveProperty('metadata');
    expect(bodyOf({ nested: { a: 'b' } })).not.toHaveProperty('metadata');
  });
});

describe('OpenAI-compatible base URL', () => {
  const url = (baseUrl: string | null) => (openaiAdapter.buildRequest({ model: 'x', messages: [{ role: 'user', content: 'q' }] }, { ...ctx, target: { ...ctx.target, baseUrl } }) as { url: string }).url;

  it('is the SDK baseURL ending in /v1 (+ /chat/completions); the default is the provider API', () => {
    expect(url(null)).toBe('https://api.openai.com/v1/chat/completions');
    expect(url('http://127.0.0.1:8000/v1/')).toBe('http://127.0.0.1:8000/v1/chat/completions');
  });
});
