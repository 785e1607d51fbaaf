import type { EndpointRawResult } from '../executor';
import { cachedMeta, type CacheEntry } from './response-cache';

/** An SSE error event (Anthropic's `event: error`, OpenAI's `data: {"error"…}`) or an AWS event-stream exception frame. */
const ERROR_MARKS = [Buffer.from('event: error'), Buffer.from('data: {"error"'), Buffer.from('\x07\x00\x09exception', 'latin1')];

/**
 * Records a provider's own stream (a provider-native path) as its bytes pass to the client, and hands its entry to
 * `done` only when it ended cleanly: the upstream body finished without a failure, the client read it to the end,
 * it fits in `maxBytes` and it carries no error event or exception frame; `abandoned` otherwise. Wraps
 * `result.body` in place.
 */
export function captureRaw(result: EndpointRawResult, maxBytes: number, done: (entry: CacheEntry) => void, abandoned: () => void): void {
  const body = result.body;
  result.body = (async function* () {
    const parts: Buffer[] = [];
    let size = 0;
    let clean = false;
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size <= maxBytes) parts.push(chunk);
        yield chunk;
      }
      clean = size <= maxBytes;
    } finally {
      const bytes = clean ? Buffer.concat(parts, size) : null;
      if (bytes && !ERROR_MARKS.some((mark) => bytes.includes(mark))) done({ kind: 'raw', contentType: result.contentType, body: bytes.toString('base64'), meta: cachedMeta(result.meta) });
      else abandoned();
    }
  })();
}
