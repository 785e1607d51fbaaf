import { checkExtractionSchema, STARTER_SCHEMA } from './schema';

describe('checkExtractionSchema', () => {
  it('accepts the starter schema and an object schema with nested fields', () => {
    expect(checkExtractionSchema(STARTER_SCHEMA)).toMatchObject({ ok: true, schema: { type: 'object' } });
    const nested = '{"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"n":{"type":"number"}}}}},"required":["items"]}';
    expect(checkExtractionSchema(nested)).toEqual({ ok: true, schema: JSON.parse(nested) });
  });

  it.each([
    ['', 'The schema is empty.'],
    ['{"type": "object",', /^Not JSON: /],
    ['[1, 2]', 'The schema must be a JSON object.'],
    ['{"type":"string"}', 'The schema must describe an object: "type": "object".'],
    ['{"type":"object"}', '"properties" must be an object naming at least one field.'],
    ['{"type":"object","properties":{}}', '"properties" must be an object naming at least one field.'],
    ['{"type":"object","properties":{"a":"string"}}', 'properties.a must be a schema object, e.g. {"type": "string"}.'],
    ['{"type":"object","properties":{"a":{}},"required":"a"}', '"required" must be an array of field names.'],
    ['{"type":"object","properties":{"a":{}},"required":["a","b"]}', '"required" names "b", which is not in "properties".'],
  ])('refuses %j', (text, error) => {
    const check = checkExtractionSchema(text);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.error).toMatch(error);
  });
});
