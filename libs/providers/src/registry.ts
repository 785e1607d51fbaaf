import type { ProviderId } from '@switchyard/types';
import { anthropicAdapter } from './anthropic';
import { azureOpenAIAdapter } from './azure-openai';
import { bedrockAdapter, createBedrockAdapter } from './bedrock';
import { createGeminiAdapter, createVertexAdapter, geminiAdapter, vertexAdapter } from './google';
import { openaiAdapter } from './openai';
import { openAICompatibleFamily } from './openai-compatible/family';
import type { ImageFetcher } from './shared/images';
import type { ProviderAdapter } from './types';

export interface AdapterRegistryOptions {
  /** Fetches http(s) image URLs for providers that take only inline bytes (Gemini, Vertex Gemini, Bedrock). */
  fetchImage?: ImageFetcher;
}

export type AdapterLookup = (provider: ProviderId) => ProviderAdapter | undefined;

/** Every provider adapter by id. Adding a provider is adding a folder and a line here. */
export function createAdapterRegistry(options: AdapterRegistryOptions = {}): AdapterLookup {
  const imageOptions = options.fetchImage ? { fetchImage: options.fetchImage } : {};
  const adapters: Partial<Record<ProviderId, ProviderAdapter>> = {
    openai: openaiAdapter,
    'azure-openai': azureOpenAIAdapter,
    anthropic: anthropicAdapter,
    'google-ai-studio': options.fetchImage ? createGeminiAdapter(imageOptions) : geminiAdapter,
    'google-vertex': options.fetchImage ? createVertexAdapter(imageOptions) : vertexAdapter,
    'aws-bedrock': options.fetchImage ? createBedrockAdapter(imageOptions) : bedrockAdapter,
    ...openAICompatibleFamily,
  };
  return (provider) => adapters[provider];
}

const defaults = createAdapterRegistry();

/** The adapters with their defaults (the global fetch for image URLs). */
export function adapterFor(provider: ProviderId): ProviderAdapter | undefined {
  return defaults(provider);
}

export function supportedProviders(): ProviderId[] {
  return (['openai', 'azure-openai', 'anthropic', 'google-ai-studio', 'google-vertex', 'aws-bedrock'] as ProviderId[]).concat(Object.keys(openAICompatibleFamily) as ProviderId[]);
}
