import type { ChatCompletionChunk } from '@switchyard/types';
import { continuation } from './live-fill';

const chunk = (id: string, content: string): ChatCompletionChunk => ({ id, object: 'chat.completion.chunk', created: id.length, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
async function* batches(...all: ChatCompletionChunk[][]) {
  for (const b of all) yield b;
}
const collect = async (it: AsyncIterable<ChatCompletionChunk[]>) => {
  const out: ChatCompletionChunk[][] = [];
  for await (const b of it) out.push(b);
  return out;
};
const mismatch = () => new Error('mismatch');

describe('continuation (a waiter whose fill failed mid-stream continues with its own call)', () => {
  it('skips what the client already got, whatever the batching, and continues under the relayed id', async () => {
    const relayed = [chunk('a', 'one '), chunk('a', 'two ')];
    const own = batches([chunk('bb', 'one ')], [chunk('bb', 'two '), chunk('bb', 'three')], [chunk('bb', '!')]);
    expect(await collect(continuation(relayed, own, mismatch))).toEqual([[{ ...chunk('bb', 'three'), id: 'a', created: 1 }], [{ ...chunk('bb', '!'), id: 'a', created: 1 }]]);
  });

  it('refuses an answer that does not repeat what was sent, or is shorter than it', async () => {
    await expect(collect(continuation([chunk('a', 'one ')], batches([chunk('b', 'uno ')]), mismatch))).rejects.toThrow('mismatch');
    await expect(collect(continuation([chunk('a', 'one '), chunk('a', 'two')], batches([chunk('b', 'one ')]), mismatch))).rejects.toThrow('mismatch');
  });
});
