import { versionedBase } from '../shared/base-url';
import { ALL_OPERATIONS, openAICompatibleAdapter } from '../openai-compatible';

/**
 * The Azure OpenAI base: the connection's base URL as the openai SDK's `AzureOpenAI` takes it as `baseURL`
 * (`https://{resource_name}.openai.azure.com/openai`); a base saved without `/openai` (the resource endpoint,
 * the earlier form) gets it appended. Without a base URL, the resource name gives the endpoint.
 */
export const azureApiBase = (baseUrl: string | null, resourceName: string): string =>
  versionedBase(baseUrl, `https://${resourceName}.openai.azure.com`, 'openai', /\/openai$/);

/**
 * Azure OpenAI: `{base}/deployments/{deployment}/chat/completions?api-version=…` (and `/embeddings`, `/completions`,
 * `/images/generations`, `/audio/speech`, `/audio/transcriptions`) with an `api-key` header. The model part of the
 * name is the deployment, so bodies carry no model. `/v1/responses` is passed through to `{base}/v1/responses` (Azure's
 * v1 API, which takes no api-version) with the deployment as `model`.
 */
export const azureOpenAIAdapter = openAICompatibleAdapter({
  id: 'azure-openai',
  baseUrl: null,
  acceptsMetadata: true,
  authHeaders: (c) => ({ 'api-key': c.api_key }),
  adjust: (body) => {
    delete body['model'];
  },
  url: (_base, ctx, path) => {
    const c = ctx.target.credentials;
    const deployment = encodeURIComponent(ctx.target.upstreamModel);
    return `${azureApiBase(ctx.target.baseUrl, c.resource_name)}/deployments/${deployment}${path}?api-version=${encodeURIComponent(c.api_version)}`;
  },
  // Cloudflare's `/{resource_name}/{deployment_name}/{path}?api-version=…`: the connection's endpoint (the resource in the path
  // is not trusted to pick a host), the deployment and the client's api-version (the connection's when the query has none).
  pathUrl: (ctx, path) => {
    const c = ctx.target.credentials;
    const q = path.indexOf('?');
    const [, , deployment = '', ...rest] = (q < 0 ? path : path.slice(0, q)).split('/');
    const query = new URLSearchParams(q < 0 ? '' : path.slice(q + 1));
    query.delete('key');
    if (!query.has('api-version')) query.set('api-version', c.api_version);
    return `${azureApiBase(ctx.target.baseUrl, c.resource_name)}/deployments/${deployment}/${rest.join('/')}?${query.toString()}`;
  },
  operations: { offers: ALL_OPERATIONS, modelInBody: false },
  // The Responses API is on Azure's v1 API (`{base}/v1/responses`, no api-version), the deployment as `model`.
  responses: { url: (ctx) => `${azureApiBase(ctx.target.baseUrl, ctx.target.credentials.resource_name)}/v1/responses` },
});
