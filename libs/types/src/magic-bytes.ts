/** File types recognized by their magic bytes (never by name or declared type). */
export type FileKind = 'pdf' | 'png' | 'jpeg' | 'webp' | 'tiff' | 'gif';

export const MEDIA_TYPES: Record<FileKind, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  tiff: 'image/tiff',
  gif: 'image/gif',
};

/** The image kinds every vision model accepts inline. */
const WEB_IMAGES: ReadonlySet<FileKind> = new Set(['png', 'jpeg', 'gif', 'webp']);

const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

const startsWith = (head: Uint8Array, sig: readonly number[], at = 0) => sig.every((b, i) => head[at + i] === b);

/** Offset of `sig` within the first `limit` bytes, or -1. */
function indexOf(head: Uint8Array, sig: readonly number[], limit: number): number {
  const end = Math.min(head.length, limit) - sig.length;
  for (let at = 0; at <= end; at++) if (startsWith(head, sig, at)) return at;
  return -1;
}

/** The file's kind from its first bytes, or null. */
export function sniffKind(head: Uint8Array): FileKind | null {
  // PDF readers accept a header within the first 1024 bytes; so do we.
  if (indexOf(head, PDF, 1024) >= 0) return 'pdf';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'gif';
  return null;
}

/** The media type of a PNG, JPEG, GIF or WebP image from its first bytes, or null. */
export function sniffImageType(head: Uint8Array): string | null {
  const kind = sniffKind(head);
  return kind && WEB_IMAGES.has(kind) ? MEDIA_TYPES[kind] : null;
}
