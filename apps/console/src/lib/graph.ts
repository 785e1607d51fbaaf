/** A dynamic route's elements (docs/routing.md) as the nodes and edges React Flow draws. Pure: graph.spec.ts. */
export interface RouteElement {
  id: string;
  type: string;
  properties?: Record<string, unknown>;
  outputs?: Record<string, { elementId: string }>;
}

export interface GraphNode {
  id: string;
  position: { x: number; y: number };
  data: { label: string; type: string; detail: string };
  type?: string;
}
export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  label: string;
}

export const COLUMN_WIDTH = 220;
export const ROW_HEIGHT = 110;

function detailOf(e: RouteElement): string {
  const p = e.properties ?? {};
  switch (e.type) {
    case 'model':
      return `${String(p['provider'] ?? '?')} / ${String(p['model'] ?? '?')}`;
    case 'conditional':
      return JSON.stringify(p['conditions'] ?? {});
    case 'percentage':
      return Object.keys(e.outputs ?? {}).join(' · ');
    case 'rate':
      return `${String(p['limit'] ?? '?')} per ${String(p['window'] ?? '?')} s`;
    default:
      return '';
  }
}

/**
 * Layered layout: each element's layer is its longest distance from `start` (breadth-first, cycles cut), elements
 * in a layer stacked in document order. Elements not reachable from start go in a last layer so nothing is hidden.
 */
export function routeGraph(elements: RouteElement[]): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const byId = new Map(elements.map((e) => [e.id, e]));
  const layer = new Map<string, number>();
  const start = elements.find((e) => e.type === 'start') ?? elements[0];
  if (start) {
    layer.set(start.id, 0);
    const queue = [start.id];
    const visits = new Map<string, number>();
    while (queue.length) {
      const id = queue.shift()!;
      const count = (visits.get(id) ?? 0) + 1;
      visits.set(id, count);
      if (count > elements.length) continue; // a cycle: stop deepening
      for (const out of Object.values(byId.get(id)?.outputs ?? {})) {
        if (!byId.has(out.elementId)) continue;
        const next = (layer.get(id) ?? 0) + 1;
        if ((layer.get(out.elementId) ?? -1) < next && next < elements.length) {
          layer.set(out.elementId, next);
          queue.push(out.elementId);
        }
      }
    }
  }
  const maxLayer = Math.max(0, ...layer.values());
  const rows = new Map<number, number>();
  const nodes = elements.map((e) => {
    const col = layer.get(e.id) ?? maxLayer + 1;
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    return { id: e.id, position: { x: col * COLUMN_WIDTH, y: row * ROW_HEIGHT }, data: { label: `${e.type}: ${e.id}`, type: e.type, detail: detailOf(e) } };
  });
  const edges = elements.flatMap((e) =>
    Object.entries(e.outputs ?? {})
      .filter(([, out]) => byId.has(out.elementId))
      .map(([label, out]) => ({ id: `${e.id}-${label}-${out.elementId}`, source: e.id, target: out.elementId, label })),
  );
  return { nodes, edges };
}

export type DiffLine = { kind: 'same' | 'add' | 'remove'; text: string };

/** Line diff (longest common subsequence) of two texts, for comparing route versions. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ kind: 'remove', text: a[i++]! });
    else out.push({ kind: 'add', text: b[j++]! });
  }
  while (i < a.length) out.push({ kind: 'remove', text: a[i++]! });
  while (j < b.length) out.push({ kind: 'add', text: b[j++]! });
  return out;
}
