import { z } from 'zod';
import type { ProviderId } from './provider-ids';

const apiKey = z.object({ api_key: z.string().min(1).max(4096) }).strict();

export const openAiCredentialsSchema = z
  .object({
    api_key: z.string().min(1).max(4096),
    organization: z.string().min(1).optional(),
    project: z.string().min(1).optional(),
  })
  .strict();

export const azureCredentialsSchema = z
  .object({
    api_key: z.string().min(1).max(4096),
    resource_name: z.string().regex(/^[a-zA-Z0-9-]{2,64}$/, 'must be the Azure resource name (letters, digits, dashes)'),
    api_version: z.string().regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'must look like 2024-10-21 or 2025-01-01-preview'),
  })
  .strict();

export const bedrockCredentialsSchema = z
  .object({
    access_key_id: z.string().min(16).max(128),
    secret_access_key: z.string().min(16).max(256),
    session_token: z.string().min(1).optional(),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1'),
  })
  .strict();

export const vertexCredentialsSchema = z
  .object({
    project_id: z.string().min(1),
    region: z.string().min(1),
    service_account_json: z.union([z.string().min(2), z.record(z.string(), z.unknown())]),
  })
  .strict();

export const noCredentialsSchema = z.object({}).strict();

/** Self-hosted servers often run without a key. */
const optionalApiKey = z.object({ api_key: z.string().max(4096).optional() }).strict();

/** Every provider's credential schema (the admin API validates connections with them on save). */
const CREDENTIAL_SCHEMAS = {
  openai: openAiCredentialsSchema,
  'azure-openai': azureCredentialsSchema,
  'aws-bedrock': bedrockCredentialsSchema,
  'google-vertex': vertexCredentialsSchema,
  'local-ocr': noCredentialsSchema,
  ollama: optionalApiKey,
  vllm: optionalApiKey,
  'openai-compatible': optionalApiKey,
  anthropic: apiKey,
  'google-ai-studio': apiKey,
  mistral: apiKey,
  groq: apiKey,
  deepseek: apiKey,
  xai: apiKey,
  together: apiKey,
  fireworks: apiKey,
  openrouter: apiKey,
} as const satisfies Record<ProviderId, z.ZodType<Record<string, unknown>>>;

export type OpenAICredentials = z.infer<typeof openAiCredentialsSchema>;
export type AzureCredentials = z.infer<typeof azureCredentialsSchema>;
export type BedrockCredentials = z.infer<typeof bedrockCredentialsSchema>;
export type VertexCredentials = z.infer<typeof vertexCredentialsSchema>;
export type ApiKeyCredentials = z.infer<typeof apiKey>;
export type OptionalApiKeyCredentials = z.infer<typeof optionalApiKey>;

/** The credentials of a connection to provider `P`, as validated on save. */
export type CredentialsOf<P extends ProviderId> = z.infer<(typeof CREDENTIAL_SCHEMAS)[P]>;

/** A provider with its credentials, discriminated by `provider`: adapters read typed fields, never `c['api_key']`. */
export type ProviderCredentials<P extends ProviderId = ProviderId> = P extends ProviderId ? { provider: P; credentials: CredentialsOf<P> } : never;

/** The credential shape each provider's connection takes. */
export function credentialsSchemaFor(provider: ProviderId): z.ZodType<Record<string, unknown>> {
  return CREDENTIAL_SCHEMAS[provider];
}

/** The credential field whose preview identifies a connection. */
export function primarySecretOf(credentials: Record<string, unknown>): string {
  for (const field of ['api_key', 'secret_access_key']) {
    const v = credentials[field];
    if (typeof v === 'string' && v) return v;
  }
  const sa = credentials['service_account_json'];
  if (sa) {
    const parsed: unknown = typeof sa === 'string' ? safeJson(sa) : sa;
    const id = (parsed as { private_key_id?: unknown } | undefined)?.private_key_id;
    if (typeof id === 'string') return id;
  }
  return '';
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
