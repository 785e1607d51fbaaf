import type { EndpointRawResult } from '../executor';
import { captureRaw } from './raw-capture';
import type { CacheEntry } from './response-cache';

async function* parts(...chunks: string[]): AsyncGenerator<Buffer, void, undefined> {
  for (const c of chunks) yield Buffer.from(c, 'latin1');
}

function captured(body: AsyncGenerator<Buffer, void, undefined>, maxBytes = 1000): { result: EndpointRawResult; outcome: () => CacheEntry | 'abandoned' | null } {
  const result: EndpointRawResult = { kind: 'raw', contentType: 'text/event-stream', body, usage: null, meta: { provider: 'openai', model: 'm', connectionId: 'c', step: 0, attempts: 1, firstByteMs: 1 } };
  let outcome: CacheEntry | 'abandoned' | null = null;
  captureRaw(result, maxBytes, (entry) => (outcome = entry), () => (outcome = 'abandoned'));
  return { result, outcome: () => outcome };
}

const drain = async (body: AsyncIterable<Buffer>) => {
  const out: Buffer[] = [];
  for await (const b of body) out.push(b);
  return Buffer.concat(out).toString('latin1');
};

describe('captureRaw', () => {
  it('stores the exact bytes of a stream read to its end, with its content type', async () => {
    const { result, outcome } = captured(parts('data: {"a":1}\n\n', 'data: [DONE]\n\n'));
    expect(await drain(result.body)).toBe('data: {"a":1}\n\ndata: [DONE]\n\n');
    const entry = outcome() as CacheEntry & { kind: 'raw' };
    expect(entry).toMatchObject({ kind: 'raw', contentType: 'text/event-stream', meta: { provider: 'openai', model: 'm', connectionId: 'c' } });
    expect(Buffer.from(entry.body, 'base64').toString()).toBe('data: {"a":1}\n\ndata: [DONE]\n\n');
  });

  it.each([
    ['an SSE error event', ['event: error\ndata: {"type":"error"}\n\n']],
    ["OpenAI's in-stream error", ['data: {"error":{"message":"x"}}\n\n']],
    ['an AWS event-stream exception frame', ['\x00\x00\x07\x00\x09exception']],
  ])('abandons a stream carrying %s', async (_name, chunks) => {
    const { result, outcome } = captured(parts('data: {"a":1}\n\n', ...chunks));
    await drain(result.body);
    expect(outcome()).toBe('abandoned');
  });

  it('abandons a stream larger than the limit, one that failed, and one the client stopped reading', async () => {
    const big = captured(parts('x'.repeat(10), 'y'.repeat(10)), 15);
    expect(await drain(big.result.body)).toBe('x'.repeat(10) + 'y'.repeat(10));
    expect(big.outcome()).toBe('abandoned');
    const failing = captured(
      (async function* () {
        yield Buffer.from('data: 1\n\n');
        throw new Error('cut');
      })(),
    );
    await expect(drain(failing.result.body)).rejects.toThrow('cut');
    expect(failing.outcome()).toBe('abandoned');
    const left = captured(parts('a', 'b'));
    for await (const _ of left.result.body) break;
    expect(left.outcome()).toBe('abandoned');
  });
});
