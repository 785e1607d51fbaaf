import type { ChatCompletionChunk } from '@switchyard/types';

/** A stream tail that yields the given batches, in their shape (a cached or buffered stream replayed). */
export async function* tailOf(batches: readonly ChatCompletionChunk[][]): AsyncGenerator<ChatCompletionChunk[], void, undefined> {
  for (const batch of batches) yield batch;
}
