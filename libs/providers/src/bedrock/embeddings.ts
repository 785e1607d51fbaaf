import type { EmbeddingsRequest } from '@switchyard/types';
import { batches, embeddingsAnswer, embeddingTexts, refuseUnlessDropped, sumReported } from '../shared/embeddings';
import { UnsupportedParameterError, type AdapterContext, type UpstreamAnswer, type UpstreamCall, type UpstreamRequest } from '../types';

/** Most texts one Cohere Embed invocation may carry on Bedrock. */
export const COHERE_EMBED_BATCH_LIMIT = 96;

/** Builds one signed `InvokeModel` request (`POST {base}/model/{id}/invoke`) of a JSON body. */
export type InvokeBuilder = (body: unknown) => Promise<UpstreamRequest>;

/** The input token count Bedrock reports in the `x-amzn-bedrock-input-token-count` header. */
function headerTokens(answer: UpstreamAnswer): number | null {
  const v = answer.headers['x-amzn-bedrock-input-token-count'];
  const n = Number(Array.isArray(v) ? v[0] : v);
  return v !== undefined && Number.isFinite(n) ? n : null;
}

/**
 * Bedrock embeddings through InvokeModel, in each model family's own body: Titan Text Embeddings
 * (`{inputText, dimensions?}` → `{embedding, inputTextTokenCount}`, one text per call) and Cohere Embed
 * (`{texts, input_type}` → `{embeddings}`, at most 96 texts per call). Inputs are split accordingly and the
 * vectors recombined in input order; the token counts are summed.
 */
export async function bedrockEmbeddings(request: EmbeddingsRequest, ctx: AdapterContext<'aws-bedrock'>, invoke: InvokeBuilder): Promise<UpstreamCall> {
  const model = ctx.target.upstreamModel;
  const texts = embeddingTexts(request.input, 'Bedrock');
  if (/^([a-z]+\.)?amazon\.titan-embed/.test(model)) {
    const v1 = /titan-embed-text-v1/.test(model);
    if (v1 && request.dimensions !== undefined) refuseUnlessDropped('dimensions', `'dimensions' is not supported by ${model}.`, ctx);
    const dims = request.dimensions !== undefined && !v1 ? { dimensions: request.dimensions } : {};
    return {
      read: 'json',
      requests: await Promise.all(texts.map((inputText) => invoke({ inputText, ...dims }))),
      combine: (answers) => {
        const bodies = answers.map((a) => a.body as { embedding: number[]; inputTextTokenCount?: number });
        const tokens = sumReported(bodies.map((b) => (typeof b.inputTextTokenCount === 'number' ? b.inputTextTokenCount : null)));
        return embeddingsAnswer(
          bodies.map((b) => b.embedding),
          model,
          request.encoding_format,
          tokens,
        );
      },
    };
  }
  if (/^([a-z]+\.)?cohere\.embed/.test(model)) {
    if (request.dimensions !== undefined) refuseUnlessDropped('dimensions', `'dimensions' is not supported by ${model}.`, ctx);
    // Cohere's own field, accepted when the client sends it (OpenAI has no equivalent); documents by default.
    const inputType = typeof request['input_type'] === 'string' ? request['input_type'] : 'search_document';
    return {
      read: 'json',
      requests: await Promise.all(batches(texts, COHERE_EMBED_BATCH_LIMIT).map((group) => invoke({ texts: group, input_type: inputType }))),
      combine: (answers) =>
        embeddingsAnswer(
          answers.flatMap((a) => (a.body as { embeddings: number[][] }).embeddings),
          model,
          request.encoding_format,
          sumReported(answers.map(headerTokens)),
        ),
    };
  }
  throw new UnsupportedParameterError('model', `Bedrock embeddings are offered for Amazon Titan and Cohere Embed models, not ${model}.`);
}
