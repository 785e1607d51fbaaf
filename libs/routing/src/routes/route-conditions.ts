/**
 * The Mongo-style conditions of a dynamic route's `conditional` element (Cloudflare: "a MongoDB-like
 * expression over request body, headers and metadata"). A condition is compiled once, when the route is
 * saved or loaded, into a small tree; evaluating it per request is a walk over that tree with no parsing
 * and no regex compilation.
 *
 * Grammar: an object whose keys are field paths (`metadata.plan`, `headers.user-agent`, `body.model`,
 * `customer.id`) or the logical operators `$and`/`$or` (arrays of conditions) and `$not` (a condition).
 * A path's value is either a literal (shorthand for `$eq`) or an object of comparison operators, all of
 * which must hold: `$eq $ne $in $nin $gt $gte $lt $lte $exists $regex` (with optional `$options`) and
 * `$not` (an operator object that must not hold). Several keys in one object are ANDed.
 */

/** The roots a condition (or a `rate` key) may read. */
export const CONDITION_ROOTS = ['metadata', 'headers', 'body', 'customer'] as const;
export type ConditionRoot = (typeof CONDITION_ROOTS)[number];

/**
 * Request headers a condition may read (lower case). Credentials (`authorization`, `x-api-key`,
 * `cf-aig-authorization`, cookies) are deliberately absent, so a route can never branch on a secret.
 */
export const CONDITION_HEADERS: readonly string[] = [
  'user-agent',
  'accept-language',
  'origin',
  'referer',
  'x-forwarded-for',
  'x-real-ip',
  'x-request-id',
  'x-client-name',
  'x-client-version',
  'x-gateway-environment',
];

/** What a condition is evaluated against: the request's metadata, allow-listed headers, parsed body and customer. */
export interface ConditionContext {
  metadata: Readonly<Record<string, unknown>>;
  headers: Readonly<Record<string, string>>;
  body: unknown;
  customer: Readonly<Record<string, unknown>>;
}

type Comparison =
  | { op: '$eq' | '$ne'; value: unknown }
  | { op: '$in' | '$nin'; values: unknown[] }
  | { op: '$gt' | '$gte' | '$lt' | '$lte'; value: number | string }
  | { op: '$exists'; value: boolean }
  | { op: '$regex'; regex: RegExp }
  | { op: '$not'; comparisons: Comparison[] };

/** A compiled condition. */
export type CompiledCondition =
  | { kind: 'and'; all: CompiledCondition[] }
  | { kind: 'or'; any: CompiledCondition[] }
  | { kind: 'not'; condition: CompiledCondition }
  | { kind: 'field'; root: ConditionRoot; path: string[]; comparisons: Comparison[] };

/** A malformed condition; `path` locates the offending part inside the condition (`$and[1].metadata.plan`). */
export class ConditionError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'ConditionError';
  }
}

const MAX_DEPTH = 8;
const MAX_REGEX_LENGTH = 256;
const MAX_IN_VALUES = 100;
const REGEX_OPTIONS = /^[imsu]*$/;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/**
 * Splits and checks a field path (`metadata.plan`, `body.messages.0.role`): a known root, then at least
 * one segment; `headers.*` must name an allow-listed header. Shared with the `rate` element's `key`.
 */
export function parseFieldPath(path: string): { root: ConditionRoot; segments: string[] } {
  const [root, ...segments] = path.split('.');
  if (!(CONDITION_ROOTS as readonly string[]).includes(root ?? '') || segments.length === 0 || segments.some((s) => s === '')) {
    throw new ConditionError(`'${path}' is not a field path: use metadata.<key>, headers.<name>, body.<field> or customer.<field>`, path);
  }
  if (root === 'headers') {
    const name = segments.join('.').toLowerCase();
    if (!CONDITION_HEADERS.includes(name)) throw new ConditionError(`header '${name}' may not be used in a route; allowed: ${CONDITION_HEADERS.join(', ')}`, path);
    return { root, segments: [name] };
  }
  return { root: root as ConditionRoot, segments };
}

/** Compiles a condition, or throws a ConditionError naming the bad part. */
export function compileCondition(raw: unknown): CompiledCondition {
  return compileObject(raw, '', 0);
}

function join(at: string, part: string): string {
  return at ? `${at}.${part}` : part;
}

function compileObject(raw: unknown, at: string, depth: number): CompiledCondition {
  if (depth > MAX_DEPTH) throw new ConditionError(`conditions nest deeper than ${MAX_DEPTH} levels`, at);
  if (!isPlainObject(raw)) throw new ConditionError('a condition must be an object', at);
  const keys = Object.keys(raw);
  if (keys.length === 0) throw new ConditionError('a condition must not be empty', at);
  const parts = keys.map((key): CompiledCondition => {
    const value = raw[key];
    const here = join(at, key);
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) throw new ConditionError(`${key} takes a non-empty array of conditions`, here);
      const items = value.map((item, i) => compileObject(item, `${here}[${i}]`, depth + 1));
      return key === '$and' ? { kind: 'and', all: items } : { kind: 'or', any: items };
    }
    if (key === '$not') return { kind: 'not', condition: compileObject(value, here, depth + 1) };
    if (key.startsWith('$')) throw new ConditionError(`unknown operator '${key}'`, here);
    let field: { root: ConditionRoot; segments: string[] };
    try {
      field = parseFieldPath(key);
    } catch (error) {
      throw new ConditionError((error as Error).message, here);
    }
    return { kind: 'field', root: field.root, path: field.segments, comparisons: compileComparisons(value, here) };
  });
  return parts.length === 1 ? parts[0]! : { kind: 'and', all: parts };
}

function compileComparisons(raw: unknown, at: string): Comparison[] {
  // A literal (or an object without operators) is shorthand for $eq.
  if (!isPlainObject(raw) || !Object.keys(raw).some((k) => k.startsWith('$'))) return [{ op: '$eq', value: raw }];
  const out: Comparison[] = [];
  for (const [op, value] of Object.entries(raw)) {
    const here = join(at, op);
    switch (op) {
      case '$eq':
      case '$ne':
        out.push({ op, value });
        break;
      case '$in':
      case '$nin':
        if (!Array.isArray(value) || value.length > MAX_IN_VALUES) throw new ConditionError(`${op} takes an array of at most ${MAX_IN_VALUES} values`, here);
        out.push({ op, values: value });
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        if (typeof value !== 'number' && typeof value !== 'string') throw new ConditionError(`${op} takes a number or a string`, here);
        out.push({ op, value });
        break;
      case '$exists':
        if (typeof value !== 'boolean') throw new ConditionError('$exists takes true or false', here);
        out.push({ op, value });
        break;
      case '$regex': {
        const flags = raw['$options'] ?? '';
        if (typeof value !== 'string' || value.length > MAX_REGEX_LENGTH) throw new ConditionError(`$regex takes a pattern of at most ${MAX_REGEX_LENGTH} characters`, here);
        if (typeof flags !== 'string' || !REGEX_OPTIONS.test(flags)) throw new ConditionError("$options takes the flags 'i', 'm', 's', 'u'", join(at, '$options'));
        try {
          out.push({ op, regex: new RegExp(value, flags) });
        } catch {
          throw new ConditionError('$regex is not a valid regular expression', here);
        }
        break;
      }
      case '$options':
        if (!('$regex' in raw)) throw new ConditionError('$options needs $regex', here);
        break;
      case '$not':
        if (!isPlainObject(value)) throw new ConditionError('$not takes an operator object such as {"$eq": "free"}', here);
        out.push({ op, comparisons: compileComparisons(value, here) });
        break;
      default:
        throw new ConditionError(`unknown operator '${op}'`, here);
    }
  }
  return out;
}

/** Evaluates a compiled condition against one request. */
export function evaluateCondition(condition: CompiledCondition, ctx: ConditionContext): boolean {
  switch (condition.kind) {
    case 'and':
      return condition.all.every((c) => evaluateCondition(c, ctx));
    case 'or':
      return condition.any.some((c) => evaluateCondition(c, ctx));
    case 'not':
      return !evaluateCondition(condition.condition, ctx);
    case 'field': {
      const value = readPath(ctx[condition.root], condition.path);
      return condition.comparisons.every((c) => compare(c, value));
    }
  }
}

/** Reads `segments` from `root` (objects by key, arrays by index); undefined when absent. */
export function readPath(root: unknown, segments: readonly string[]): unknown {
  let value = root;
  for (const segment of segments) {
    if (Array.isArray(value)) value = /^\d+$/.test(segment) ? value[Number(segment)] : undefined;
    else if (isPlainObject(value)) value = Object.prototype.hasOwnProperty.call(value, segment) ? value[segment] : undefined;
    else return undefined;
  }
  return value;
}

function compare(c: Comparison, value: unknown): boolean {
  switch (c.op) {
    case '$eq':
      return equals(value, c.value);
    case '$ne':
      return !equals(value, c.value);
    case '$in':
      return c.values.some((v) => equals(value, v));
    case '$nin':
      return !c.values.some((v) => equals(value, v));
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return ordered(c.op, value, c.value);
    case '$exists':
      return (value !== undefined) === c.value;
    case '$regex':
      return typeof value === 'string' && c.regex.test(value);
    case '$not':
      return !c.comparisons.every((inner) => compare(inner, value));
  }
}

/** Equality as Mongo has it for our values: scalars strictly, arrays and objects structurally; absent equals null. */
function equals(a: unknown, b: unknown): boolean {
  if (a === undefined) return b === null || b === undefined;
  if (isScalar(a) || isScalar(b)) return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => equals(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => equals(a[k], b[k]));
  }
  return false;
}

/** Ordering compares numbers with numbers and strings with strings only (no coercion, as in Mongo). */
function ordered(op: '$gt' | '$gte' | '$lt' | '$lte', value: unknown, bound: number | string): boolean {
  if (typeof value !== typeof bound) return false;
  const v = value as number | string;
  switch (op) {
    case '$gt':
      return v > bound;
    case '$gte':
      return v >= bound;
    case '$lt':
      return v < bound;
    case '$lte':
      return v <= bound;
  }
}
