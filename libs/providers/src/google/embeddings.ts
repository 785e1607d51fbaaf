import type { EmbeddingsRequest } from '@switchyard/types';
import { batches, embeddingsAnswer, embeddingTexts } from '../shared/embeddings';
import type { AdapterContext, UpstreamCall, UpstreamRequest } from '../types';

/** Most requests one `batchEmbedContents` call may carry (the Gemini API refuses more). */
export const GEMINI_EMBED_BATCH_LIMIT = 100;

type GeminiEmbedding = { values: number[] };

/**
 * Gemini embeddings: one text with `models/{m}:embedContent` (`{content:{parts:[{text}]}, outputDimensionality}` →
 * `{embedding:{values}}`), several with `:batchEmbedContents` (`{requests:[{model, content, outputDimensionality}]}`
 * → `{embeddings:[{values}]}`), split into calls of at most 100 and recombined in order. The API reports no
 * token count, so the usage is null (no cost is made up).
 */
export function geminiEmbeddings(request: EmbeddingsRequest, ctx: AdapterContext, modelUrl: string, headers: Record<string, string>): UpstreamCall {
  const texts = embeddingTexts(request.input, 'Gemini');
  const dims = request.dimensions !== undefined ? { outputDimensionality: request.dimensions } : {};
  const content = (text: string) => ({ parts: [{ text }] });
  const post = (method: string, body: unknown): UpstreamRequest => ({ url: `${modelUrl}:${method}`, headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body: JSON.stringify(body) });
  const model = ctx.target.upstreamModel;
  if (typeof request.input === 'string') {
    return {
      read: 'json',
      requests: [post('embedContent', { content: content(texts[0]!), ...dims })],
      combine: ([answer]) => embeddingsAnswer([(answer!.body as { embedding: GeminiEmbedding }).embedding.values], model, request.encoding_format, null),
    };
  }
  const name = `models/${model.replace(/^models\//, '')}`;
  return {
    read: 'json',
    requests: batches(texts, GEMINI_EMBED_BATCH_LIMIT).map((group) => post('batchEmbedContents', { requests: group.map((text) => ({ model: name, content: content(text), ...dims })) })),
    combine: (answers) =>
      embeddingsAnswer(
        answers.flatMap((a) => (a.body as { embeddings: GeminiEmbedding[] }).embeddings.map((e) => e.values)),
        model,
        request.encoding_format,
        null,
      ),
  };
}
