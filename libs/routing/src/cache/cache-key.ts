import { hash } from 'node:crypto';
import type { ChatRequest } from '@switchyard/types';

/**
 * Request fields that do not change the answer, left out of the key: the model name (the resolved target
 * stands for it), how usage is reported (always requested upstream, shaped for the client at the edge), and
 * the caller's labels.
 */
const NOT_IN_KEY = new Set(['model', 'stream_options', 'user', 'metadata', 'store']);

/** JSON with object keys sorted at every level: the same value gives the same text whatever its key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // Built as one string, without the intermediate arrays (about twice as fast, the same text).
  let text: string;
  if (Array.isArray(value)) {
    text = '[';
    for (let i = 0; i < value.length; i += 1) text += (i ? ',' : '') + canonicalJson(value[i]);
    return `${text}]`;
  }
  text = '{';
  for (const k of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) text += (text.length > 1 ? ',' : '') + JSON.stringify(k) + ':' + canonicalJson(v);
  }
  return `${text}}`;
}

/** The request as far as it decides the answer: every field but those in NOT_IN_KEY, key order irrelevant; `stream` false when absent. */
export function normalizedRequest(request: ChatRequest): string {
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(request)) if (!NOT_IN_KEY.has(k)) kept[k] = v;
  kept['stream'] = request.stream === true;
  return canonicalJson(kept);
}

/** What a cache entry is keyed by. */
export interface CacheKeyParts {
  projectId: string;
  /** The project's version when `cache_invalidate_on_update` is on (a change starts a new generation), else null. */
  generation: number | null;
  /** The `customer_identifier` when `cache_by_customer` is on, else null. */
  customer: string | null;
  /** `x-gateway-cache-key`, else null. */
  customKey: string | null;
  stream: boolean;
  /** The first resolved target: connection id and upstream model. */
  target: string;
  /** Computed only when there is no custom key. */
  request: () => string;
}

/** The entry's hash: SHA-256 over the parts, each length-prefixed so that no two part lists collide. */
export function cacheKeyHash(p: CacheKeyParts): string {
  const parts = [
    'v1',
    p.projectId,
    p.generation === null ? '' : String(p.generation),
    p.customer ?? '',
    p.stream ? 'stream' : 'json',
    ...(p.customKey !== null ? ['custom', p.customKey] : ['request', p.target, p.request()]),
  ];
  // One string, hashed in one call (the same bytes as updating part by part, without a Hash object per call).
  let text = '';
  for (const part of parts) text += `${part.length}:${part}`;
  return hash('sha256', text, 'hex');
}
