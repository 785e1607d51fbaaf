import type { PageDecision, PageMethod } from '@switchyard/persistence';

/** Images covering at least this share of a page make it a scan (re-read by OCR even with a text layer). */
export const SCAN_IMAGE_COVERAGE = 0.85;

/**
 * Text layer or OCR for one page, and why. `ocr` and `text` modes decide alone; an image file has no text
 * layer. In `auto`, a PDF page is read from its text layer when that has at least `minChars` characters and
 * images do not cover the page (a scan with an OCR layer under it is read again by the OCR model).
 */
export function choosePageMethod(i: {
  mode: 'auto' | 'text' | 'ocr';
  isPdf: boolean;
  textChars?: number;
  imageCoverage?: number;
  minChars: number;
}): { method: PageMethod; decision: PageDecision } {
  const facts = {
    ...(i.textChars !== undefined ? { text_chars: i.textChars } : {}),
    ...(i.imageCoverage !== undefined ? { image_coverage: Math.round(i.imageCoverage * 1000) / 1000 } : {}),
  };
  if (i.mode === 'ocr') return { method: 'ocr', decision: { reason: 'mode_ocr', ...facts } };
  if (i.mode === 'text') return { method: 'text', decision: { reason: 'mode_text', ...facts } };
  if (!i.isPdf) return { method: 'ocr', decision: { reason: 'image_file' } };
  if ((i.textChars ?? 0) < i.minChars) return { method: 'ocr', decision: { reason: 'no_text_layer', ...facts } };
  if ((i.imageCoverage ?? 0) >= SCAN_IMAGE_COVERAGE) return { method: 'ocr', decision: { reason: 'image_covers_page', ...facts } };
  return { method: 'text', decision: { reason: 'text_layer', ...facts } };
}
