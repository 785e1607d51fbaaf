import type { ChatMessage } from '@switchyard/types';
import { UnsupportedParameterError, type ModelParameterRules } from '../types';

/** A value that asks for something (null, false and absent ask for nothing). */
const sent = (v: unknown) => v !== undefined && v !== null && v !== false;

/**
 * Fits an OpenAI-format body to what its model accepts (the catalog's rules): the parameters it refuses are a
 * 400 naming the first one sent, or dropped when `dropUnsupported` (a value the model accepts anyway, its default,
 * goes as sent); the renamed ones are moved
 * (`max_tokens` -> `max_completion_tokens`, unless that is set too) and `system` messages take the model's role
 * for them (`developer`). Changes `body` in place (the adapter's own copy); `model` names the model in the 400.
 */
export function applyModelParameters(body: Record<string, unknown>, rules: ModelParameterRules, model: string, dropUnsupported: boolean): void {
  for (const param of rules.unsupported ?? []) {
    if (!(param in body) || rules.accepted_defaults?.[param] === body[param]) continue;
    if (sent(body[param]) && !dropUnsupported) {
      throw new UnsupportedParameterError(param, `'${param}' is not supported by the model ${model}. Send x-gateway-drop-unsupported: true to drop it.`);
    }
    delete body[param];
  }
  for (const [from, to] of Object.entries(rules.rename ?? {})) {
    if (!(from in body)) continue;
    if (!sent(body[to])) body[to] = body[from];
    delete body[from];
  }
  const role = rules.system_role;
  const messages = body['messages'] as ChatMessage[] | undefined;
  if (role && messages?.some((m) => m.role === 'system')) body['messages'] = messages.map((m) => (m.role === 'system' ? { ...m, role } : m));
}
