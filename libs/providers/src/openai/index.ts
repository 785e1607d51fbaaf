import { MAX_EMBEDDING_INPUTS } from '@switchyard/types';
import { ALL_OPERATIONS, bearer, openAICompatibleAdapter } from '../openai-compatible';

/** OpenAI: the reference wire format. `organization`/`project` credentials become the OpenAI-Organization/-Project headers. */
export const openaiAdapter = openAICompatibleAdapter({
  id: 'openai',
  baseUrl: 'https://api.openai.com/v1',
  acceptsMetadata: true,
  responses: {},
  operations: { offers: ALL_OPERATIONS, embeddingBatchLimit: MAX_EMBEDDING_INPUTS },
  authHeaders: (c) => ({
    ...bearer(c),
    ...(c.organization ? { 'openai-organization': c.organization } : {}),
    ...(c.project ? { 'openai-project': c.project } : {}),
  }),
});
