/**
 * A bounded map whose entries expire; the in-process half of every cached lookup. An expired entry
 * is no longer returned by `get` but stays (until evicted, replaced or pushed out by the bound) for
 * `getStale`: the last known value when the source cannot be asked.
 */
export class TtlCache<K, V> {
  private readonly map = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  get(key: K, now = Date.now()): V | undefined {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    return entry.expiresAt <= now ? undefined : entry.value;
  }

  /** The value even if expired; undefined only when never set, deleted or pushed out. */
  getStale(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V, now = Date.now()): void {
    if (this.map.size >= this.maxEntries && !this.map.has(key)) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, { value, expiresAt: now + this.ttlMs });
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  deleteWhere(predicate: (key: K, value: V) => boolean): void {
    for (const [k, e] of this.map) if (predicate(k, e.value)) this.map.delete(k);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
