import type { IncomingMessage } from 'node:http';
import { readBody } from '@switchyard/http';
import { GatewayError, invalidRequest, type MultipartPart } from '@switchyard/types';

const MULTIPART_TYPE = /^multipart\/form-data\s*;/i;

/**
 * Reads a `multipart/form-data` body of at most `limit` bytes into its parts, in order: 415 for another content
 * type, 413 past the limit (Content-Length first, then as bytes arrive), 400 for a malformed form. The upload is
 * held in memory (bounded by `limit`) so that a retry or a fallback can send it again.
 */
export async function readMultipartBody(req: IncomingMessage, limit: number): Promise<MultipartPart[]> {
  const contentType = req.headers['content-type'] ?? '';
  if (!MULTIPART_TYPE.test(contentType)) {
    req.resume();
    throw new GatewayError(415, 'invalid_request_error', 'unsupported_media_type', 'Unsupported Content-Type: send the body as multipart/form-data.');
  }
  const bytes = await readBody(req, limit);
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw invalidRequest('We could not parse the multipart/form-data body of your request.', null, 'invalid_form');
  }
  const parts: MultipartPart[] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') parts.push({ name, value });
    else parts.push({ name, filename: value.name || 'file', contentType: value.type || 'application/octet-stream', data: new Uint8Array(await value.arrayBuffer()) });
  }
  return parts;
}
