import jsonLogic, { type RulesLogic } from 'json-logic-js';
import { invalidRequest } from '@switchyard/types';
import { FORBIDDEN_NAMES } from './safe-template';

/** JSONLogic's operations a condition may use (all but `log`, which writes to the console). */
const OPERATIONS = new Set([
  '==', '===', '!=', '!==', '>', '>=', '<', '<=', '!!', '!', '%', 'in', 'cat', 'substr', '+', '*', '-', '/', 'min', 'max',
  'merge', 'var', 'missing', 'missing_some', 'if', '?:', 'and', 'or', 'filter', 'map', 'reduce', 'all', 'none', 'some',
]);

const MAX_DEPTH = 32;

/**
 * Checks a JSONLogic condition when it is saved: known operations only, `var` paths literal and free of names that
 * lead to code; a 400 naming `param` (with the path inside the condition) otherwise.
 */
export function checkJsonLogic(logic: unknown, param: string, depth = 0): void {
  if (depth > MAX_DEPTH) throw invalidRequest(`${param} is nested deeper than ${MAX_DEPTH} levels.`, param, 'invalid_condition');
  if (Array.isArray(logic)) return logic.forEach((item, i) => checkJsonLogic(item, `${param}[${i}]`, depth + 1));
  if (logic === null || typeof logic !== 'object') return;
  const keys = Object.keys(logic);
  if (keys.length !== 1) throw invalidRequest(`${param} must be an object with one operation (a JSONLogic rule), it has ${keys.length} keys.`, param, 'invalid_condition');
  const op = keys[0]!;
  if (!OPERATIONS.has(op)) throw invalidRequest(`${param} uses the unknown or refused JSONLogic operation '${op}'.`, param, 'invalid_condition');
  const args = (logic as Record<string, unknown>)[op];
  if (op === 'var') return checkVarPath(Array.isArray(args) ? args[0] : args, `${param}.var`);
  checkJsonLogic(args, `${param}.${op}`, depth + 1);
}

function checkVarPath(path: unknown, param: string): void {
  if (path === undefined || path === null || typeof path === 'number') return;
  if (typeof path !== 'string') throw invalidRequest(`${param} must be a literal path (a string or number).`, param, 'invalid_condition');
  if (path.split('.').some((segment) => FORBIDDEN_NAMES.has(segment))) throw invalidRequest(`${param} may not read '${path}'.`, param, 'invalid_condition');
}

/** Evaluates a checked condition over the request's data; truthy as JSONLogic defines it. */
export function conditionHolds(logic: unknown, data: unknown): boolean {
  return jsonLogic.truthy(jsonLogic.apply(logic as RulesLogic, data));
}
