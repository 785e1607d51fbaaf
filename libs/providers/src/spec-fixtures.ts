import type { ChatCompletionChunk, ChatRequest, ProviderId } from '@switchyard/types';
import type { AdapterContext, StreamDecoder } from './types';

/**
 * Shared fixtures of the provider specs (one spec beside each provider folder). The context carries one bag of
 * credentials that serves every provider (an API key and AWS keys); its provider is inferred from the adapter.
 */
export const ctx = <P extends ProviderId>(provider: string, model: string, extra: Partial<AdapterContext> = {}): AdapterContext<P> =>
  ({
    target: { provider, upstreamModel: model, baseUrl: null, credentials: { api_key: 'k', access_key_id: 'AKIAEXAMPLEEXAMPLE1', secret_access_key: 'secretsecretsecretsecret', region: 'us-east-1' } },
    stream: false,
    dropUnsupported: false,
    ...extra,
  }) as unknown as AdapterContext<P>;
const enc = (s: string) => new TextEncoder().encode(s);
export const feed = (d: StreamDecoder, parts: (string | Uint8Array)[]) => {
  const out: ChatCompletionChunk[] = [];
  for (const p of parts) out.push(...d.push(typeof p === 'string' ? enc(p) : p));
  out.push(...d.end());
  return out;
};
export const body = async (p: Promise<{ body: unknown }> | { body: unknown }) => JSON.parse(String((await p).body)) as Record<string, unknown>;

export const CONVERSATION: ChatRequest = {
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

/** A Claude tool-use turn with signed and redacted thinking (Anthropic and Bedrock specs). */
export const BLOCKS = [
  { type: 'thinking', thinking: 'Paris first.', signature: 'EqQBsig==' },
  { type: 'redacted_thinking', data: 'EmwKAhgB' },
] as const;
export const TURN: ChatRequest = {
  model: 'x',
  reasoning_effort: 'low',
  messages: [
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: null, thinking_blocks: [...BLOCKS], tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
  ],
  tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
};
