import type { EmbeddingsRequest, EndpointJsonOutput } from '@switchyard/types';
import { UnsupportedParameterError, type AdapterContext } from '../types';

/** One input of an embeddings request: a text, or a token array. */
export type EmbeddingInput = string | number[];

/** The request's inputs as a list (a single string or token array is one input). */
export function embeddingInputs(input: EmbeddingsRequest['input']): EmbeddingInput[] {
  if (typeof input === 'string') return [input];
  if (input.length > 0 && typeof input[0] === 'number') return [input as number[]];
  return input as EmbeddingInput[];
}

/** The inputs as texts, for providers that take no token arrays (a 400 naming `input` otherwise). */
export function embeddingTexts(input: EmbeddingsRequest['input'], provider: string): string[] {
  const inputs = embeddingInputs(input);
  if (inputs.some((i) => typeof i !== 'string')) throw new UnsupportedParameterError('input', `${provider} embeds text only: send 'input' as a string or an array of strings.`);
  return inputs as string[];
}

/** Splits `items` into consecutive groups of at most `size` (the provider's batch limit), order kept. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A vector as the client asked for it: floats, or base64 of little-endian float32 (what OpenAI sends). */
export function encodeEmbedding(values: readonly number[], format: EmbeddingsRequest['encoding_format']): number[] | string {
  if (format !== 'base64') return values as number[];
  const floats = Float32Array.from(values);
  const bytes = new Uint8Array(floats.buffer);
  // Float32Array is in the platform's byte order; the wire format is little-endian.
  if (!LITTLE_ENDIAN) for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  return Buffer.from(bytes).toString('base64');
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The OpenAI embeddings answer of vectors in input order; `promptTokens` null when the provider reported none. */
export function embeddingsAnswer(vectors: readonly (readonly number[])[], model: string, format: EmbeddingsRequest['encoding_format'], promptTokens: number | null): EndpointJsonOutput {
  return {
    body: {
      object: 'list',
      data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: encodeEmbedding(v, format) })),
      model,
      usage: { prompt_tokens: promptTokens ?? 0, total_tokens: promptTokens ?? 0 },
    },
    usage: promptTokens === null ? null : { prompt_tokens: promptTokens, completion_tokens: 0, total_tokens: promptTokens },
  };
}

/** A parameter this provider cannot honour for this model: left out with `x-gateway-drop-unsupported: true`, else a 400 naming it. */
export function refuseUnlessDropped(param: string, why: string, ctx: AdapterContext): void {
  if (!ctx.dropUnsupported) throw new UnsupportedParameterError(param, `${why} Send x-gateway-drop-unsupported: true to drop it.`);
}

/** Sums the counts of the answers that reported one (null when none did). */
export function sumReported(counts: readonly (number | null)[]): number | null {
  let total: number | null = null;
  for (const c of counts) if (c !== null) total = (total ?? 0) + c;
  return total;
}
