import { z } from 'zod';
import { invalidRequest, issuePath, normalizeProviderId, type GatewayError, type ProviderId } from '@switchyard/types';
import { compileCondition, ConditionError, parseFieldPath, type CompiledCondition, type ConditionRoot } from './route-conditions';

/**
 * A dynamic route's document: the element JSON of the Cloudflare API (`seeds/003_…`, "Dynamic Routing"),
 * with the prose docs' names accepted as aliases (`condition` for `conditions`, type `rate_limit`,
 * `interval` for `window`, `technique`). `parseRouteDocument` validates a saved document and returns it
 * normalized to the API names; `compileRoute` turns it into the form the router walks per request.
 */

/** Limits of a route document. */
export const MAX_ROUTE_ELEMENTS = 100;
export const MAX_PERCENTAGE_BRANCHES = 5;
export const MAX_MODEL_RETRIES = 4;
export const MAX_MODEL_TIMEOUT_MS = 600_000;
export const MAX_RATE_WINDOW_S = 31_536_000;

const elementId = z.string().trim().min(1).max(128);
const output = z.object({ elementId }).strict();
const base = { id: elementId };

const startSchema = z.object({ ...base, type: z.literal('start'), outputs: z.object({ next: output }).strict() }).strict();

const conditionalSchema = z
  .object({
    ...base,
    type: z.literal('conditional'),
    properties: z.object({ conditions: z.unknown().optional(), condition: z.unknown().optional() }).strict(),
    outputs: z.object({ true: output, false: output }).strict(),
  })
  .strict();

const PERCENT_KEY = /^(\d{1,3}(?:\.\d{1,2})?)%$/;
const percentageSchema = z
  .object({
    ...base,
    type: z.literal('percentage'),
    properties: z.object({}).strict().optional(),
    outputs: z.record(z.string(), output),
  })
  .strict();

const rateSchema = z
  .object({
    ...base,
    type: z.enum(['rate', 'rate_limit']),
    properties: z
      .object({
        key: z.string().trim().min(1).max(256),
        limit: z.number().positive().max(1_000_000_000),
        limitType: z.enum(['count', 'cost']).default('count'),
        window: z.number().int().min(1).max(MAX_RATE_WINDOW_S).optional(),
        interval: z.number().int().min(1).max(MAX_RATE_WINDOW_S).optional(),
        technique: z.enum(['fixed', 'sliding']).default('fixed'),
      })
      .strict(),
    outputs: z.object({ success: output, fallback: output.optional() }).strict(),
  })
  .strict();

const modelSchema = z
  .object({
    ...base,
    type: z.literal('model'),
    properties: z
      .object({
        provider: z.string().trim().min(1).max(64),
        model: z.string().trim().min(1).max(256),
        timeout: z.number().int().min(1).max(MAX_MODEL_TIMEOUT_MS).optional(),
        retries: z.number().int().min(0).max(MAX_MODEL_RETRIES).default(0),
      })
      .strict(),
    outputs: z.object({ success: output, fallback: output.optional() }).strict(),
  })
  .strict();

const endSchema = z.object({ ...base, type: z.literal('end'), outputs: z.object({}).strict().optional() }).strict();

const ELEMENT_SCHEMAS = {
  start: startSchema,
  conditional: conditionalSchema,
  percentage: percentageSchema,
  rate: rateSchema,
  rate_limit: rateSchema,
  model: modelSchema,
  end: endSchema,
} as const;

const documentSchema = z
  .object({
    name: z.string().trim().min(1).max(128).optional(),
    elements: z.array(z.unknown()).min(1).max(MAX_ROUTE_ELEMENTS),
  })
  .strict();

/** Elements as stored and answered: the API names only. */
export type RouteElement =
  | { id: string; type: 'start'; outputs: { next: { elementId: string } } }
  | { id: string; type: 'conditional'; properties: { conditions: unknown }; outputs: { true: { elementId: string }; false: { elementId: string } } }
  | { id: string; type: 'percentage'; outputs: Record<string, { elementId: string }> }
  | {
      id: string;
      type: 'rate';
      properties: { key: string; limit: number; limitType: 'count' | 'cost'; window: number; technique: 'fixed' | 'sliding' };
      outputs: { success: { elementId: string }; fallback?: { elementId: string } };
    }
  | {
      id: string;
      type: 'model';
      properties: { provider: ProviderId; model: string; timeout?: number; retries: number };
      outputs: { success: { elementId: string }; fallback?: { elementId: string } };
    }
  | { id: string; type: 'end'; outputs: Record<string, never> };

export interface RouteDocument {
  name?: string;
  elements: RouteElement[];
}

/** A 400 naming the element (`elements[2]` = `budget`) and, when known, the field inside it. */
function elementError(index: number, id: string | undefined, type: string | undefined, message: string, field = ''): GatewayError {
  const who = id ? `'${id}'${type ? ` (${type})` : ''}` : `#${index}`;
  const param = `elements[${index}]${field ? `.${field}` : ''}`;
  return invalidRequest(`Route element ${who}: ${message}`, param, 'invalid_route');
}

/**
 * Validates a route document as saved: each element against its type's schema, then the graph (one
 * start, outputs that name existing elements, every element reachable from the start, no cycles, every
 * path ending in an `end`), known providers, percentages. Throws a 400 naming the element; returns the
 * document normalized to the API names.
 */
export function parseRouteDocument(raw: unknown): RouteDocument {
  const doc = documentSchema.safeParse(raw);
  if (!doc.success) {
    const issue = doc.error.issues[0]!;
    const param = issuePath(issue.path) || 'elements';
    throw invalidRequest(`Invalid value for '${param}': ${issue.message}`, param, 'invalid_route');
  }
  const elements = doc.data.elements.map((item, index) => parseElement(item, index));
  checkGraph(elements);
  return { ...(doc.data.name === undefined ? {} : { name: doc.data.name }), elements };
}

function parseElement(raw: unknown, index: number): RouteElement {
  const probe = (typeof raw === 'object' && raw !== null ? raw : {}) as { id?: unknown; type?: unknown };
  const id = typeof probe.id === 'string' ? probe.id : undefined;
  const type = typeof probe.type === 'string' ? probe.type : undefined;
  if (!type || !(type in ELEMENT_SCHEMAS)) {
    throw elementError(index, id, undefined, `unknown type ${JSON.stringify(probe.type ?? null)}; expected one of start, conditional, percentage, rate, model, end`, 'type');
  }
  const parsed = ELEMENT_SCHEMAS[type as keyof typeof ELEMENT_SCHEMAS].safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.code === 'unrecognized_keys' && issue.keys.length ? [...issue.path, issue.keys[0]!] : issue.path;
    throw elementError(index, id, type, `invalid value for '${issuePath(path)}': ${issue.message}`, issuePath(path));
  }
  const e = parsed.data;
  const fail = (message: string, field?: string) => elementError(index, e.id, type, message, field);
  switch (e.type) {
    case 'start':
      return e;
    case 'end':
      return { id: e.id, type: 'end', outputs: {} };
    case 'conditional': {
      const value = aliased(e.properties.conditions, e.properties.condition, 'conditions', 'condition', fail);
      const problem = conditionProblem(() => compileCondition(value));
      if (problem) throw fail(`condition ${problem.path ? `'${problem.path}' ` : ''}${problem.message}`, `properties.conditions${problem.path ? `.${problem.path}` : ''}`);
      return { id: e.id, type: 'conditional', properties: { conditions: value }, outputs: e.outputs };
    }
    case 'percentage': {
      let total = 0;
      let branches = 0;
      for (const key of Object.keys(e.outputs)) {
        if (key === 'else') continue;
        const match = PERCENT_KEY.exec(key);
        const share = match ? Number(match[1]) : NaN;
        if (!(share > 0 && share <= 100)) throw fail(`output '${key}' is not a percentage such as "10%" or "else"`, `outputs.${key}`);
        total += share;
        branches += 1;
      }
      if (branches === 0) throw fail('needs at least one output such as "50%"', 'outputs');
      if (branches > MAX_PERCENTAGE_BRANCHES) throw fail(`has ${branches} branches; at most ${MAX_PERCENTAGE_BRANCHES} (plus "else")`, 'outputs');
      if (total > 100 + 1e-9) throw fail(`percentages add up to ${Math.round(total * 100) / 100}%, more than 100%`, 'outputs');
      return { id: e.id, type: 'percentage', outputs: e.outputs };
    }
    case 'rate':
    case 'rate_limit': {
      const { key, limit, limitType, window, interval, technique } = e.properties;
      const seconds = aliased(window, interval, 'window', 'interval', fail);
      const problem = conditionProblem(() => parseFieldPath(key));
      if (problem) throw fail(`key ${problem.message}`, 'properties.key');
      if (limitType === 'count' && !Number.isInteger(limit)) throw fail('a count limit must be a whole number', 'properties.limit');
      return { id: e.id, type: 'rate', properties: { key, limit, limitType, window: seconds, technique }, outputs: e.outputs };
    }
    case 'model': {
      const provider = normalizeProviderId(e.properties.provider);
      if (!provider) throw fail(`unknown provider '${e.properties.provider}'`, 'properties.provider');
      return { id: e.id, type: 'model', properties: { ...e.properties, provider }, outputs: e.outputs };
    }
  }
}

/** A property given under its API name or its prose-doc alias, not both; required. */
function aliased<T>(value: T | undefined, alias: T | undefined, name: string, aliasName: string, fail: (message: string, field: string) => GatewayError): T {
  if (value !== undefined && alias !== undefined) throw fail(`give '${name}' or its alias '${aliasName}', not both`, `properties.${aliasName}`);
  const given = value ?? alias;
  if (given === undefined) throw fail(`'properties.${name}' is required`, `properties.${name}`);
  return given;
}

/** The ConditionError `check` throws, or null. */
function conditionProblem(check: () => unknown): ConditionError | null {
  try {
    check();
    return null;
  } catch (error) {
    if (error instanceof ConditionError) return error;
    throw error;
  }
}

/** The outputs of an element as [output name, target element id]. */
export function outputsOf(element: RouteElement): [string, string][] {
  return Object.entries(element.outputs as Record<string, { elementId: string } | undefined>).flatMap(([name, o]) => (o ? [[name, o.elementId] as [string, string]] : []));
}

function checkGraph(elements: RouteElement[]): void {
  const indexById = new Map<string, number>();
  elements.forEach((e, i) => {
    if (indexById.has(e.id)) throw elementError(i, e.id, e.type, 'duplicate element id', 'id');
    indexById.set(e.id, i);
  });
  const starts = elements.flatMap((e, i) => (e.type === 'start' ? [i] : []));
  if (starts.length !== 1) throw invalidRequest(`A route needs exactly one start element; found ${starts.length}.`, 'elements', 'invalid_route');
  elements.forEach((e, i) => {
    for (const [name, target] of outputsOf(e)) {
      if (!indexById.has(target)) throw elementError(i, e.id, e.type, `output '${name}' points to '${target}', which is not an element of the route`, `outputs.${name}`);
      if (elements[indexById.get(target)!]!.type === 'start') throw elementError(i, e.id, e.type, `output '${name}' points to the start element`, `outputs.${name}`);
      // `end` answers with the last successful model response; running more elements after a model's
      // success (chained models) is not supported, so it is refused rather than silently ignored.
      if (e.type === 'model' && name === 'success' && elements[indexById.get(target)!]!.type !== 'end') {
        throw elementError(i, e.id, e.type, `output 'success' must lead to an end element (elements after a successful model are not supported)`, 'outputs.success');
      }
    }
  });
  // Depth-first from the start: a grey node met again is a cycle. With every output resolved and only
  // `end` lacking required outputs, the absence of cycles means every path ends in an `end` (or in a
  // model/rate element without fallback, which ends the route with that element's error).
  const state = new Array<0 | 1 | 2>(elements.length).fill(0);
  const visit = (i: number): void => {
    state[i] = 1;
    const e = elements[i]!;
    for (const [name, target] of outputsOf(e)) {
      const j = indexById.get(target)!;
      if (state[j] === 1) throw elementError(i, e.id, e.type, `output '${name}' to '${target}' closes a cycle`, `outputs.${name}`);
      if (state[j] === 0) visit(j);
    }
    state[i] = 2;
  };
  visit(starts[0]!);
  const unreachable = state.findIndex((s) => s === 0);
  if (unreachable >= 0) {
    const e = elements[unreachable]!;
    throw elementError(unreachable, e.id, e.type, 'is not reachable from the start element');
  }
  if (!elements.some((e) => e.type === 'end')) throw invalidRequest('A route needs an end element.', 'elements', 'invalid_route');
}

/** A route compiled for walking: elements by id, conditions compiled, percentage branches as cumulative shares. */
export interface CompiledRoute {
  startId: string;
  elements: ReadonlyMap<string, CompiledElement>;
}

export type CompiledElement =
  | { id: string; type: 'start'; next: string }
  | { id: string; type: 'conditional'; condition: CompiledCondition; whenTrue: string; whenFalse: string }
  /** `branches` in document order with cumulative upper bounds in [0, 100]; `otherwise` takes the rest (absent: the request fails). */
  | { id: string; type: 'percentage'; branches: { upTo: number; label: string; next: string }[]; otherwise: string | null }
  | { id: string; type: 'rate'; root: ConditionRoot; path: string[]; key: string; limit: number; limitType: 'count' | 'cost'; window: number; technique: 'fixed' | 'sliding'; success: string; fallback: string | null }
  | { id: string; type: 'model'; provider: ProviderId; model: string; timeout: number | null; retries: number; success: string; fallback: string | null }
  | { id: string; type: 'end' };

/** Compiles a validated document (from `parseRouteDocument`, or read back from storage) for the router. */
export function compileRoute(doc: RouteDocument): CompiledRoute {
  const elements = new Map<string, CompiledElement>();
  let startId = '';
  for (const e of doc.elements) {
    switch (e.type) {
      case 'start':
        startId = e.id;
        elements.set(e.id, { id: e.id, type: 'start', next: e.outputs.next.elementId });
        break;
      case 'conditional':
        elements.set(e.id, { id: e.id, type: 'conditional', condition: compileCondition(e.properties.conditions), whenTrue: e.outputs.true.elementId, whenFalse: e.outputs.false.elementId });
        break;
      case 'percentage': {
        let upTo = 0;
        const branches = Object.entries(e.outputs)
          .filter(([label]) => label !== 'else')
          .map(([label, o]) => ({ upTo: (upTo += Number(label.slice(0, -1))), label, next: o.elementId }));
        elements.set(e.id, { id: e.id, type: 'percentage', branches, otherwise: e.outputs['else']?.elementId ?? null });
        break;
      }
      case 'rate': {
        const { root, segments } = parseFieldPath(e.properties.key);
        elements.set(e.id, { id: e.id, type: 'rate', root, path: segments, ...e.properties, success: e.outputs.success.elementId, fallback: e.outputs.fallback?.elementId ?? null });
        break;
      }
      case 'model':
        elements.set(e.id, {
          id: e.id,
          type: 'model',
          provider: e.properties.provider,
          model: e.properties.model,
          timeout: e.properties.timeout ?? null,
          retries: e.properties.retries,
          success: e.outputs.success.elementId,
          fallback: e.outputs.fallback?.elementId ?? null,
        });
        break;
      case 'end':
        elements.set(e.id, { id: e.id, type: 'end' });
        break;
    }
  }
  return { startId, elements };
}
