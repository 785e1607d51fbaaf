import { sniffImageType } from '@switchyard/types';
import { UnsupportedParameterError } from '../types';

/** Image bytes for providers that need them inline. */
export interface ImageData {
  mediaType: string;
  /** Base64 without the data: prefix. */
  data: string;
}

/** Fetches an http(s) image for providers that take only inline bytes. Injected through adapter options. */
export type ImageFetcher = (url: string) => Promise<ImageData>;

const DATA_URL = /^data:([^;,]+)?((?:;[^;,]+)*?);base64,(.*)$/s;

/** Decodes a `data:<type>;base64,<data>` URL in-process; null when the URL is not a data URL. */
export function parseDataUrl(url: string): ImageData | null {
  if (!url.startsWith('data:')) return null;
  const m = DATA_URL.exec(url);
  if (!m) throw new UnsupportedParameterError('messages', 'Image data URLs must be base64 encoded (data:<type>;base64,<data>).');
  return { mediaType: (m[1] ?? 'application/octet-stream').toLowerCase(), data: m[3]!.replace(/\s+/g, '') };
}

const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

/** The default fetcher: the global fetch, 20 MB cap, 15 s timeout. */
export const defaultImageFetcher: ImageFetcher = async (url) => {
  if (!/^https?:\/\//i.test(url)) throw new UnsupportedParameterError('messages', `Unsupported image URL scheme: ${url.slice(0, 40)}`);
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new UnsupportedParameterError('messages', `The image at ${url} could not be fetched (HTTP ${res.status}).`);
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.byteLength > MAX_IMAGE_BYTES) throw new UnsupportedParameterError('messages', `The image at ${url} is larger than 20 MB.`);
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase() || (sniffImageType(buf) ?? 'application/octet-stream');
  return { mediaType, data: buf.toString('base64') };
};

/** Resolves an OpenAI image_url to bytes: data URLs in-process, http(s) through the fetcher. */
export async function loadImage(url: string, fetcher: ImageFetcher): Promise<ImageData> {
  return parseDataUrl(url) ?? (await fetcher(url));
}
