import type { ChatCompletionChunk } from '@switchyard/types';

/** A stream tail that yields the given batches, in their shape (a cached or buffered stream replayed). */
export async function* tailOf(batches: readonly ChatCompletionChunk[][]): AsyncGenerator<ChatCompletionChunk[], void, undefined> {
  for (const batch of batches) yield batch;
}

/** A body of bytes handed on in one piece (a cached or buffered provider stream). */
export async function* oneBuffer(bytes: Buffer): AsyncGenerator<Buffer, void, undefined> {
  yield bytes;
}
