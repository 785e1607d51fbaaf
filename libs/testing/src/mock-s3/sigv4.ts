import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * AWS Signature Version 4 verification of a header-signed S3 request, following AWS's reference algorithm
 * ("Authenticating Requests: Using the Authorization Header", S3 API reference): canonical request, string to
 * sign, derived signing key, HMAC-SHA256. Pure: the caller passes the request's parts and the clock.
 */
export interface SignedRequest {
  method: string;
  /** The request target's path exactly as sent (still percent-encoded). */
  rawPath: string;
  /** The query string without `?`, exactly as sent. */
  rawQuery: string;
  /** Lower-case header names (Node's `IncomingMessage.headers`). */
  headers: Record<string, string | string[] | undefined>;
}

export type SigV4Result =
  | { ok: true; accessKeyId: string; payloadHash: string }
  | { ok: false; status: number; code: string; message: string };

const MAX_SKEW_MS = 15 * 60 * 1000;


/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, upper-case hex. */
export function uriEncode(s: string, keepSlash = false): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, '%20'));

/** S3 does not normalize the path: each segment is decoded and encoded once. */
export function canonicalUri(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => uriEncode(decodeURIComponent(segment)))
    .join('/') || '/';
}

export function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      const [k, v] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
      return [uriEncode(decode(k)), uriEncode(decode(v))] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

const headerValue = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ');

export function canonicalRequest(req: SignedRequest, signedHeaders: string[], payloadHash: string): string {
  return [
    req.method.toUpperCase(),
    canonicalUri(req.rawPath),
    canonicalQuery(req.rawQuery),
    signedHeaders.map((h) => `${h}:${headerValue(req.headers[h])}\n`).join(''),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical, 'utf8').digest('hex')].join('\n');
}

function parseAmzDate(v: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Date.parse(v);
}

const fail = (status: number, code: string, message: string): SigV4Result => ({ ok: false, status, code, message });

/**
 * Verifies the `Authorization: AWS4-HMAC-SHA256 …` header of `req` against `secretOf(accessKeyId)` for
 * `region` and service `s3`. The payload hash is the `x-amz-content-sha256` header (S3 requires it); whether
 * the body matches it is the caller's check once the body is read.
 */
export function verifySigV4(req: SignedRequest, secretOf: (accessKeyId: string) => string | undefined, region: string, now = Date.now()): SigV4Result {
  const auth = headerValue(req.headers['authorization']);
  if (!auth) return fail(403, 'AccessDenied', 'Access Denied');
  if (!auth.startsWith('AWS4-HMAC-SHA256 ')) return fail(400, 'InvalidArgument', 'Unsupported Authorization Type');
  const parts = new Map(
    auth
      .slice('AWS4-HMAC-SHA256 '.length)
      .split(',')
      .map((p) => p.trim())
      .map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const),
  );
  const credential = parts.get('Credential');
  const signedHeadersText = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (!credential || !signedHeadersText || !signature) {
    return fail(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; it requires Credential, SignedHeaders and Signature.');
  }
  const [accessKeyId, date, credRegion, service, terminator, ...extra] = credential.split('/');
  if (!accessKeyId || !date || !credRegion || service !== 's3' || terminator !== 'aws4_request' || extra.length) {
    return fail(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the Credential is mal-formed: ${credential}`);
  }
  if (credRegion !== region) {
    return fail(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${credRegion}' is wrong; expecting '${region}'`);
  }
  const secret = secretOf(accessKeyId);
  if (secret === undefined) return fail(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');

  const payloadHash = headerValue(req.headers['x-amz-content-sha256']);
  if (!payloadHash) return fail(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  if (!/^([0-9a-f]{64}|UNSIGNED-PAYLOAD|STREAMING-[A-Z0-9-]+)$/.test(payloadHash)) {
    return fail(400, 'InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-*, or a valid sha256 value.');
  }
  const amzDate = headerValue(req.headers['x-amz-date']) || headerValue(req.headers['date']);
  const time = parseAmzDate(amzDate);
  if (!amzDate || Number.isNaN(time)) return fail(403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  if (Math.abs(now - time) > MAX_SKEW_MS) {
    return fail(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
  }
  if (!amzDate.startsWith(date)) return fail(403, 'SignatureDoesNotMatch', 'The credential scope date does not match the request date.');

  const signedHeaders = signedHeadersText.split(';');
  if (!signedHeaders.includes('host')) return fail(403, 'AccessDenied', "The header 'host' must be signed.");
  const unsigned = Object.keys(req.headers).filter((h) => h.startsWith('x-amz-') && !signedHeaders.includes(h));
  if (unsigned.length) return fail(403, 'AccessDenied', `There were headers present in the request which were not signed: ${unsigned.join(', ')}`);

  const scope = `${date}/${credRegion}/s3/aws4_request`;
  const toSign = stringToSign(amzDate, scope, canonicalRequest(req, signedHeaders, payloadHash));
  const expected = createHmac('sha256', signingKey(secret, date, credRegion, 's3')).update(toSign, 'utf8').digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
  return { ok: true, accessKeyId, payloadHash };
}


