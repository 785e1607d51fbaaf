import { MEDIA_TYPES, sniffKind, type FileKind } from '@switchyard/types';
import { DocumentError } from './document.exception';

/** The stored content type of each accepted kind. */
export const CONTENT_TYPES: Record<FileKind, string> = MEDIA_TYPES;

/** Refuses empty and unsupported files with their clear errors; returns the kind. */
export function requireSupported(head: Buffer): FileKind {
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
