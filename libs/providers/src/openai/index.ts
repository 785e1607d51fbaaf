import { bearer, openAICompatibleAdapter } from '../openai-compatible';

/** OpenAI: the reference wire format. `organization`/`project` credentials become the OpenAI-Organization/-Project headers. */
export const openaiAdapter = openAICompatibleAdapter({
  id: 'openai',
  baseUrl: 'https://api.openai.com/v1',
  acceptsMetadata: true,
  authHeaders: (c) => ({
    ...bearer(c),
    ...(typeof c['organization'] === 'string' ? { 'openai-organization': c['organization'] } : {}),
    ...(typeof c['project'] === 'string' ? { 'openai-project': c['project'] } : {}),
  }),
});
