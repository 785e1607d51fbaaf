/**
 * The collector's ingest queue, a Redis Stream of accepted spans and runs, shared by the collector (which
 * appends what its OTLP endpoint accepts and whose writers store it) and the router and documents worker (which
 * append the gateway's own spans there, the same durable path as a client's export).
 */
export type IngestItemKind = 'spans' | 'runs';

/** Redis keys of the ingest queue, all under REDIS_PREFIX. */
export function ingestQueueKeys(prefix: string) {
  return {
    stream: `${prefix}:collector:ingest`,
    /** Items (spans or runs) accepted and not yet acknowledged by a writer: the backpressure gauge. */
    depth: `${prefix}:collector:ingest:depth`,
    deadLetter: `${prefix}:collector:dead`,
    group: 'writers',
  };
}

/**
 * Appends one batch of records to the stream and counts them, atomically, unless the queue is at its
 * high-water mark. KEYS: stream, depth. ARGV: high-water mark, project id, kind, record count, records (JSON
 * array text). Returns the entry id, or 0 when refused. Entry fields: `p` project, `k` kind, `n` count, `d` records.
 */
export const INGEST_ENQUEUE_SCRIPT = `
local depth = tonumber(redis.call('GET', KEYS[2]) or '0')
if depth >= tonumber(ARGV[1]) then return 0 end
local id = redis.call('XADD', KEYS[1], '*', 'p', ARGV[2], 'k', ARGV[3], 'n', ARGV[4], 'd', ARGV[5])
redis.call('INCRBY', KEYS[2], ARGV[4])
return id`;
