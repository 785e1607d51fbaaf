import type { ChatRequest } from '@switchyard/types';
import { CHARS_PER_TOKEN, estimateInputTokens, TOKENS_PER_IMAGE, TOKENS_PER_MESSAGE } from './count-tokens';

describe('estimateInputTokens', () => {
  it('counts characters of texts, tool calls and tool definitions, per-message framing and images', () => {
    const request: ChatRequest = {
      model: 'm',
      messages: [
        { role: 'system', content: 'x'.repeat(40) },
        { role: 'user', content: [{ type: 'text', text: 'y'.repeat(20) }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'abcd', arguments: '{"a":1}' } }] },
      ],
      tools: [{ type: 'function', function: { name: 't', parameters: { type: 'object' } } }],
    };
    const toolChars = JSON.stringify({ name: 't', parameters: { type: 'object' } }).length;
    const chars = 40 + 20 + 4 + 7 + toolChars;
    expect(estimateInputTokens(request)).toBe(Math.ceil(chars / CHARS_PER_TOKEN) + 3 * TOKENS_PER_MESSAGE + TOKENS_PER_IMAGE);
  });
});
