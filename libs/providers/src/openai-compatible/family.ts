import type { ChatRequest } from '@switchyard/types';
import type { ProviderAdapter } from '../types';
import { ALL_OPERATIONS, bearer, openAICompatibleAdapter, type OpenAICompatibleId } from './index';

const has = (r: ChatRequest, k: keyof ChatRequest) => r[k] !== undefined && r[k] !== null;

/** Small configurations over the OpenAI-compatible base, one per provider. */
export const openAICompatibleFamily: { [P in Exclude<OpenAICompatibleId, 'openai' | 'azure-openai'>]: ProviderAdapter<P> } = {
  groq: openAICompatibleAdapter({
    id: 'groq',
    baseUrl: 'https://api.groq.com/openai/v1',
    authHeaders: bearer,
    unsupported: (r) => [...(has(r, 'n') && r.n !== 1 ? ['n'] : []), ...(r.logprobs ? ['logprobs'] : []), ...(has(r, 'top_logprobs') ? ['top_logprobs'] : [])],
    operations: { offers: ['speech', 'transcription'] },
  }),
  mistral: openAICompatibleAdapter({
    id: 'mistral',
    baseUrl: 'https://api.mistral.ai/v1',
    authHeaders: bearer,
    // Mistral sends usage on the last chunk unasked and rejects unknown fields such as stream_options.
    streamOptions: false,
    // Mistral's embeddings answer floats and name the size `output_dimension`.
    operations: { offers: ['embeddings'], floatEmbeddingsOnly: true, dimensionsField: 'output_dimension' },
    unsupported: (r) => [...(r.logprobs ? ['logprobs'] : []), ...(has(r, 'top_logprobs') ? ['top_logprobs'] : [])],
    adjust: (body) => {
      if (body['seed'] !== undefined) {
        body['random_seed'] = body['seed'];
        delete body['seed'];
      }
      delete body['user'];
    },
  }),
  deepseek: openAICompatibleAdapter({ id: 'deepseek', baseUrl: 'https://api.deepseek.com/v1', authHeaders: bearer }),
  xai: openAICompatibleAdapter({ id: 'xai', baseUrl: 'https://api.x.ai/v1', authHeaders: bearer, operations: { offers: ['images'] } }),
  together: openAICompatibleAdapter({ id: 'together', baseUrl: 'https://api.together.xyz/v1', authHeaders: bearer, operations: { offers: ALL_OPERATIONS } }),
  fireworks: openAICompatibleAdapter({ id: 'fireworks', baseUrl: 'https://api.fireworks.ai/inference/v1', authHeaders: bearer, operations: { offers: ['embeddings', 'completions'] } }),
  openrouter: openAICompatibleAdapter({ id: 'openrouter', baseUrl: 'https://openrouter.ai/api/v1', authHeaders: bearer, operations: { offers: ['embeddings', 'completions'] } }),
  ollama: openAICompatibleAdapter({ id: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1', authHeaders: bearer, operations: { offers: ['embeddings', 'completions'] } }),
  vllm: openAICompatibleAdapter({ id: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', authHeaders: bearer, operations: { offers: ['embeddings', 'completions', 'transcription'] } }),
  'openai-compatible': openAICompatibleAdapter({ id: 'openai-compatible', baseUrl: null, authHeaders: bearer, operations: { offers: ALL_OPERATIONS } }),
};
