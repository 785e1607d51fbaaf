import { openAICompatibleAdapter } from '../openai-compatible';

/**
 * Azure OpenAI: `https://{resource_name}.openai.azure.com/openai/deployments/{deployment}/chat/completions?api-version=…`
 * with an `api-key` header. The model part of the name is the deployment; a connection `base_url`
 * replaces the resource endpoint (for proxies and sovereign clouds).
 */
export const azureOpenAIAdapter = openAICompatibleAdapter({
  id: 'azure-openai',
  baseUrl: null,
  acceptsMetadata: true,
  authHeaders: (c) => ({ 'api-key': String(c['api_key'] ?? '') }),
  adjust: (body) => {
    delete body['model'];
  },
  url: (_base, ctx) => {
    const c = ctx.target.credentials;
    const endpoint = (ctx.target.baseUrl ?? `https://${String(c['resource_name'])}.openai.azure.com`).replace(/\/+$/, '');
    const deployment = encodeURIComponent(ctx.target.upstreamModel);
    return `${endpoint}/openai/deployments/${deployment}/chat/completions?api-version=${encodeURIComponent(String(c['api_version']))}`;
  },
});
