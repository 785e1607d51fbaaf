import { DocumentError } from '../pipeline/document.exception';

type JsonSchema = Record<string, unknown>;

const SCALARS: Record<string, JsonSchema> = {
  string: { type: 'string' },
  str: { type: 'string' },
  text: { type: 'string' },
  number: { type: 'number' },
  float: { type: 'number' },
  decimal: { type: 'number' },
  integer: { type: 'integer' },
  int: { type: 'integer' },
  boolean: { type: 'boolean' },
  bool: { type: 'boolean' },
  date: { type: 'string', description: 'date, ISO 8601 (YYYY-MM-DD) when possible' },
  datetime: { type: 'string', description: 'date and time, ISO 8601 when possible' },
};

const nullable = (s: JsonSchema): JsonSchema => {
  const t = s['type'];
  return typeof t === 'string' ? { ...s, type: [t, 'null'] } : s;
};

/**
 * Converts a Dynamiq-style example-shaped template (`{"total":"number","items":[{"name":"string"}]}`)
 * into a JSON Schema: type names become types, arrays take their first element as the item shape,
 * every key is required but may be null (absent values), and no other keys are allowed.
 */
export function templateToSchema(template: unknown, path = '$'): JsonSchema {
  if (Array.isArray(template)) {
    if (template.length === 0) return { type: 'array', items: {} };
    return { type: 'array', items: templateToSchema(template[0], `${path}[0]`) };
  }
  if (template !== null && typeof template === 'object') {
    const entries = Object.entries(template as Record<string, unknown>);
    const properties: Record<string, JsonSchema> = {};
    for (const [key, value] of entries) {
      const child = templateToSchema(value, `${path}.${key}`);
      properties[key] = child['type'] === 'object' || child['type'] === 'array' ? child : nullable(child);
    }
    return { type: 'object', properties, required: entries.map(([k]) => k), additionalProperties: false };
  }
  if (typeof template === 'string') {
    const known = SCALARS[template.trim().toLowerCase()];
    // Anything else is a description of a string field ("name of the store").
    return known ? { ...known } : { type: 'string', description: template };
  }
  if (typeof template === 'number') return { type: Number.isInteger(template) ? 'integer' : 'number' };
  if (typeof template === 'boolean') return { type: 'boolean' };
  throw new DocumentError('invalid_template', `Template value at ${path} must be a type name, an object or an array.`);
}

/** A template may arrive as a JSON string (Dynamiq's `options.template`) or as an object. */
export function parseTemplate(template: unknown): unknown {
  if (typeof template !== 'string') return template;
  try {
    return JSON.parse(template);
  } catch {
    throw new Error('template is not valid JSON');
  }
}
