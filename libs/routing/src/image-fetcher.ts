import { createOutboundAgent, isPrivateAddressError, OutboundUrlError, parseOutboundUrl } from '@switchyard/http';
import { sniffImageType } from '@switchyard/types';
import { request } from 'undici';
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

/**
 * The image fetcher the router gives to adapters that need inline bytes: http(s) only, no credentials in
 * the URL, at most `maxRedirects` redirects (each re-checked), a byte cap enforced while reading, one
 * deadline for headers and body, an `image/*` answer, and, unless allowed, no private destinations
 * (the outbound agent checks every connection's address after DNS).
 */
export function createImageFetcher(options: ImageFetcherOptions): ImageFetcher & { close(): Promise<void> } {
  const agent = createOutboundAgent({ allowPrivate: options.allowPrivateUrls, connectTimeoutMs: options.timeoutMs, caPem: options.caPem ?? null });
  const maxRedirects = options.maxRedirects ?? 3;

  const fetchImage = async (raw: string) => {
    const signal = AbortSignal.timeout(options.timeoutMs);
    let url = raw;
    for (let hop = 0; ; hop++) {
      const u = checkUrl(url);
      let res;
      try {
        res = await request(u, { method: 'GET', dispatcher: agent, signal, headers: { accept: 'image/*' } });
      } catch (err) {
        if (isPrivateAddressError(err)) return refuse(`The image URL ${shortUrl(url)} points to a private address.`);
        const code = (err as { code?: string }).code;
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
      const mediaType = declaredType.startsWith('image/') ? declaredType : sniffImageType(data);
      if (!mediaType) return refuse(`The URL ${shortUrl(url)} did not return an image.`);
      return { mediaType, data: data.toString('base64') };
    }
  };
  return Object.assign(fetchImage, { close: () => agent.close() });
}

function checkUrl(raw: string): URL {
  try {
    return parseOutboundUrl(raw);
  } catch (err) {
    if (!(err instanceof OutboundUrlError)) throw err;
    if (err.problem === 'invalid') return refuse('An image_url is not a valid URL.');
    if (err.problem === 'credentials') return refuse('Image URLs must not contain credentials.');
    return refuse(`Unsupported image URL scheme '${new URL(raw).protocol}'.`);
  }
}

const shortUrl = (url: string) => (url.length > 100 ? `${url.slice(0, 100)}…` : url);
