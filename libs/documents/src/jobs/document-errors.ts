import { GatewayError, zodToGatewayError } from '@switchyard/types';
import type { z } from 'zod';
import { DocumentError } from '../pipeline/document.exception';

const FILE_CODES = new Set(['empty_file', 'file_too_large', 'unsupported_file_type', 'encrypted_pdf', 'corrupt_file', 'too_many_pages', 'image_too_large']);

/** Domain errors of the pipeline as OpenAI-shaped HTTP errors. */
export function toGatewayError(code: string, message: string, status: number): GatewayError {
  const type = status >= 500 ? 'api_error' : 'invalid_request_error';
  const param = FILE_CODES.has(code) ? 'file' : code === 'webhook_url_forbidden' ? 'webhook_url' : code === 'invalid_pages' ? 'pages' : null;
  return new GatewayError(status, type, code, message, { param });
}

export function fromDocumentError(err: unknown): unknown {
  return err instanceof DocumentError ? toGatewayError(err.code, err.message, err.httpStatus) : err;
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (!r.success) throw zodToGatewayError(r.error, prefix);
  return r.data;
}
