import type { ProviderId } from '@switchyard/types';
import { anthropicAdapter } from './anthropic';
import { azureOpenAIAdapter } from './azure-openai';
import { bedrockAdapter } from './bedrock';
import { geminiAdapter, vertexAdapter } from './google';
import { openaiAdapter } from './openai';
import { openAICompatibleFamily } from './openai-compatible/family';
import type { ProviderAdapter } from './types';

/** Every provider adapter by id. Adding a provider is adding a folder and a line here. */
const ADAPTERS: Partial<Record<ProviderId, ProviderAdapter>> = {
  openai: openaiAdapter,
  'azure-openai': azureOpenAIAdapter,
  anthropic: anthropicAdapter,
  'google-ai-studio': geminiAdapter,
  'google-vertex': vertexAdapter,
  'aws-bedrock': bedrockAdapter,
  ...openAICompatibleFamily,
};

export function adapterFor(provider: ProviderId): ProviderAdapter | undefined {
  return ADAPTERS[provider];
}

export function supportedProviders(): ProviderId[] {
  return Object.keys(ADAPTERS) as ProviderId[];
}
