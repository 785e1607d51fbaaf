import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { isPrivateAddress } from '@switchyard/types';
import { Agent, request } from 'undici';
import { UnsupportedParameterError, type ImageFetcher } from '@switchyard/providers';

export interface ImageFetcherOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Allow loopback, private and link-local destinations (refused by default: the router must not be an SSRF proxy). */
  allowPrivateUrls: boolean;
  /** Extra trusted CAs (PEM). */
  caPem?: string | null;
  maxRedirects?: number;
}

const refuse = (message: string): never => {
  throw new UnsupportedParameterError('messages', message);
};

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The image fetcher the router gives to adapters that need inline bytes: http(s) only, no credentials in
 * the URL, at most `maxRedirects` redirects (each re-checked), a byte cap enforced while reading, one
 * deadline for headers and body, an `image/*` answer, and, unless allowed, no private destinations. The
 * address check runs inside the connection's DNS lookup, so what was checked is what is connected to.
 */
export function createImageFetcher(options: ImageFetcherOptions): ImageFetcher & { close(): Promise<void> } {
  const guardedLookup = (hostname: string, opts: object, cb: LookupCallback) => {
    dnsLookup(hostname, { ...opts, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return cb(err, []);
      const bad = !options.allowPrivateUrls && addresses.find((a) => isPrivateAddress(a.address));
      if (bad) return cb(Object.assign(new Error(`image host ${hostname} resolves to a private address`), { code: 'EPRIVATE' }), []);
      if ((opts as { all?: boolean }).all) return cb(null, addresses);
      cb(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  const agent = new Agent({ connect: { timeout: options.timeoutMs, lookup: guardedLookup, ...(options.caPem ? { ca: options.caPem } : {}) } });
  const maxRedirects = options.maxRedirects ?? 3;

  const fetchImage = async (raw: string) => {
    const signal = AbortSignal.timeout(options.timeoutMs);
    let url = raw;
    for (let hop = 0; ; hop++) {
      const u = checkUrl(url, options.allowPrivateUrls);
      let res;
      try {
        res = await request(u, { method: 'GET', dispatcher: agent, signal, headers: { accept: 'image/*' } });
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'EPRIVATE') return refuse(`The image URL ${shortUrl(url)} points to a private address.`);
        return refuse(`The image at ${shortUrl(url)} could not be fetched (${signal.aborted ? 'timed out' : (code ?? 'connection failed')}).`);
      }
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers['location']) {
        await res.body.dump();
        if (hop >= maxRedirects) return refuse(`The image at ${shortUrl(raw)} redirected too many times.`);
        url = new URL(String(res.headers['location']), u).toString();
        continue;
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        return refuse(`The image at ${shortUrl(url)} could not be fetched (HTTP ${res.statusCode}).`);
      }
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > options.maxBytes) {
        await res.body.dump();
        return refuse(`The image at ${shortUrl(url)} is larger than ${options.maxBytes} bytes.`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > options.maxBytes) {
            res.body.destroy();
            return refuse(`The image at ${shortUrl(url)} is larger than ${options.maxBytes} bytes.`);
          }
          chunks.push(chunk);
        }
      } catch {
        return refuse(`The image at ${shortUrl(url)} could not be read (${signal.aborted ? 'timed out' : 'connection failed'}).`);
      }
      const data = Buffer.concat(chunks);
      const declaredType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const mediaType = declaredType.startsWith('image/') ? declaredType : sniffImage(data);
      if (!mediaType) return refuse(`The URL ${shortUrl(url)} did not return an image.`);
      return { mediaType, data: data.toString('base64') };
    }
  };
  return Object.assign(fetchImage, { close: () => agent.close() });
}

function checkUrl(raw: string, allowPrivate: boolean): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return refuse('An image_url is not a valid URL.');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') refuse(`Unsupported image URL scheme '${u.protocol}'.`);
  if (u.username || u.password) refuse('Image URLs must not contain credentials.');
  // IP literals never reach the DNS lookup: check them here.
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && ipaddr.isValid(host) && isPrivateAddress(host)) refuse(`The image URL ${shortUrl(raw)} points to a private address.`);
  return u;
}

const shortUrl = (url: string) => (url.length > 100 ? `${url.slice(0, 100)}…` : url);

function sniffImage(b: Buffer): string | null {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}
