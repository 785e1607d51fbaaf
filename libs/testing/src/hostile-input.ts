import { request as httpRequest, type Agent } from 'node:http';

/** A small seeded PRNG (mulberry32): the same seed gives the same bodies, so a failure can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_STRINGS = ['', ' ', '\u0000', '\ud800', '😀'.repeat(50), '__proto__', 'constructor', '{"a":', '\\', '"', 'x'.repeat(70_000), 'null', '-1', '1e309'];
const ODD_NUMBERS = [0, -1, 1.5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e300, -0, 2 ** 31];

/** A random JSON value: scalars, odd strings and numbers, arrays and objects up to `depth` levels. */
export function randomJsonValue(rand: () => number, depth = 4, keys: readonly string[] = []): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const r = rand();
  if (depth <= 0 || r < 0.35) {
    const s = rand();
    if (s < 0.15) return null;
    if (s < 0.3) return rand() < 0.5;
    if (s < 0.5) return pick(ODD_NUMBERS);
    if (s < 0.7) return pick(ODD_STRINGS);
    return rand().toString(36).slice(2, 2 + Math.floor(rand() * 12));
  }
  if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => randomJsonValue(rand, depth - 1, keys));
  const obj: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 5); i > 0; i--) {
    const key = keys.length && rand() < 0.6 ? pick(keys) : pick(['a', 'model', 'messages', 'content', 'role', 'name', '', '0', 'constructor']);
    obj[key] = randomJsonValue(rand, depth - 1, keys);
  }
  return obj;
}

/**
 * A hostile body for a JSON entry point: random JSON shaped around the entry point's `keys`, or one of
 * the adversarial cases (nesting thousands of levels deep, prototype keys, truncated or invalid JSON,
 * a non-object top level, a huge flat array).
 */
export function hostileJsonBody(rand: () => number, keys: readonly string[], valid: () => Record<string, unknown>): string {
  const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const cases: (() => string)[] = [
    () => JSON.stringify(randomJsonValue(rand, 5, keys)),
    () => JSON.stringify({ ...valid(), [keys[Math.floor(rand() * keys.length)] ?? 'x']: randomJsonValue(rand, 4, keys) }),
    () => withField(valid(), 'extra', nested(2_000 + Math.floor(rand() * 8_000))),
    () => `{"a":${'{"b":'.repeat(6_000)}1${'}'.repeat(6_000)}}`,
    () => `{"__proto__":{"admin":true},${JSON.stringify(valid()).slice(1)}`,
    () => `{"constructor":{"prototype":{"x":1}},${JSON.stringify(valid()).slice(1)}`,
    () => JSON.stringify(valid()).slice(0, Math.floor(rand() * 20)),
    () => '\u0000\u0001garbage',
    () => JSON.stringify(Array.from({ length: 50_000 }, (_, i) => i)),
    () => JSON.stringify(randomJsonValue(rand, 0)),
  ];
  return cases[Math.floor(rand() * cases.length)]!();
}

/** `body` as JSON text with one more field whose value is the JSON text `json` (built as text: it may nest too deep to stringify). */
export function withField(body: Record<string, unknown>, name: string, json: string): string {
  return `${JSON.stringify(body).slice(0, -1)},${JSON.stringify(name)}:${json}}`;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The local port of the socket that carried the exchange (to tell a reused keep-alive socket). */
  localPort: number;
}

/** One request with Node's own client (optionally through a keep-alive agent), the body written in `chunks`. */
export function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; chunks?: (Buffer | string)[]; agent?: Agent; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? 'POST', headers: opts.headers, agent: opts.agent }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8'), localPort: res.socket?.localPort ?? 0 }),
      );
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`no answer within ${opts.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    for (const chunk of opts.chunks ?? []) req.write(chunk);
    req.end();
  });
}
