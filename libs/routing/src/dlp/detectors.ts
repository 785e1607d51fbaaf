import { isIPv4, isIPv6 } from 'node:net';

/** One match of a detector in a text: where it is and which of the profile's entries found it. */
export interface DlpMatch {
  start: number;
  end: number;
  entry: string;
}

/** A DLP profile: finds its matches in a text (pure, no I/O). */
export interface DlpDetector {
  /** The profile id policies reference (`email`, or a custom profile's id). */
  readonly id: string;
  /** What a REDACT policy puts in place of a match, e.g. `[EMAIL]`. */
  readonly placeholder: string;
  find(text: string): DlpMatch[];
}

interface Entry {
  id: string;
  pattern: RegExp;
  valid?: (match: string) => boolean;
}

/** A detector over regular expressions (global), each match optionally confirmed by a checksum. */
export function regexDetector(id: string, placeholder: string, entries: Entry[]): DlpDetector {
  return {
    id,
    placeholder,
    find(text) {
      const out: DlpMatch[] = [];
      for (const { id: entry, pattern, valid } of entries) {
        for (const m of text.matchAll(pattern)) {
          if (m[0] === '' || (valid && !valid(m[0]))) continue;
          out.push({ start: m.index, end: m.index + m[0].length, entry });
        }
      }
      return out;
    },
  };
}

const digits = (s: string) => s.replace(/\D/g, '');

/** The Luhn checksum of a card number (digits only). */
export function luhnValid(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i += 1) {
    let d = number.charCodeAt(number.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return number.length > 0 && sum % 10 === 0;
}

/** The ISO 13616 mod-97 check of an IBAN (spaces allowed): country, check digits, then the account, as digits, mod 97 is 1. */
export function ibanValid(iban: string): boolean {
  const s = iban.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  let rest = 0;
  for (const ch of s.slice(4) + s.slice(0, 4)) {
    const v = ch >= 'A' ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48;
    rest = v > 9 ? (rest * 100 + v) % 97 : (rest * 10 + v) % 97;
  }
  return rest === 1;
}

/** A JWT's header is base64url JSON naming an algorithm. */
function jwtHeaderValid(token: string): boolean {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header.alg === 'string';
  } catch {
    return false;
  }
}

/** The built-in profiles, by id: what a policy's `profiles` may name besides the organization's custom profiles. */
export const BUILT_IN_DETECTORS: ReadonlyMap<string, DlpDetector> = new Map(
  [
    regexDetector('email', '[EMAIL]', [{ id: 'email', pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g }]),
    regexDetector('phone', '[PHONE]', [
      {
        id: 'phone',
        // International (+CC ...) or national with separators; 10 to 15 digits in all.
        pattern: /(?<![\w+-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?|\d{1,4}[ .-])\d{2,4}[ .-]\d{2,4}(?:[ .-]?\d{2,4})?(?![\w-])|(?<![\w+])\+\d{10,15}(?!\w)/g,
        valid: (m) => digits(m).length >= 10 && digits(m).length <= 15,
      },
    ]),
    regexDetector('credit_card', '[CREDIT_CARD]', [
      { id: 'credit_card', pattern: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, valid: (m) => luhnValid(digits(m)) },
    ]),
    regexDetector('iban', '[IBAN]', [{ id: 'iban', pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g, valid: ibanValid }]),
    regexDetector('us_ssn', '[US_SSN]', [{ id: 'us_ssn', pattern: /(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])/g }]),
    regexDetector('ip_address', '[IP_ADDRESS]', [
      { id: 'ipv4', pattern: /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])/g, valid: (m) => isIPv4(m) },
      {
        id: 'ipv6',
        pattern: /(?<![\w:])(?:(?:[A-Fa-f0-9]{1,4}:){1,7}(?::|(?::[A-Fa-f0-9]{1,4}){1,7}|[A-Fa-f0-9]{1,4})|::[A-Fa-f0-9]{1,4}(?::[A-Fa-f0-9]{1,4}){0,6})(?![\w:])/g,
        valid: (m) => isIPv6(m),
      },
    ]),
    regexDetector('api_key', '[API_KEY]', [
      { id: 'aws_access_key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
      { id: 'openai_key', pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
      { id: 'github_token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})\b/g },
      { id: 'google_api_key', pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
    ]),
    regexDetector('private_key', '[PRIVATE_KEY]', [
      { id: 'private_key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----/g },
    ]),
    regexDetector('jwt', '[JWT]', [{ id: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+/g, valid: jwtHeaderValid }]),
  ].map((d) => [d.id, d]),
);

/** The ids of the built-in profiles. */
export const BUILT_IN_PROFILE_IDS: readonly string[] = [...BUILT_IN_DETECTORS.keys()];
