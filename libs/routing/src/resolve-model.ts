import type { ResolvedConnection } from '@switchyard/auth';
import type { ModelParameterRules } from '@switchyard/providers';
import { GatewayError, normalizeProviderId } from '@switchyard/types';
import type { ModelCatalog } from './catalog/catalog';

/** One place a request can be sent: a connection and the provider's model id there. */
export interface RouteTarget {
  connection: ResolvedConnection;
  upstreamModel: string;
  /** The name as the client spelled it, for headers and logs. */
  requested: string;
  maxOutputTokens?: number;
  /** What the model accepts of the OpenAI parameters (the catalog's rules), when it has rules. */
  parameters?: ModelParameterRules;
  /** Overrides of the call's retry policy for this target (a dynamic route's model element: its retries and timeout). */
  policy?: { maxAttempts?: number; requestTimeoutMs?: number };
}

const HOW_TO_DISCOVER =
  'List the models you can use with GET /v1/models, or name one as provider/model (e.g. openai/gpt-4o-mini) or @connection-slug/model.';

export const modelNotFound = (model: string, why?: string) =>
  new GatewayError(404, 'invalid_request_error', 'model_not_found', `The model '${model}' does not exist or you do not have access to it.${why ? ` ${why}` : ''} ${HOW_TO_DISCOVER}`, {
    param: 'model',
  });

/**
 * Resolves a model name to its targets, in order:
 * `@slug/model` (that connection), `provider/model` (the org's default connection of the provider),
 * or a catalog slug (every provider serving it that the org has connected, in catalog order).
 */
export function resolveModel(model: string, connections: ResolvedConnection[], catalog: ModelCatalog): RouteTarget[] {
  const limit = (provider: ResolvedConnection['provider'], upstream: string) => catalog.forUpstream(provider, upstream)?.max_output_tokens;
  const fit = (connection: ResolvedConnection, upstreamModel: string): RouteTarget => ({
    connection,
    upstreamModel,
    requested: model,
    maxOutputTokens: limit(connection.provider, upstreamModel),
    parameters: catalog.parametersFor(connection.provider, upstreamModel),
  });

  if (model.startsWith('@')) {
    const slash = model.indexOf('/');
    if (slash < 2 || slash === model.length - 1) throw modelNotFound(model, "Use '@connection-slug/model'.");
    const slug = model.slice(1, slash);
    const upstream = model.slice(slash + 1);
    const connection = connections.find((c) => c.slug === slug);
    if (!connection) throw modelNotFound(model, `There is no connection '${slug}'.`);
    const upstreamModel = catalog.get(upstream)?.providers.find((p) => p.provider === connection.provider)?.model ?? upstream;
    return [fit(connection, upstreamModel)];
  }

  if (model.startsWith('dynamic/')) throw modelNotFound(model, 'Dynamic routes are not configured for this project.');

  const slash = model.indexOf('/');
  if (slash > 0) {
    const provider = normalizeProviderId(model.slice(0, slash));
    if (provider) {
      const upstream = model.slice(slash + 1);
      if (!upstream) throw modelNotFound(model);
      const connection = defaultConnection(connections, provider);
      if (!connection) throw modelNotFound(model, `No ${provider} connection is configured for this organization.`);
      const upstreamModel = catalog.get(upstream)?.providers.find((p) => p.provider === provider)?.model ?? upstream;
      return [fit(connection, upstreamModel)];
    }
  }

  const entry = catalog.get(model);
  if (entry) {
    const targets = entry.providers.flatMap((p) => {
      const connection = defaultConnection(connections, p.provider);
      return connection ? [{ ...fit(connection, p.model), maxOutputTokens: entry.max_output_tokens }] : [];
    });
    if (targets.length) return targets;
    throw modelNotFound(model, `It is served by ${entry.providers.map((p) => p.provider).join(', ')}; connect one of them.`);
  }
  // A provider's own id of a catalog model (the dated `claude-sonnet-4-20250514` Claude Code is often set to) goes
  // to that provider unchanged, so the answer names the model the client asked for.
  const owners = [...new Set(connections.map((c) => c.provider))].filter((p) => catalog.forUpstream(p, model)?.providers.some((e) => e.provider === p && e.model === model));
  const targets = owners.flatMap((p) => {
    const connection = defaultConnection(connections, p);
    return connection ? [fit(connection, model)] : [];
  });
  if (targets.length) return targets;
  // A provider's own id that the catalog does not list yet (a model released after the catalog's date, such as
  // Claude Code's default): the provider whose id family it is, if the organization connected it, unchanged and
  // unpriced (cost null until the catalog lists it).
  const family = FAMILIES.find(([prefix]) => prefix.test(model))?.[1];
  const connection = family ? defaultConnection(connections, family) : undefined;
  if (connection) return [fit(connection, model)];
  throw modelNotFound(model);
}

/** The model-id families only one provider's own API uses (a name of one of these forms is that provider's id). */
const FAMILIES: readonly (readonly [RegExp, ResolvedConnection['provider']])[] = [
  [/^claude-[a-z0-9][a-z0-9.-]*$/, 'anthropic'],
  [/^(gpt-[0-9][a-z0-9.-]*|o[1-9](-[a-z0-9.-]+)?|chatgpt-[a-z0-9.-]+)$/, 'openai'],
  [/^gemini-[0-9][a-z0-9.-]*$/, 'google-ai-studio'],
];

/** The default connection of a provider; a provider with a single connection has it as default. */
export function defaultConnection(connections: ResolvedConnection[], provider: ResolvedConnection['provider']): ResolvedConnection | undefined {
  const ofProvider = connections.filter((c) => c.provider === provider);
  return ofProvider.find((c) => c.isDefault) ?? (ofProvider.length === 1 ? ofProvider[0] : undefined);
}
