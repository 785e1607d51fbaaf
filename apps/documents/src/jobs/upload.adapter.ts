import type { FastifyRequest } from 'fastify';
import { invalidRequest } from '@switchyard/types';
import type { UploadPart, UploadSource } from '@switchyard/documents';

/** Adapts a Fastify request (multipart, streamed part by part, or JSON) to an UploadSource. */
export function uploadSourceOf(req: FastifyRequest): UploadSource {
  if (req.isMultipart()) return { kind: 'multipart', parts: multipartParts(req) };
  const body = req.body;
  if (body === undefined || body === null) return { kind: 'json', body: {} };
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('Send multipart/form-data or a JSON object.');
  return { kind: 'json', body: body as Record<string, unknown> };
}

async function* multipartParts(req: FastifyRequest): AsyncIterable<UploadPart> {
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      yield { type: 'file', fieldname: part.fieldname, filename: part.filename || null, stream: part.file };
      // Drain whatever the consumer left so the next part can be read.
      part.file.resume();
    } else {
      yield { type: 'field', name: part.fieldname, value: typeof part.value === 'string' ? part.value : JSON.stringify(part.value) };
    }
  }
}
