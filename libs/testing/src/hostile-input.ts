import fc from 'fast-check';
import { request as httpRequest, type Agent } from 'node:http';

/** Strings that have broken parsers and validators: empty, NUL, a lone surrogate, prototype names, half JSON, 70 KB. */
const ODD_STRINGS = ['', ' ', '\u0000', '\ud800', '😀'.repeat(50), '__proto__', 'constructor', '{"a":', '\\', '"', 'x'.repeat(70_000), 'null', '-1', '1e309'];
const ODD_NUMBERS = [0, -1, 1.5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e300, -0, 2 ** 31];

/** A JSON value with the odd scalars mixed in, objects keyed mostly by the entry point's own `keys`. */
function shapedJsonValue(keys: readonly string[]): fc.Arbitrary<unknown> {
  const key = fc.oneof(fc.constantFrom(...keys, 'a', '', '0', '__proto__', 'constructor'), fc.string({ maxLength: 8 }));
  const scalar = fc.oneof(fc.constantFrom<unknown>(null, true, false, ...ODD_STRINGS, ...ODD_NUMBERS), fc.string({ maxLength: 12 }), fc.double({ noNaN: true }));
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(key, tie('value'), { maxKeys: 5 })),
  })).value;
}

/** JSON text of any value fast-check makes (`fc.anything()`: -0, sparse arrays, odd keys…); `null` where JSON has no text for it. */
const anythingAsJson = fc.anything({ maxDepth: 4 }).map((v) => {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return 'null';
  }
});

/**
 * Hostile bodies for a JSON entry point, as a fast-check arbitrary: random JSON (`fc.json()`, `fc.anything()`),
 * JSON shaped around the entry point's `keys`, a valid body with one field replaced by a random value, and the
 * adversarial cases (nesting thousands of levels deep, prototype keys, truncated or invalid JSON, bytes that are
 * not JSON, a non-object top level, a huge flat array).
 */
export function hostileJsonBodies(keys: readonly string[], valid: () => Record<string, unknown>): fc.Arbitrary<string> {
  const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const shaped = shapedJsonValue(keys);
  const validJson = () => JSON.stringify(valid());
  return fc.oneof(
    fc.json({ maxDepth: 5 }),
    anythingAsJson,
    shaped.map((v) => JSON.stringify(v)),
    fc.tuple(fc.constantFrom(...keys), shaped).map(([k, v]) => JSON.stringify({ ...valid(), [k]: v })),
    fc.integer({ min: 2_000, max: 10_000 }).map((n) => withField(valid(), 'extra', nested(n))),
    fc.integer({ min: 2_000, max: 8_000 }).map((n) => `{"a":${'{"b":'.repeat(n)}1${'}'.repeat(n)}}`),
    fc.constantFrom('{"__proto__":{"admin":true},', '{"constructor":{"prototype":{"x":1}},').map((head) => head + validJson().slice(1)),
    fc.nat({ max: 40 }).map((n) => validJson().slice(0, n)),
    fc.string({ unit: 'binary', maxLength: 64 }),
    fc.constant(JSON.stringify(Array.from({ length: 50_000 }, (_, i) => i))),
  );
}

/**
 * The fuzz property of a JSON entry point: `numRuns` hostile bodies (default 50) sent with `send`, none
 * answered with a 5xx. A failure reports the seed, the body and the answer (no shrinking: each try is a request),
 * so it can be replayed with `fc.assert(..., { seed, path })`.
 */
export async function assertNo5xx(bodies: fc.Arbitrary<string>, send: (body: string) => Promise<RawAnswer>, numRuns = 50): Promise<void> {
  await fc.assert(
    fc.asyncProperty(bodies, async (body) => {
      const res = await send(body);
      if (res.status >= 500) throw new Error(`${res.status} ${res.body.slice(0, 300)} for ${body.slice(0, 200)}`);
    }),
    { numRuns, endOnFailure: true, includeErrorInReport: true },
  );
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
