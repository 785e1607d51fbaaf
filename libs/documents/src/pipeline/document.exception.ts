/** Codes of document failures: stored on failed jobs and mapped to HTTP statuses by the API. */
export type DocumentErrorCode =
  | 'empty_file'
  | 'file_too_large'
  | 'unsupported_file_type'
  | 'encrypted_pdf'
  | 'corrupt_file'
  | 'too_many_pages'
  | 'image_too_large'
  | 'invalid_pages'
  | 'invalid_template'
  | 'webhook_url_forbidden'
  | 'page_failed'
  | 'model_error'
  | 'model_unavailable'
  | 'extraction_invalid'
  | 'internal_error';

const STATUS: Record<DocumentErrorCode, number> = {
  empty_file: 400,
  file_too_large: 413,
  unsupported_file_type: 415,
  encrypted_pdf: 422,
  corrupt_file: 422,
  too_many_pages: 413,
  image_too_large: 413,
  invalid_pages: 400,
  invalid_template: 400,
  webhook_url_forbidden: 400,
  page_failed: 502,
  model_error: 502,
  model_unavailable: 503,
  extraction_invalid: 422,
  internal_error: 500,
};

/** A domain failure of the documents pipeline (never an HTTP exception: workers throw these too). */
export class DocumentError extends Error {
  constructor(
    readonly code: DocumentErrorCode,
    message: string,
    /** Permanent failures are not retried. */
    readonly permanent = true,
  ) {
    super(message);
    this.name = 'DocumentError';
  }

  get httpStatus(): number {
    return STATUS[this.code];
  }
}

export const httpStatusOfCode = (code: string): number => STATUS[code as DocumentErrorCode] ?? 500;
