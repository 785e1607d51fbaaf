import type { AdapterContext } from '../types';
import { azureApiBase, azureOpenAIAdapter } from './index';

const ctx = (baseUrl: string | null): AdapterContext<'azure-openai'> => ({
  target: { provider: 'azure-openai', upstreamModel: 'gpt-4o', baseUrl, credentials: { api_key: 'az-key', resource_name: 'acme', api_version: '2024-10-21' } },
  stream: false,
  dropUnsupported: false,
});
const url = (baseUrl: string | null) => (azureOpenAIAdapter.buildRequest({ model: 'x', messages: [{ role: 'user', content: 'q' }] }, ctx(baseUrl)) as { url: string }).url;

describe('Azure OpenAI base URL', () => {
  it('is the SDK baseURL (…/openai); without one, the resource endpoint; a stored resource endpoint still works', () => {
    expect(url(null)).toBe('https://acme.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
    expect(url('https://proxy.example.com/openai/')).toBe('https://proxy.example.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
    expect(url('https://acme.openai.azure.com')).toBe('https://acme.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
    expect(azureApiBase(null, 'acme')).toBe('https://acme.openai.azure.com/openai');
  });

  it('sends the key in api-key and no model in the body', () => {
    const up = azureOpenAIAdapter.buildRequest({ model: 'x', messages: [{ role: 'user', content: 'q' }] }, ctx(null)) as { headers: Record<string, string>; body: string };
    expect(up.headers['api-key']).toBe('az-key');
    expect(JSON.parse(up.body)).not.toHaveProperty('model');
  });
});
