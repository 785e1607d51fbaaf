import { COLUMN_WIDTH, lineDiff, routeGraph, ROW_HEIGHT, type RouteElement } from './graph';

const docsExample: RouteElement[] = [
  { id: 's', type: 'start', outputs: { next: { elementId: 'c' } } },
  { id: 'c', type: 'conditional', properties: { conditions: { 'metadata.plan': { $eq: 'free' } } }, outputs: { true: { elementId: 'm_cheap' }, false: { elementId: 'split' } } },
  { id: 'split', type: 'percentage', outputs: { '90%': { elementId: 'm_a' }, else: { elementId: 'm_b' } } },
  { id: 'm_a', type: 'model', properties: { provider: 'openai', model: 'gpt-4.1' }, outputs: { success: { elementId: 'e' }, fallback: { elementId: 'm_cheap' } } },
  { id: 'm_b', type: 'model', properties: { provider: 'anthropic', model: 'claude-sonnet-4-5' }, outputs: { success: { elementId: 'e' }, fallback: { elementId: 'm_cheap' } } },
  { id: 'm_cheap', type: 'model', properties: { provider: 'groq', model: 'llama-3.1-8b-instant' }, outputs: { success: { elementId: 'e' }, fallback: { elementId: 'e' } } },
  { id: 'e', type: 'end', outputs: {} },
];

describe('route graph layout input', () => {
  it('lays elements out in layers by their longest path from start, one edge per output', () => {
    const { nodes, edges } = routeGraph(docsExample);
    const col = Object.fromEntries(nodes.map((n) => [n.id, n.position.x / COLUMN_WIDTH]));
    // m_cheap is reached from c (layer 2) and as the fallback of m_a / m_b (layer 4): the longest path wins.
    expect(col).toEqual({ s: 0, c: 1, split: 2, m_a: 3, m_b: 3, m_cheap: 4, e: 5 });
    expect(nodes.find((n) => n.id === 'm_b')!.position.y).toBe(ROW_HEIGHT);
    expect(nodes.find((n) => n.id === 'm_a')!.data).toEqual({ label: 'model: m_a', type: 'model', detail: 'openai / gpt-4.1' });
    expect(edges).toHaveLength(11);
    expect(edges.filter((e) => e.target === 'm_cheap').map((e) => `${e.source}:${e.label}`).sort()).toEqual(['c:true', 'm_a:fallback', 'm_b:fallback']);
  });

  it('survives cycles, dangling outputs and unreachable elements', () => {
    const { nodes, edges } = routeGraph([
      { id: 'a', type: 'start', outputs: { next: { elementId: 'b' } } },
      { id: 'b', type: 'model', outputs: { success: { elementId: 'a' }, fallback: { elementId: 'ghost' } } },
      { id: 'lonely', type: 'end' },
    ]);
    expect(nodes.map((n) => n.id)).toEqual(['a', 'b', 'lonely']);
    expect(nodes.find((n) => n.id === 'lonely')!.position.x).toBeGreaterThan(nodes.find((n) => n.id === 'b')!.position.x);
    expect(edges.map((e) => e.id)).toEqual(['a-next-b', 'b-success-a']);
    expect(routeGraph([])).toEqual({ nodes: [], edges: [] });
  });

  it('diffs two versions line by line', () => {
    expect(lineDiff('a\nb\nc', 'a\nc\nd')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'remove', text: 'b' },
      { kind: 'same', text: 'c' },
      { kind: 'add', text: 'd' },
    ]);
    expect(lineDiff('', 'x').filter((l) => l.kind !== 'same')).toEqual([
      { kind: 'remove', text: '' },
      { kind: 'add', text: 'x' },
    ]);
  });
});
