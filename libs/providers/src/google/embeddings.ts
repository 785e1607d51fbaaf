import type { EmbeddingsRequest } from '@switchyard/types';
import { batches, embeddingsAnswer, embeddingTexts, sumReported } from '../shared/embeddings';
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

/** Most instances one Vertex `:predict` call takes: text-embedding models 250, gemini-embedding-001 one. */
export const vertexEmbedBatchLimit = (model: string): number => (/^gemini-embedding/.test(model) ? 1 : 250);

type VertexPrediction = { embeddings: { values: number[]; statistics?: { token_count?: number } } };

/**
 * Vertex AI embeddings: `publishers/google/models/{m}:predict` with `{instances:[{content}], parameters:{outputDimensionality}}`
 * → `{predictions:[{embeddings:{values, statistics:{token_count}}}]}`, split at the model's instance limit and
 * recombined in order; the token counts are summed.
 */
export function vertexEmbeddings(request: EmbeddingsRequest, ctx: AdapterContext, modelUrl: string, headers: Record<string, string>): UpstreamCall {
  const texts = embeddingTexts(request.input, 'Vertex AI');
  const parameters = request.dimensions !== undefined ? { parameters: { outputDimensionality: request.dimensions } } : {};
  const model = ctx.target.upstreamModel;
  return {
    read: 'json',
    requests: batches(texts, vertexEmbedBatchLimit(model)).map((group) => ({
      url: `${modelUrl}:predict`,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify({ instances: group.map((content) => ({ content })), ...parameters }),
    })),
    combine: (answers) => {
      const predictions = answers.flatMap((a) => (a.body as { predictions: VertexPrediction[] }).predictions);
      const counts = predictions.map((p) => (typeof p.embeddings.statistics?.token_count === 'number' ? p.embeddings.statistics.token_count : null));
      return embeddingsAnswer(
        predictions.map((p) => p.embeddings.values),
        model,
        request.encoding_format,
        sumReported(counts),
      );
    },
  };
}
