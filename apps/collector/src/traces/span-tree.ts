/** Orders spans as a tree walk: each root (no parent, or a parent not in the set) then its descendants, siblings by start. */
export function treeOrder<T extends { span_id: string; parent_span_id: string | null; start_ns: string }>(spans: T[]): T[] {
  const byStart = [...spans].sort((a, b) => (BigInt(a.start_ns) < BigInt(b.start_ns) ? -1 : BigInt(a.start_ns) > BigInt(b.start_ns) ? 1 : a.span_id.localeCompare(b.span_id)));
  const ids = new Set(byStart.map((s) => s.span_id));
  const children = new Map<string, T[]>();
  const roots: T[] = [];
  for (const s of byStart) {
    if (s.parent_span_id && ids.has(s.parent_span_id) && s.parent_span_id !== s.span_id) {
      const c = children.get(s.parent_span_id);
      if (c) c.push(s);
      else children.set(s.parent_span_id, [s]);
    } else roots.push(s);
  }
  const out: T[] = [];
  const seen = new Set<string>();
  const visit = (s: T) => {
    if (seen.has(s.span_id)) return;
    seen.add(s.span_id);
    out.push(s);
    for (const c of children.get(s.span_id) ?? []) visit(c);
  };
  roots.forEach(visit);
  for (const s of byStart) visit(s); // spans caught in a parent cycle
  return out;
}
