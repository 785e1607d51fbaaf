import { GatewayError } from '@switchyard/types';
import { DocumentError } from '../pipeline/document.exception';

const FILE_CODES = new Set(['empty_file', 'file_too_large', 'unsupported_file_type', 'encrypted_pdf', 'corrupt_file', 'too_many_pages', 'image_too_large']);

/** A documents error code as an OpenAI-shaped HTTP error, naming the parameter the code is about. */
export function documentError(code: string, message: string, status: number): GatewayError {
  const type = status >= 500 ? 'api_error' : 'invalid_request_error';
  const param = FILE_CODES.has(code) ? 'file' : code === 'webhook_url_forbidden' ? 'webhook_url' : code === 'invalid_pages' ? 'pages' : null;
  return new GatewayError(status, type, code, message, { param });
}

export function fromDocumentError(err: unknown): unknown {
  return err instanceof DocumentError ? documentError(err.code, err.message, err.httpStatus) : err;
}
