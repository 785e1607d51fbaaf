import type { ChatRequest } from '@switchyard/types';
import { CLAUDE_TOKENS_PER_IMAGE, estimateInputTokens } from './count-tokens';
import { estimateEndpointInputTokens, estimatePromptTokens, TOKENS_PER_MESSAGE } from './estimate';
import { countTextTokens, MAX_EXACT_CHARS } from './token-count';

describe('countTextTokens (o200k_base)', () => {
  it('counts as OpenAI tokenizes: "hello world" is 2 tokens, split or not', () => {
    expect(countTextTokens(['hello world'])).toBe(2);
    expect(countTextTokens(['hello', ' world'])).toBe(2);
    expect(countTextTokens([])).toBe(0);
    expect(countTextTokens([''])).toBe(0);
  });

  it('counts a long run without spaces quickly (chunked) and never under the exact count', () => {
    const started = performance.now();
    const tokens = countTextTokens(['a'.repeat(200_000)]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(tokens).toBeGreaterThan(200_000 / 16);
  });

  it('extrapolates past MAX_EXACT_CHARS at the ratio seen so far', () => {
    const prose = 'The quick brown fox jumps over the lazy dog. ';
    const exact = prose.repeat(Math.ceil(MAX_EXACT_CHARS / prose.length)).slice(0, MAX_EXACT_CHARS);
    const once = countTextTokens([exact]);
    expect(countTextTokens([exact, exact])).toBeGreaterThanOrEqual(2 * once - 1);
    expect(countTextTokens([exact, exact])).toBeLessThanOrEqual(2 * once + 1);
  });
});

describe('estimatePromptTokens', () => {
  it('tokenizes message text, tool calls and tool definitions; per-message framing; images flat', () => {
    const text: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hello world' }] };
    expect(estimatePromptTokens(text)).toBe(TOKENS_PER_MESSAGE + 2);
    const tools: ChatRequest = { ...text, tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] };
    expect(estimatePromptTokens(tools)).toBe(TOKENS_PER_MESSAGE + 2 + countTextTokens([JSON.stringify(tools.tools)]));
    const image: ChatRequest = { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] };
    expect(estimatePromptTokens(image)).toBe(TOKENS_PER_MESSAGE + 765);
  });

  it('counts another endpoint input with the same tokenizer', () => {
    expect(estimateEndpointInputTokens({ input: 'hello world' })).toBe(2);
    expect(estimateEndpointInputTokens({ input: ['hello', 'world'] })).toBe(countTextTokens(['["hello","world"]']));
    expect(estimateEndpointInputTokens({})).toBe(0);
  });
});

describe('estimateInputTokens (count_tokens)', () => {
  it('tokenizes texts, tool calls and tool definitions, plus per-message framing and images', () => {
    const request: ChatRequest = {
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'hello world' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'abcd', arguments: '{"a":1}' } }] },
      ],
      tools: [{ type: 'function', function: { name: 't', parameters: { type: 'object' } } }],
    };
    const texts = ['Be brief.', 'hello world', 'abcd', '{"a":1}', JSON.stringify({ name: 't', parameters: { type: 'object' } })];
    expect(estimateInputTokens(request)).toBe(countTextTokens(texts) + 3 * TOKENS_PER_MESSAGE + CLAUDE_TOKENS_PER_IMAGE);
    expect(countTextTokens(texts)).toBeGreaterThan(10);
  });
});
