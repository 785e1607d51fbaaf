import type { ProjectSnapshot } from '@switchyard/auth';
import { GatewayError, invalidRequest, type JsonObject } from '@switchyard/types';
import { parseRequestControls, type HeaderMap } from '../pipeline/request-controls';
import type { ConfigDirectory } from './config-directory';
import { chooseRule } from './config-targeting';
import { applyVariant } from './config-variant';
import type { PromptDirectory } from './prompt-directory';
import { applyPrompt, parsePromptField } from './prompt-merge';

/** The config header and its LLMOps names, in the order they are read. */
export const CONFIG_HEADERS = ['x-gateway-config', 'x-llmops-config', 'x-llmops-prompt'] as const;

/** A chat body after a config or a saved prompt was applied, the headers that say what was applied, and fields added to a JSON answer. */
export interface PreparedChatBody {
  body: Record<string, unknown>;
  headers: Record<string, string>;
  /**
   * What was applied, for the log record's `routing`: `{config: {id, slug, variant, version}}` or
   * `{prompt: {id, name, version}}`.
   */
  applied: JsonObject;
  /** `prompt.echo`: `{"prompt_messages": [...]}`, the messages sent. */
  answerFields?: Record<string, unknown>;
}

/**
 * Before a chat request is parsed, one of:
 * - the config named by `x-gateway-config` (aliases `x-llmops-config`, `x-llmops-prompt`) picks a targeting rule
 *   (conditions over the request, then a weighted draw), and the rule's variant version is merged into the body
 *   (model, parameters, the system prompt rendered from `body.input`);
 * - the saved prompt named by the body's `prompt` (Keywords AI) is rendered with its variables and merged (`applyPrompt`).
 * A request with neither (nor `input`) is not touched: `prepare` returns null at the cost of a few property reads.
 */
export class ChatRequestPreparation {
  constructor(
    private readonly configs: ConfigDirectory,
    private readonly prompts: PromptDirectory,
    private readonly random: () => number = Math.random,
  ) {}

  prepare(body: unknown, headers: HeaderMap, project: ProjectSnapshot): Promise<PreparedChatBody> | null {
    if (!isObject(body)) return null; // the parse that follows refuses it
    const ref = configRef(headers);
    const input = body['input'];
    const prompt = body['prompt'];
    if (ref === undefined && input === undefined && prompt === undefined) return null;
    if (prompt !== undefined) {
      if (ref !== undefined) return Promise.reject(invalidRequest(`A request uses a saved prompt or a config (${ref.header}), not both.`, 'prompt'));
      return this.withPrompt(body, prompt, project);
    }
    if (ref === undefined) return Promise.reject(invalidRequest("'input' holds a config's template variables: send it with the x-gateway-config header.", 'input'));
    return this.withConfig(body, headers, project, ref.header, ref.value);
  }

  private async withPrompt(body: Record<string, unknown>, raw: unknown, project: ProjectSnapshot): Promise<PreparedChatBody> {
    const field = parsePromptField(raw);
    const prompt = await this.prompts.promptOf(project.id, field.prompt_id);
    if (!prompt) throw new GatewayError(404, 'invalid_request_error', 'prompt_not_found', `Prompt '${field.prompt_id}' does not exist in this project.`, { param: 'prompt.prompt_id' });
    const number = field.version === undefined ? prompt.deployed : field.version === 'latest' ? prompt.latest : field.version;
    if (number === null) throw invalidRequest(`Prompt '${prompt.name}' has no deployed version: deploy one, or send prompt.version.`, 'prompt.version', 'prompt_not_deployed');
    const version = prompt.versions.get(number);
    if (!version) throw new GatewayError(404, 'invalid_request_error', 'prompt_version_not_found', `Prompt '${prompt.name}' has no version ${number}.`, { param: 'prompt.version' });
    const merged = applyPrompt(body, field, { messages: version.render(field.variables ?? {}), model: version.model, parameters: version.parameters });
    if (field.echo && merged['stream'] === true) throw invalidRequest('prompt.echo adds the prompt messages to a JSON answer: it cannot be used with stream.', 'prompt.echo');
    return {
      body: merged,
      headers: { 'x-gateway-prompt': `${prompt.id}@${number}` },
      applied: { prompt: { id: prompt.id, name: prompt.name, version: number } },
      ...(field.echo ? { answerFields: { prompt_messages: merged['messages'] } } : {}),
    };
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
      applied: { config: { id: config.id, slug: config.slug, variant: variant.name, version: variant.version } },
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

