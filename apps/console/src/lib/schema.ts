/**
 * The extraction schema editor's check before submit: the text must be JSON, a JSON Schema of an object (the
 * structured-output answer is one), its `properties` schemas, `required` naming only those properties.
 * The documents service compiles it with ajv as well; this catches typos before a job is created.
 */
export type SchemaCheck = { ok: true; schema: Record<string, unknown> } | { ok: false; error: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkExtractionSchema(text: string): SchemaCheck {
  if (!text.trim()) return { ok: false, error: 'The schema is empty.' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `Not JSON: ${(e as Error).message}` };
  }
  if (!isObject(value)) return { ok: false, error: 'The schema must be a JSON object.' };
  if (value['type'] !== 'object') return { ok: false, error: 'The schema must describe an object: "type": "object".' };
  const props = value['properties'];
  if (!isObject(props) || Object.keys(props).length === 0) return { ok: false, error: '"properties" must be an object naming at least one field.' };
  for (const [name, prop] of Object.entries(props)) {
    if (!isObject(prop)) return { ok: false, error: `properties.${name} must be a schema object, e.g. {"type": "string"}.` };
  }
  const required = value['required'];
  if (required !== undefined) {
    if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) return { ok: false, error: '"required" must be an array of field names.' };
    const unknown = required.find((r) => !(r in props));
    if (unknown !== undefined) return { ok: false, error: `"required" names "${unknown}", which is not in "properties".` };
  }
  return { ok: true, schema: value };
}

/** The editor's starting text. */
export const STARTER_SCHEMA = JSON.stringify(
  { type: 'object', properties: { title: { type: 'string' }, summary: { type: 'string' } }, required: ['title', 'summary'], additionalProperties: false },
  null,
  2,
);
