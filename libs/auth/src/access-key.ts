import { createHash, timingSafeEqual } from 'node:crypto';
import { randomBase62 } from '@switchyard/types';

export const ACCESS_KEY_PREFIX = 'sy_';
const KEY_BODY_LENGTH = 48;
const KEY_PATTERN = /^sy_[0-9A-Za-z]{48}$/;

export interface NewAccessKey {
  key: string;
  hash: string;
  preview: string;
}

/** `sy_` + 48 random base62 chars (~285 bits). Shown once; only the hash is stored. */
export function generateAccessKey(): NewAccessKey {
  const key = ACCESS_KEY_PREFIX + randomBase62(KEY_BODY_LENGTH);
  return { key, hash: hashAccessKey(key), preview: previewAccessKey(key) };
}

export const isWellFormedAccessKey = (key: string): boolean => KEY_PATTERN.test(key);

export const hashAccessKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** `sy_AbCd…wXyZ`: enough to recognise a key, far too little to use it. */
export const previewAccessKey = (key: string): string => `${key.slice(0, 7)}…${key.slice(-4)}`;

/** Constant-time equality of two hex digests of equal length. */
export function digestsEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Constant-time comparison of arbitrary secrets (hashing first hides the length). */
export function secretsEqual(a: string, b: string): boolean {
  const ah = createHash('sha256').update(a).digest();
  const bh = createHash('sha256').update(b).digest();
  return timingSafeEqual(ah, bh);
}
