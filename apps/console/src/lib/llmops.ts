/** The configs and prompts editors: their text fields checked and turned into the admin API's bodies (docs/routing.md). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function json(text: string, what: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: `${what} is not JSON: ${(e as Error).message}` };
  }
}

/** A JSON object field (parameters); empty text is `{}`. */
export function parseJsonObject(text: string, what: string): Parsed<Record<string, unknown>> {
  if (!text.trim()) return { ok: true, value: {} };
  const p = json(text, what);
  if (!p.ok) return p;
  return isObject(p.value) ? { ok: true, value: p.value } : { ok: false, error: `${what} must be a JSON object.` };
}

export interface PromptMessage {
  role: 'system' | 'developer' | 'user' | 'assistant';
  content: string;
}
const ROLES = new Set(['system', 'developer', 'user', 'assistant']);

/** A prompt's messages: a JSON array of {role, content} (content a Nunjucks template). */
export function parsePromptMessages(text: string): Parsed<PromptMessage[]> {
  const p = json(text, 'Messages');
  if (!p.ok) return p;
  if (!Array.isArray(p.value) || p.value.length === 0) return { ok: false, error: 'Messages must be a non-empty JSON array.' };
  for (const [i, m] of p.value.entries()) {
    if (!isObject(m) || !ROLES.has(m['role'] as string) || typeof m['content'] !== 'string') {
      return { ok: false, error: `Message ${i + 1} must be {"role": "system" | "developer" | "user" | "assistant", "content": "…"}.` };
    }
  }
  return { ok: true, value: p.value as PromptMessage[] };
}

/** A config variant version's or a prompt's model, parameters (and system prompt): the body fields that are set. */
export function versionFields(model: string, parametersText: string): Parsed<{ model: string | null; parameters: Record<string, unknown> }> {
  const parameters = parseJsonObject(parametersText, 'Parameters');
  if (!parameters.ok) return parameters;
  return { ok: true, value: { model: model.trim() || null, parameters: parameters.value } };
}

export interface ConfigRule {
  id?: string;
  variant: string;
  variant_id?: string;
  version: number | null;
  environment: string | null;
  priority: number;
  weight: number;
  conditions: unknown;
  enabled: boolean;
}

/** The rules as `PUT …/rules` takes them (a rule names its variant by name; ids are the server's). */
export function ruleInputs(rules: ConfigRule[]): Omit<ConfigRule, 'id' | 'variant_id'>[] {
  return rules.map(({ variant, version, environment, priority, weight, conditions, enabled }) => ({ variant, version, environment, priority, weight, conditions, enabled }));
}

/** The rules editor's text: a JSON array of rule objects. */
export function parseRules(text: string): Parsed<unknown[]> {
  const p = json(text, 'Rules');
  if (!p.ok) return p;
  if (!Array.isArray(p.value) || !p.value.every(isObject)) return { ok: false, error: 'Rules must be a JSON array of rule objects.' };
  const unnamed = p.value.findIndex((r) => typeof (r as Record<string, unknown>)['variant'] !== 'string');
  if (unnamed >= 0) return { ok: false, error: `Rule ${unnamed + 1} must name its "variant".` };
  return { ok: true, value: p.value };
}

/**
 * A config's "deploy" and "roll back": the rules that serve `variant` pinned to `version` (null: follow the latest);
 * when no rule names the variant, one rule without conditions that serves it.
 */
export function pinVariant(rules: ConfigRule[], variant: string, version: number | null): Omit<ConfigRule, 'id' | 'variant_id'>[] {
  const inputs = ruleInputs(rules);
  if (!inputs.some((r) => r.variant === variant)) return [...inputs, { variant, version, environment: null, priority: 0, weight: 100, conditions: null, enabled: true }];
  return inputs.map((r) => (r.variant === variant ? { ...r, version } : r));
}
