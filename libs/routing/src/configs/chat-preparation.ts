import type { ProjectSnapshot } from '@switchyard/auth';
import { GatewayError, invalidRequest } from '@switchyard/types';
import { parseRequestControls, type HeaderMap } from '../pipeline/request-controls';
import type { ConfigDirectory } from './config-directory';
import { chooseRule } from './config-targeting';
import { applyVariant } from './config-variant';

/** The config header and its LLMOps names, in the order they are read. */
export const CONFIG_HEADERS = ['x-gateway-config', 'x-llmops-config', 'x-llmops-prompt'] as const;

/** A chat body after configs were applied, and the headers that say what was applied. */
export interface PreparedChatBody {
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/**
 * Before a chat request is parsed: the config named by `x-gateway-config` (aliases `x-llmops-config`,
 * `x-llmops-prompt`) picks a targeting rule (conditions over the request, then a weighted draw), and the rule's variant
 * version is merged into the body (model, parameters, the system prompt rendered from `body.input`). A request
 * without the header (and without `input`) is not touched: `prepare` returns null at the cost of two header reads.
 */
export class ChatRequestPreparation {
  constructor(
    private readonly configs: ConfigDirectory,
    private readonly random: () => number = Math.random,
  ) {}

  prepare(body: unknown, headers: HeaderMap, project: ProjectSnapshot): Promise<PreparedChatBody> | null {
    const ref = configRef(headers);
    const input = isObject(body) ? body['input'] : undefined;
    if (ref === undefined && input === undefined) return null;
    if (!isObject(body)) return null; // the parse that follows refuses it
    if (ref === undefined) return Promise.reject(invalidRequest("'input' holds a config's template variables: send it with the x-gateway-config header.", 'input'));
    return this.withConfig(body, headers, project, ref.header, ref.value);
  }

  private async withConfig(body: Record<string, unknown>, headers: HeaderMap, project: ProjectSnapshot, header: string, ref: string): Promise<PreparedChatBody> {
    const input = body['input'] ?? {};
    if (!isObject(input)) throw invalidRequest("'input' must be an object of template variables.", 'input');
    const config = await this.configs.configOf(project.id, ref);
    if (!config) throw new GatewayError(404, 'invalid_request_error', 'config_not_found', `Config '${ref}' (${header}) does not exist in this project.`, { param: header });
    const rule = chooseRule(config.rules, { environment: project.slug, data: targetingData(body, input, headers, project) }, this.random);
    if (!rule) throw invalidRequest(`No enabled targeting rule of config '${config.slug}' matches this request.`, header, 'config_no_match');
    const { variant } = rule;
    const systemPrompt = variant.systemPrompt?.render(input) ?? null;
    return {
      body: applyVariant(body, { model: variant.model, parameters: variant.parameters, systemPrompt }),
      headers: { 'x-gateway-config': config.slug, 'x-gateway-config-variant': `${variant.name}@${variant.version}` },
    };
  }
}

/** What targeting conditions read: `metadata.*`, `headers.*` (allow-listed), `body.*`, `input.*`, `customer.identifier`, `environment`. */
function targetingData(body: Record<string, unknown>, input: Record<string, unknown>, headers: HeaderMap, project: ProjectSnapshot): Record<string, unknown> {
  const controls = parseRequestControls(headers);
  const bodyMetadata = isObject(body['metadata']) ? body['metadata'] : {};
  const customer = body['customer_identifier'];
  return {
    metadata: { ...bodyMetadata, ...controls.log.metadata },
    headers: controls.routeHeaders ?? {},
    body,
    input,
    customer: customer === undefined ? {} : { identifier: String(customer) },
    environment: project.slug,
  };
}

function configRef(headers: HeaderMap): { header: string; value: string } | undefined {
  for (const header of CONFIG_HEADERS) {
    const v = headers[header];
    const value = (Array.isArray(v) ? v[0] : v)?.trim();
    if (value) return { header, value };
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

