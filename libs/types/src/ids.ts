import { randomBytes } from 'node:crypto';
import { v7 } from 'uuid';

/** Time-ordered UUIDv7, the id of every row that is not a slug. */
export const newId = (): string => v7();

/** Drawn once per process: what makes `processUniqueId` unique across processes. */
const PROCESS_PREFIX = randomBytes(9).toString('base64url');
let processSeq = 0;

/**
 * A short id unique across processes (a random prefix drawn once per process) and over time (a counter): for ids
 * made per request that only need to differ (a reservation's member in a sliding window, a cache fill's lock
 * token), without a UUIDv7's random bytes and clock read per call. Not time-ordered, not secret.
 */
export const processUniqueId = (): string => PROCESS_PREFIX + (processSeq++).toString(36);

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Uniformly random base62 string (rejection sampling, no modulo bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID_PATTERN.test(value);
