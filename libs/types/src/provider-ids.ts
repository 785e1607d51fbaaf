/** Provider ids as they appear in model names (`provider/model`) and connections. */
export const PROVIDER_IDS = [
  'openai',
  'azure-openai',
  'anthropic',
  'google-ai-studio',
  'google-vertex',
  'aws-bedrock',
  'mistral',
  'groq',
  'deepseek',
  'xai',
  'together',
  'fireworks',
  'openrouter',
  'ollama',
  'vllm',
  'openai-compatible',
  'local-ocr',
] as const;

export type ProviderId = (typeof PROVIDER_IDS)[number];

export const PROVIDER_ALIASES: Readonly<Record<string, ProviderId>> = {
  gemini: 'google-ai-studio',
  vertex: 'google-vertex',
  bedrock: 'aws-bedrock',
  azure: 'azure-openai',
};

export function normalizeProviderId(value: string): ProviderId | undefined {
  const lower = value.toLowerCase();
  if ((PROVIDER_IDS as readonly string[]).includes(lower)) return lower as ProviderId;
  return PROVIDER_ALIASES[lower];
}
