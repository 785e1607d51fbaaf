/** Credential fields per provider (docs/admin-api.md "Credentials by provider"). Secrets are write-only. */
export interface CredentialField {
  name: string;
  label: string;
  secret: boolean;
  optional?: boolean;
  multiline?: boolean;
}

const apiKey: CredentialField = { name: 'api_key', label: 'API key', secret: true };
const optionalKey: CredentialField = { ...apiKey, optional: true };

export const PROVIDERS: Record<string, { label: string; fields: CredentialField[]; testModel: string }> = {
  openai: {
    label: 'OpenAI',
    fields: [apiKey, { name: 'organization', label: 'Organization', secret: false, optional: true }, { name: 'project', label: 'Project', secret: false, optional: true }],
    testModel: 'gpt-4o-mini',
  },
  anthropic: { label: 'Anthropic', fields: [apiKey], testModel: 'claude-3-5-haiku-latest' },
  'google-ai-studio': { label: 'Google Gemini', fields: [apiKey], testModel: 'gemini-2.0-flash' },
  mistral: { label: 'Mistral', fields: [apiKey], testModel: 'mistral-small-latest' },
  groq: { label: 'Groq', fields: [apiKey], testModel: 'llama-3.1-8b-instant' },
  deepseek: { label: 'DeepSeek', fields: [apiKey], testModel: 'deepseek-chat' },
  xai: { label: 'xAI', fields: [apiKey], testModel: 'grok-3-mini' },
  together: { label: 'Together', fields: [apiKey], testModel: 'meta-llama/Llama-3.3-70B-Instruct-Turbo' },
  fireworks: { label: 'Fireworks', fields: [apiKey], testModel: 'accounts/fireworks/models/llama-v3p1-8b-instruct' },
  openrouter: { label: 'OpenRouter', fields: [apiKey], testModel: 'openai/gpt-4o-mini' },
  ollama: { label: 'Ollama', fields: [optionalKey], testModel: 'llama3.2' },
  vllm: { label: 'vLLM', fields: [optionalKey], testModel: 'model' },
  'openai-compatible': { label: 'OpenAI-compatible', fields: [optionalKey], testModel: 'model' },
  'azure-openai': {
    label: 'Azure OpenAI',
    fields: [apiKey, { name: 'resource_name', label: 'Resource name', secret: false }, { name: 'api_version', label: 'API version', secret: false }],
    testModel: 'gpt-4o-mini',
  },
  'aws-bedrock': {
    label: 'AWS Bedrock',
    fields: [
      { name: 'access_key_id', label: 'Access key id', secret: true },
      { name: 'secret_access_key', label: 'Secret access key', secret: true },
      { name: 'session_token', label: 'Session token', secret: true, optional: true },
      { name: 'region', label: 'Region', secret: false },
    ],
    testModel: 'anthropic.claude-3-5-haiku-20241022-v1:0',
  },
  'google-vertex': {
    label: 'Google Vertex AI',
    fields: [
      { name: 'project_id', label: 'GCP project id', secret: false },
      { name: 'region', label: 'Region', secret: false },
      { name: 'service_account_json', label: 'Service account JSON', secret: true, multiline: true },
    ],
    testModel: 'gemini-2.0-flash',
  },
};

/**
 * The `credentials` object of a create (every required field) or an edit (only the fields typed: secrets are never
 * read back, so an empty field keeps the stored value). Returns an error in words for a missing required field.
 */
export function credentialsOf(provider: string, values: Record<string, string>, editing: boolean): { credentials: Record<string, string> | null } | { error: string } {
  const spec = PROVIDERS[provider];
  if (!spec) return { error: `Unknown provider '${provider}'.` };
  const out: Record<string, string> = {};
  for (const f of spec.fields) {
    const v = (values[f.name] ?? '').trim();
    if (v) out[f.name] = v;
    else if (!editing && !f.optional) return { error: `${f.label} is required for ${spec.label}.` };
  }
  return { credentials: editing && !Object.keys(out).length ? null : out };
}
