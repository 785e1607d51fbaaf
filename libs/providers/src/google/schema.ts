import { UnsupportedParameterError } from '../types';

/**
 * JSON Schema to the OpenAPI-3.0 subset Gemini's `Schema` accepts (function parameters and responseSchema).
 *
 * - Kept: type (upper-cased), format (the ones Gemini knows), title, description, nullable, enum (strings),
 *   properties, required, items, minItems/maxItems, minLength/maxLength, pattern, minimum/maximum,
 *   minProperties/maxProperties, default, example, anyOf, propertyOrdering.
 * - Rewritten exactly: local `$ref`/`$defs`/`definitions` inlined; `type: [T, "null"]` and an anyOf/oneOf
 *   member `{type:"null"}` to `nullable`; `const` to a one-value enum; `oneOf` of disjoint types to anyOf;
 *   `allOf` of object schemas merged; `examples` to `example`.
 * - Dropped as annotations: `$schema`, `$id`, `$comment`, `additionalProperties: false` (Gemini never adds
 *   undeclared properties), `deprecated`, `readOnly`, `writeOnly`, and unknown `format` values (format is an
 *   annotation in JSON Schema 2020-12).
 * - Anything else that constrains (recursive `$ref`, `additionalProperties` as a schema, `patternProperties`,
 *   `not`, `if/then/else`, tuples, `uniqueItems`, `multipleOf`, exclusive bounds, non-string enums…) cannot be
 *   expressed and raises an UnsupportedParameterError naming the parameter and the schema path: a 400, never
 *   a silent drop.
 */
export function toGeminiSchema(schema: unknown, param: string): Record<string, unknown> {
  const root = (schema ?? {}) as Record<string, unknown>;
  const defs = { ...((root['definitions'] as object) ?? {}), ...((root['$defs'] as object) ?? {}) } as Record<string, unknown>;
  return convert(root, '#', new Set(), { param, defs, root });
}

interface Ctx {
  param: string;
  defs: Record<string, unknown>;
  root: Record<string, unknown>;
}

const GEMINI_FORMATS = new Set(['date-time', 'enum', 'int32', 'int64', 'float', 'double']);
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'deprecated', 'readOnly', 'writeOnly', '$defs', 'definitions', 'strict']);
const COPY = ['title', 'description', 'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'minProperties', 'maxProperties', 'default', 'example', 'propertyOrdering'];
const TYPES: Record<string, string> = { string: 'STRING', number: 'NUMBER', integer: 'INTEGER', boolean: 'BOOLEAN', array: 'ARRAY', object: 'OBJECT' };

function fail(ctx: Ctx, path: string, what: string): never {
  throw new UnsupportedParameterError(ctx.param, `${ctx.param}: the JSON Schema at ${path} uses ${what}, which Gemini cannot express.`);
}

function resolveRef(ref: string, ctx: Ctx, path: string): unknown {
  const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (ref === '#') return ctx.root;
  if (!m) fail(ctx, path, `the non-local $ref '${ref}'`);
  const name = decodeURIComponent(m[2]!).replace(/~1/g, '/').replace(/~0/g, '~');
  const target = ctx.defs[name];
  if (target === undefined) fail(ctx, path, `the unresolved $ref '${ref}'`);
  return target;
}

function convert(input: unknown, path: string, refs: Set<string>, ctx: Ctx): Record<string, unknown> {
  if (input === true || input === undefined) return {};
  if (input === false || !input || typeof input !== 'object' || Array.isArray(input)) fail(ctx, path, 'a schema that is not an object');
  let s = input as Record<string, unknown>;

  if (typeof s['$ref'] === 'string') {
    const ref = s['$ref'];
    if (refs.has(ref)) fail(ctx, path, `the recursive $ref '${ref}'`);
    const { $ref: _ref, ...rest } = s;
    const target = convert(resolveRef(ref, ctx, path), path, new Set([...refs, ref]), ctx);
    s = rest;
    if (!Object.keys(rest).some((k) => !ANNOTATIONS.has(k) && k !== 'description' && k !== 'title')) {
      return { ...target, ...(rest['description'] ? { description: rest['description'] } : {}), ...(rest['title'] ? { title: rest['title'] } : {}) };
    }
    fail(ctx, path, '$ref next to other keywords');
  }

  if (Array.isArray(s['allOf'])) {
    const { allOf, ...rest } = s;
    s = mergeAllOf([rest, ...(allOf as unknown[])], path, refs, ctx);
  }

  const out: Record<string, unknown> = {};
  let nullable = s['nullable'] === true;

  // type: string | string[]
  let types: string[] = [];
  if (typeof s['type'] === 'string') types = [s['type']];
  else if (Array.isArray(s['type'])) types = s['type'] as string[];
  if (types.includes('null')) {
    nullable = true;
    types = types.filter((t) => t !== 'null');
  }

  // anyOf / oneOf
  const union = (s['anyOf'] ?? s['oneOf']) as unknown[] | undefined;
  if (s['anyOf'] && s['oneOf']) fail(ctx, path, 'both anyOf and oneOf');
  if (union !== undefined) {
    if (!Array.isArray(union)) fail(ctx, path, 'a non-array anyOf/oneOf');
    const members = union.filter((m) => !(m && typeof m === 'object' && (m as { type?: unknown }).type === 'null'));
    if (members.length < union.length) nullable = true;
    if (s['oneOf'] && !disjointTypes(members)) fail(ctx, `${path}/oneOf`, 'oneOf with overlapping members (exclusive choice)');
    const converted = members.map((m, i) => convert(m, `${path}/${s['anyOf'] ? 'anyOf' : 'oneOf'}/${i}`, refs, ctx));
    if (converted.length === 1 && types.length === 0) Object.assign(out, converted[0]);
    else if (converted.length) out['anyOf'] = converted;
  }

  if (types.length > 1) {
    if (union !== undefined) fail(ctx, path, 'a type list together with anyOf/oneOf');
    out['anyOf'] = types.map((t) => {
      if (!TYPES[t]) fail(ctx, `${path}/type`, `the type '${t}'`);
      return { type: TYPES[t] };
    });
  } else if (types.length === 1) {
    const t = TYPES[types[0]!];
    if (!t) fail(ctx, `${path}/type`, `the type '${types[0]}'`);
    out['type'] = t;
  }

  for (const [key, value] of Object.entries(s)) {
    if (value === undefined) continue;
    switch (key) {
      case 'type':
      case 'anyOf':
      case 'oneOf':
      case 'nullable':
      case '$ref':
        break;
      case 'properties': {
        const props: Record<string, unknown> = {};
        for (const [name, sub] of Object.entries(value as Record<string, unknown>)) props[name] = convert(sub, `${path}/properties/${name}`, refs, ctx);
        out['properties'] = props;
        if (!out['type'] && types.length === 0) out['type'] = 'OBJECT';
        break;
      }
      case 'required':
        if (Array.isArray(value) && value.length) out['required'] = value;
        break;
      case 'items':
        if (Array.isArray(value)) fail(ctx, `${path}/items`, 'tuple items');
        out['items'] = convert(value, `${path}/items`, refs, ctx);
        break;
      case 'enum': {
        const values = (value as unknown[]).filter((v) => v !== null);
        if ((value as unknown[]).includes(null)) nullable = true;
        if (!values.every((v) => typeof v === 'string')) fail(ctx, `${path}/enum`, 'an enum of non-string values');
        out['enum'] = values;
        if (!out['type']) out['type'] = 'STRING';
        break;
      }
      case 'const':
        if (typeof value !== 'string') fail(ctx, `${path}/const`, 'a non-string const');
        out['enum'] = [value];
        if (!out['type']) out['type'] = 'STRING';
        break;
      case 'format':
        if (GEMINI_FORMATS.has(String(value))) out['format'] = value;
        break;
      case 'examples':
        if (Array.isArray(value) && value.length) out['example'] = value[0];
        break;
      case 'additionalProperties':
        if (value === false) break;
        if (value === true || (value && typeof value === 'object' && !Object.keys(value).length)) break; // the default
        fail(ctx, `${path}/additionalProperties`, 'additionalProperties with a schema (a map)');
        break;
      default:
        if (ANNOTATIONS.has(key)) break;
        if (COPY.includes(key)) {
          out[key] = value;
          break;
        }
        fail(ctx, `${path}/${key}`, `the keyword '${key}'`);
    }
  }
  if (nullable) out['nullable'] = true;
  return out;
}

function disjointTypes(members: unknown[]): boolean {
  const seen = new Set<string>();
  for (const m of members) {
    const t = (m as { type?: unknown })?.type;
    if (typeof t !== 'string' || seen.has(t)) return false;
    seen.add(t);
  }
  return true;
}

function mergeAllOf(parts: unknown[], path: string, refs: Set<string>, ctx: Ctx): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  parts.forEach((raw, i) => {
    let p = raw as Record<string, unknown>;
    if (p && typeof p['$ref'] === 'string') p = resolveRef(p['$ref'], ctx, `${path}/allOf/${i}`) as Record<string, unknown>;
    for (const [k, v] of Object.entries(p ?? {})) {
      if (k === 'properties') merged['properties'] = { ...((merged['properties'] as object) ?? {}), ...(v as object) };
      else if (k === 'required') merged['required'] = [...new Set([...((merged['required'] as string[]) ?? []), ...(v as string[])])];
      else if (k === 'allOf') Object.assign(merged, mergeAllOf(v as unknown[], `${path}/allOf/${i}`, refs, ctx));
      else if (merged[k] !== undefined && JSON.stringify(merged[k]) !== JSON.stringify(v) && !['description', 'title'].includes(k)) fail(ctx, `${path}/allOf/${i}/${k}`, `conflicting '${k}' in allOf`);
      else merged[k] = v;
    }
  });
  return merged;
}
