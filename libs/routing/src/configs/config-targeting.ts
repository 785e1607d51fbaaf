import { conditionHolds } from './json-logic';

/** What targeting needs of a rule. */
export interface TargetingRule {
  priority: number;
  weight: number;
  /** null: every environment. */
  environment: string | null;
  /** A checked JSONLogic condition; null: always. */
  conditions: unknown;
}

/** The request as conditions see it (`{"var": "metadata.plan"}`, `{"var": "input.locale"}`, …) and its environment. */
export interface TargetingContext {
  environment: string;
  data: Readonly<Record<string, unknown>>;
}

/**
 * Picks the rule that serves a request: of the enabled rules (callers pass only those) whose environment and
 * condition match, the highest priority wins; among several with that priority the weights are a random split
 * (`random()` in [0, 1)); when their weights are all 0 the first (in saved order) serves. undefined: none matches.
 */
export function chooseRule<R extends TargetingRule>(rules: readonly R[], ctx: TargetingContext, random: () => number): R | undefined {
  let best: R[] = [];
  for (const rule of rules) {
    if (best.length && rule.priority < best[0]!.priority) continue;
    if (rule.environment !== null && rule.environment !== ctx.environment) continue;
    if (rule.conditions !== null && !conditionHolds(rule.conditions, ctx.data)) continue;
    if (best.length && rule.priority > best[0]!.priority) best = [];
    best.push(rule);
  }
  if (best.length <= 1) return best[0];
  const total = best.reduce((sum, r) => sum + r.weight, 0);
  if (total <= 0) return best[0];
  let draw = random() * total;
  for (const rule of best) {
    draw -= rule.weight;
    if (draw < 0) return rule;
  }
  return best[best.length - 1];
}
