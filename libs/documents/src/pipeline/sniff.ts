import { DocumentError } from './document.exception';

export type DocumentKind = 'pdf' | 'png' | 'jpeg' | 'webp' | 'tiff' | 'gif';

export const CONTENT_TYPES: Record<DocumentKind, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  tiff: 'image/tiff',
  gif: 'image/gif',
};

const startsWith = (buf: Buffer, sig: number[], at = 0) => sig.every((b, i) => buf[at + i] === b);

/** The document type from its magic bytes (never from the name or the declared type), or null. */
export function sniffKind(head: Buffer): DocumentKind | null {
  // PDF readers accept a header within the first 1024 bytes; so do we.
  const pdfAt = head.subarray(0, 1024).indexOf('%PDF-');
  if (pdfAt >= 0) return 'pdf';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && startsWith(head, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (head.subarray(0, 6).toString('latin1') === 'GIF87a' || head.subarray(0, 6).toString('latin1') === 'GIF89a') return 'gif';
  return null;
}

/** Refuses empty and unsupported files with their clear errors; returns the kind. */
export function requireSupported(head: Buffer): DocumentKind {
  if (!head.length) throw new DocumentError('empty_file', 'The file is empty.');
  const kind = sniffKind(head);
  if (!kind) {
    throw new DocumentError(
      'unsupported_file_type',
      'Unsupported file type: send a PDF, PNG, JPEG, WebP, TIFF or GIF (the type is detected from the content, not the name).',
    );
  }
  return kind;
}

/** Width and height from a PNG header (IHDR), so oversized images are refused before decoding. */
export function pngDimensions(head: Buffer): { width: number; height: number } | null {
  if (head.length < 24 || sniffKind(head) !== 'png' || head.subarray(12, 16).toString('latin1') !== 'IHDR') return null;
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

export function checkPixels(dim: { width: number; height: number } | null, maxPixels: number): void {
  if (dim && dim.width * dim.height > maxPixels) {
    throw new DocumentError(
      'image_too_large',
      `The image is ${dim.width}x${dim.height} pixels; the limit is ${maxPixels} pixels per page (DOCUMENTS_MAX_PIXELS).`,
    );
  }
}
