import { GatewayError } from '@switchyard/types';
import { compileRoute, parseRouteDocument } from './route-document';
import { supportRoute } from '@switchyard/testing';

type Doc = ReturnType<typeof supportRoute>;
type Element = Doc['elements'][number] & Record<string, unknown>;

/** The worked example with element `id` replaced by `change(element)`. */
function edited(id: string, change: (e: Element) => unknown): Doc {
  const doc = supportRoute();
  return { ...doc, elements: doc.elements.map((e) => (e.id === id ? (change(structuredClone(e) as Element) as Element) : e)) };
}

function refusal(doc: unknown): GatewayError {
  try {
    parseRouteDocument(doc);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('the document was accepted');
}

describe('parseRouteDocument', () => {
  it('accepts the worked example and keeps it as written', () => {
    const doc = parseRouteDocument(supportRoute());
    expect(doc.name).toBe('support');
    expect(doc.elements.map((e) => e.type)).toEqual(['start', 'conditional', 'rate', 'percentage', 'model', 'model', 'model', 'end']);
    expect(doc.elements[2]).toEqual({
      id: 'budget',
      type: 'rate',
      properties: { key: 'metadata.user_id', limitType: 'cost', limit: 5, window: 86400, technique: 'fixed' },
      outputs: { success: { elementId: 'split' }, fallback: { elementId: 'm_cheap' } },
    });
  });

  it('normalizes the prose-doc aliases to the API names', () => {
    const doc = supportRoute();
    doc.elements[1] = { ...doc.elements[1], properties: { condition: { 'metadata.plan': 'free' } } } as never;
    doc.elements[2] = {
      id: 'budget',
      type: 'rate_limit',
      properties: { key: 'metadata.user_id', limit: 100, interval: 60, technique: 'sliding' },
      outputs: { success: { elementId: 'split' } },
    } as never;
    doc.elements[4] = { ...doc.elements[4], properties: { provider: 'gemini', model: 'gemini-2.0-flash' } } as never;
    const parsed = parseRouteDocument(doc);
    expect(parsed.elements[1]).toMatchObject({ type: 'conditional', properties: { conditions: { 'metadata.plan': 'free' } } });
    expect(parsed.elements[2]).toEqual({
      id: 'budget',
      type: 'rate',
      properties: { key: 'metadata.user_id', limit: 100, limitType: 'count', window: 60, technique: 'sliding' },
      outputs: { success: { elementId: 'split' } },
    });
    expect(parsed.elements[4]).toMatchObject({ properties: { provider: 'google-ai-studio', model: 'gemini-2.0-flash', retries: 0 } });
  });

  it.each<[string, () => unknown, string, string]>([
    ['no elements', () => ({ elements: [] }), 'elements', "'elements'"],
    ['an unknown element type', () => edited('split', (e) => ({ ...e, type: 'random' })), 'elements[3].type', "Route element 'split': unknown type \"random\""],
    ['an unknown field', () => edited('m_a', (e) => ({ ...e, colour: 'red' })), 'elements[4].colour', "Route element 'm_a' (model): invalid value for 'colour'"],
    ['an unknown provider', () => edited('m_cheap', (e) => ({ ...e, properties: { provider: 'workers-ai', model: '@cf/meta/llama-3.1-8b-instruct' } })), 'elements[6].properties.provider', "'m_cheap' (model): unknown provider 'workers-ai'"],
    ['too many retries', () => edited('m_a', (e) => ({ ...e, properties: { provider: 'openai', model: 'gpt-4.1', retries: 9 } })), 'elements[4].properties.retries', "'m_a' (model): invalid value for 'properties.retries'"],
    ['a model without success', () => edited('m_a', (e) => ({ ...e, outputs: { fallback: { elementId: 'e' } } })), 'elements[4].outputs.success', "'m_a' (model)"],
    ['a bad condition', () => edited('c', (e) => ({ ...e, properties: { conditions: { 'metadata.plan': { $like: 'f%' } } } })), 'elements[1].properties.conditions.metadata.plan.$like', "'c' (conditional): condition 'metadata.plan.$like' unknown operator '$like'"],
    ['a missing condition', () => edited('c', (e) => ({ ...e, properties: {} })), 'elements[1].properties.conditions', "'c' (conditional): 'properties.conditions' is required"],
    ['a conditional without false', () => edited('c', (e) => ({ ...e, outputs: { true: { elementId: 'm_cheap' } } })), 'elements[1].outputs.false', "'c' (conditional)"],
    ['percentages over 100', () => edited('split', (e) => ({ ...e, outputs: { '90%': { elementId: 'm_a' }, '20%': { elementId: 'm_b' } } })), 'elements[3].outputs', "'split' (percentage): percentages add up to 110%"],
    ['a bad percentage key', () => edited('split', (e) => ({ ...e, outputs: { half: { elementId: 'm_a' }, else: { elementId: 'm_b' } } })), 'elements[3].outputs.half', "'split' (percentage): output 'half' is not a percentage"],
    ['a zero percentage', () => edited('split', (e) => ({ ...e, outputs: { '0%': { elementId: 'm_a' }, else: { elementId: 'm_b' } } })), 'elements[3].outputs.0%', "output '0%'"],
    [
      'six branches',
      () => edited('split', (e) => ({ ...e, outputs: Object.fromEntries(['1%', '2%', '3%', '4%', '5%', '6%'].map((k) => [k, { elementId: 'm_a' }])) })),
      'elements[3].outputs',
      "'split' (percentage): has 6 branches; at most 5",
    ],
    ['only else', () => edited('split', (e) => ({ ...e, outputs: { else: { elementId: 'm_a' } } })), 'elements[3].outputs', 'needs at least one output'],
    ['a rate key outside the roots', () => edited('budget', (e) => ({ ...e, properties: { key: 'user_id', limit: 5, window: 60 } })), 'elements[2].properties.key', "'budget' (rate): key 'user_id' is not a field path"],
    ['a rate on a secret header', () => edited('budget', (e) => ({ ...e, properties: { key: 'headers.authorization', limit: 5, window: 60 } })), 'elements[2].properties.key', "header 'authorization' may not be used"],
    ['a rate without window', () => edited('budget', (e) => ({ ...e, properties: { key: 'metadata.user_id', limit: 5 } })), 'elements[2].properties.window', "'budget' (rate): 'properties.window' is required"],
    ['a fractional count limit', () => edited('budget', (e) => ({ ...e, properties: { key: 'metadata.user_id', limit: 2.5, window: 60 } })), 'elements[2].properties.limit', 'whole number'],
    ['a bad limitType', () => edited('budget', (e) => ({ ...e, properties: { key: 'metadata.user_id', limit: 5, window: 60, limitType: 'tokens' } })), 'elements[2].properties.limitType', "'budget' (rate)"],
    ['a duplicate id', () => edited('m_b', (e) => ({ ...e, id: 'm_a' })), 'elements[5].id', "'m_a' (model): duplicate element id"],
    ['an output to nowhere', () => edited('m_a', (e) => ({ ...e, outputs: { success: { elementId: 'e' }, fallback: { elementId: 'ghost' } } })), 'elements[4].outputs.fallback', "'m_a' (model): output 'fallback' points to 'ghost'"],
    ['an output back to start', () => edited('m_a', (e) => ({ ...e, outputs: { success: { elementId: 'e' }, fallback: { elementId: 's' } } })), 'elements[4].outputs.fallback', 'points to the start element'],
    ['a cycle', () => edited('m_cheap', (e) => ({ ...e, outputs: { success: { elementId: 'e' }, fallback: { elementId: 'c' } } })), 'elements[6].outputs.fallback', "'m_cheap' (model): output 'fallback' to 'c' closes a cycle"],
    ['a model success that is not the end', () => edited('m_a', (e) => ({ ...e, outputs: { success: { elementId: 'm_b' } } })), 'elements[4].outputs.success', "output 'success' must lead to an end element"],
    ['an unreachable element', () => ({ elements: [...supportRoute().elements, { id: 'orphan', type: 'end' }] }), 'elements[8]', "Route element 'orphan' (end): is not reachable from the start element"],
    ['two starts', () => ({ elements: [...supportRoute().elements, { id: 's2', type: 'start', outputs: { next: { elementId: 'e' } } }] }), 'elements', 'exactly one start element; found 2'],
    ['no start', () => ({ elements: [{ id: 'e', type: 'end' }] }), 'elements', 'exactly one start element; found 0'],
  ])('refuses %s with a 400 naming it', (_, doc, param, message) => {
    const error = refusal(doc());
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_route');
    expect(error.param).toBe(param);
    expect(error.message).toContain(message);
  });
});

describe('compileRoute', () => {
  it('turns percentage outputs into cumulative shares in document order', () => {
    const doc = parseRouteDocument(
      edited('split', (e) => ({ ...e, outputs: { '70%': { elementId: 'm_a' }, '20%': { elementId: 'm_b' }, '10%': { elementId: 'm_cheap' } } })),
    );
    expect(compileRoute(doc).elements.get('split')).toEqual({
      id: 'split',
      type: 'percentage',
      branches: [
        { upTo: 70, label: '70%', next: 'm_a' },
        { upTo: 90, label: '20%', next: 'm_b' },
        { upTo: 100, label: '10%', next: 'm_cheap' },
      ],
      otherwise: null,
    });
  });

  it('splits the rate key into root and path', () => {
    const route = compileRoute(parseRouteDocument(supportRoute()));
    expect(route.startId).toBe('s');
    expect(route.elements.get('budget')).toMatchObject({ root: 'metadata', path: ['user_id'], limitType: 'cost', window: 86400, success: 'split', fallback: 'm_cheap' });
    expect(route.elements.get('m_cheap')).toEqual({ id: 'm_cheap', type: 'model', provider: 'groq', model: 'llama-3.1-8b-instant', timeout: 30000, retries: 1, success: 'e', fallback: 'e' });
  });
});
