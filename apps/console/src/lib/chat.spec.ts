import { createSseReader, requestMessages, responseMessages, sseText } from './chat';

describe('chat rendering and the playground stream', () => {
  it('turns stored bodies into chat lines', () => {
    expect(requestMessages({ model: 'm', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: {} }] }] })).toEqual([
      { role: 'system', text: 'be brief' },
      { role: 'user', text: 'hi\n[image]' },
    ]);
    expect(requestMessages({ input: 'x' })).toBeNull();
    expect(responseMessages({ choices: [{ message: { role: 'assistant', content: 'hello' } }] })).toEqual([{ role: 'assistant', text: 'hello' }]);
    expect(responseMessages('data: {"choices":[{"delta":{"content":"he"}}]}\n\ndata: {"choices":[{"delta":{"content":"llo"}}]}\n\ndata: [DONE]')).toEqual([{ role: 'assistant', text: 'hello' }]);
    expect(sseText('not sse')).toBeNull();
  });

  it('reads SSE split anywhere, keeps the incomplete tail, and throws an error event', () => {
    const read = createSseReader();
    expect(read('data: {"choices":[{"delta":{"content":"Hel"}}]}\n\ndata: {"choi')).toEqual({ deltas: ['Hel'], done: false });
    expect(read('ces":[{"delta":{"content":"lo"}}]}\r\n\r\n: comment\n\ndata: [DONE]\n\n')).toEqual({ deltas: ['lo'], done: true });
    expect(() => createSseReader()('data: {"error":{"message":"rate limited"}}\n\n')).toThrow('rate limited');
  });
});
