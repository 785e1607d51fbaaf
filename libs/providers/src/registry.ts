import type { ProviderId } from '@switchyard/types';
import { anthropicAdapter } from './anthropic';
import { azureOpenAIAdapter } from './azure-openai';
import { createBedrockAdapter } from './bedrock';
import { createGeminiAdapter, createVertexAdapter } from './google';
import { openaiAdapter } from './openai';
import { openAICompatibleFamily } from './openai-compatible/family';
import type { ImageFetcher } from './shared/images';
import type { ProviderAdapter } from './types';

export interface AdapterRegistryOptions {
  /**
   * Fetches http(s) image URLs for providers that take only inline bytes (Gemini, Vertex Gemini, Bedrock).
   * Required, with no default: the router injects its SSRF-guarded fetcher, tests a stub.
   */
  fetchImage: ImageFetcher;
}

export type AdapterLookup = (provider: ProviderId) => ProviderAdapter | undefined;

/** Every provider adapter by id. Adding a provider is adding a folder and a line here. */
export function createAdapterRegistry(options: AdapterRegistryOptions): AdapterLookup {
  const { fetchImage } = options;
  const adapters: { [P in ProviderId]?: ProviderAdapter<P> } = {
    openai: openaiAdapter,
    'azure-openai': azureOpenAIAdapter,
    anthropic: anthropicAdapter,
    'google-ai-studio': createGeminiAdapter({ fetchImage }),
    'google-vertex': createVertexAdapter({ fetchImage }),
    'aws-bedrock': createBedrockAdapter({ fetchImage }),
    ...openAICompatibleFamily,
  };
  return (provider) => adapters[provider];
}

export function supportedProviders(): ProviderId[] {
  return (['openai', 'azure-openai', 'anthropic', 'google-ai-studio', 'google-vertex', 'aws-bedrock'] as ProviderId[]).concat(Object.keys(openAICompatibleFamily) as ProviderId[]);
}
