import type { ConnectionView } from '@switchyard/tenancy';
import { invalidRequest, normalizeProviderId, parseOr400, SLUG_PATTERN, type ProviderId } from '@switchyard/types';
import { z } from 'zod';

/** Cloudflare's provider slugs that differ from ours (ours: docs/providers.md). */
const CF_PROVIDER_SLUGS: Readonly<Record<string, ProviderId>> = { 'google-vertex-ai': 'google-vertex', grok: 'xai' };
const OUR_TO_CF: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(CF_PROVIDER_SLUGS).map(([cf, ours]) => [ours, cf]));

/** Our provider id of a Cloudflare provider slug (or of one of ours); undefined when we do not serve it. */
export function providerOfSlug(slug: string): ProviderId | undefined {
  return CF_PROVIDER_SLUGS[slug.toLowerCase()] ?? normalizeProviderId(slug);
}

/**
 * A connection as a Cloudflare provider config of `gateway`: `alias` is the connection's slug, `default_config` its
 * default flag, `secret_id` the connection id (its credentials are sealed in it), `secret_preview` the preview only.
 */
export function providerConfigOf(c: ConnectionView, gateway: string) {
  return {
    id: c.id,
    alias: c.slug,
    default_config: c.is_default,
    gateway_id: gateway,
    provider_slug: OUR_TO_CF[c.provider] ?? c.provider,
    secret_id: c.id,
    secret_preview: c.secret_preview,
    ...(c.rate_limit !== null ? { rate_limit: c.rate_limit } : {}),
    ...(c.rate_limit_period !== null ? { rate_limit_period: c.rate_limit_period } : {}),
    created_at: c.created_at,
    modified_at: c.modified_at,
  };
}

const createProviderConfigSchema = z
  .object({
    alias: z.string().regex(SLUG_PATTERN, 'must be 1-64 lowercase letters, digits or dashes, not starting or ending with a dash'),
    default_config: z.boolean(),
    provider_slug: z.string().min(1),
    secret: z.string().min(1).max(16384).optional(),
    secret_id: z.string().optional(),
    rate_limit: z.number().int().positive().optional(),
    rate_limit_period: z.number().int().positive().optional(),
  })
  .strict();

/**
 * A provider config body as the connection to create in `organizationId`. `secret` is the provider's API key, or for
 * providers whose credentials have several fields (Azure OpenAI, Bedrock, Vertex) a JSON object of them; a Secrets
 * Store `secret_id` is refused (there is no Secrets Store on a self-hosted gateway).
 */
export function connectionInputOf(organizationId: string, body: unknown) {
  const dto = parseOr400(createProviderConfigSchema, body);
  if (dto.secret_id !== undefined) throw invalidRequest("'secret_id' (a Cloudflare Secrets Store reference) is not supported: send the provider's key as 'secret'.", 'secret_id');
  if (dto.secret === undefined) throw invalidRequest("'secret' is required: the provider's API key (or a JSON object of its credentials).", 'secret');
  const provider = providerOfSlug(dto.provider_slug);
  if (!provider) throw invalidRequest(`Unknown provider_slug '${dto.provider_slug}'.`, 'provider_slug');
  return {
    organization_id: organizationId,
    provider,
    name: dto.alias,
    slug: dto.alias,
    credentials: credentialsOf(dto.secret),
    is_default: dto.default_config,
    rate_limit: dto.rate_limit ?? null,
    rate_limit_period: dto.rate_limit_period ?? null,
  };
}

function credentialsOf(secret: string): Record<string, unknown> {
  if (secret.trimStart().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(secret);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // not JSON: the key itself
    }
  }
  return { api_key: secret };
}
