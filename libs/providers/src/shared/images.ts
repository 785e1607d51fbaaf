import { UnsupportedParameterError } from '../types';

/** Image bytes for providers that need them inline. */
export interface ImageData {
  mediaType: string;
  /** Base64 without the data: prefix. */
  data: string;
}

/**
 * Fetches an http(s) image for providers that take only inline bytes. Always injected (the registry has no
 * default): the router gives its SSRF-guarded fetcher, tests a stub.
 */
export type ImageFetcher = (url: string) => Promise<ImageData>;

const DATA_URL = /^data:([^;,]+)?((?:;[^;,]+)*?);base64,(.*)$/s;

/** Decodes a `data:<type>;base64,<data>` URL in-process; null when the URL is not a data URL. */
export function parseDataUrl(url: string): ImageData | null {
  if (!url.startsWith('data:')) return null;
  const m = DATA_URL.exec(url);
  if (!m) throw new UnsupportedParameterError('messages', 'Image data URLs must be base64 encoded (data:<type>;base64,<data>).');
  return { mediaType: (m[1] ?? 'application/octet-stream').toLowerCase(), data: m[3]!.replace(/\s+/g, '') };
}

/** Resolves an OpenAI image_url to bytes: data URLs in-process, http(s) through the fetcher. */
export async function loadImage(url: string, fetcher: ImageFetcher): Promise<ImageData> {
  return parseDataUrl(url) ?? (await fetcher(url));
}
