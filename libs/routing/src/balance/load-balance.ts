/** How a group picks the member that is tried first (the others follow as fallbacks, heaviest first). */
export type BalanceStrategy = 'weighted' | 'least-latency' | 'sticky';

export interface BalanceMember {
  model: string;
  weight: number;
}

/** A load-balance group, inline (Keywords AI `load_balance_group.models`) or saved (`group_id`). */
export interface BalanceGroup {
  /** The saved group's name or id; null for an inline group. */
  id: string | null;
  strategy: BalanceStrategy;
  /** For `sticky`: `customer_identifier` or `metadata.<key>`. */
  stickyKey: string;
  members: readonly BalanceMember[];
}

export interface BalanceDraw {
  random: () => number;
  /** The sticky key's value for this request (null: absent, the draw is random). */
  stickyValue?: string | null;
  /** `least-latency`: a member's score, lower is better (undefined: no data yet, tried as if best). */
  score?: (member: BalanceMember) => number | undefined;
}

/**
 * The members in the order they are tried: the strategy's choice first, then the others by weight (heaviest
 * first, members of weight 0 last: they are fallbacks only). Pure; the draw's randomness and scores are given.
 */
export function orderGroup(group: BalanceGroup, draw: BalanceDraw): BalanceMember[] {
  const { members } = group;
  const first = members.length === 1 ? 0 : pickFirst(group, draw);
  const rest = members.filter((_, i) => i !== first).sort((a, b) => b.weight - a.weight);
  return [members[first]!, ...rest];
}

function pickFirst(group: BalanceGroup, draw: BalanceDraw): number {
  const { members, strategy } = group;
  if (strategy === 'sticky' && draw.stickyValue != null) return weightedIndex(members, hashUnit(draw.stickyValue));
  const a = weightedIndex(members, draw.random());
  if (strategy !== 'least-latency' || !draw.score) return a;
  // Power of two choices: a second weighted draw among the others, the lower score wins.
  const b = weightedIndex(members, draw.random(), a);
  if (b === a) return a;
  const sa = draw.score(members[a]!) ?? 0;
  const sb = draw.score(members[b]!) ?? 0;
  return sb < sa ? b : a;
}

/** The member whose cumulative weight band holds `u` (0 <= u < 1), `skip` left out; members of weight 0 are never drawn. */
export function weightedIndex(members: readonly BalanceMember[], u: number, skip = -1): number {
  let total = 0;
  for (let i = 0; i < members.length; i++) if (i !== skip) total += members[i]!.weight;
  if (total <= 0) return skip;
  let at = u * total;
  let last = skip;
  for (let i = 0; i < members.length; i++) {
    if (i === skip || members[i]!.weight <= 0) continue;
    last = i;
    at -= members[i]!.weight;
    if (at < 0) return i;
  }
  return last;
}

/** FNV-1a of the text, as a number in [0, 1): the same value always lands on the same member. */
export function hashUnit(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Avalanche the low bits (FNV's last bytes mix poorly for short keys that differ at the end).
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 0x1_0000_0000;
}
