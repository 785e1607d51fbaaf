import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Busboy, { type BusboyInstance } from '@fastify/busboy';
import { GatewayError, invalidRequest, type MultipartPart } from '@switchyard/types';

const MULTIPART_TYPE = /^multipart\/form-data\s*;/i;
/** A text field of a transcription form (model, language, prompt, …) is short; a longer one is a malformed form. */
const MAX_FIELD_BYTES = 64 * 1024;
const MAX_PARTS = 64;

/** A received form: its parts in order, and `dispose` to remove the spooled files once the call is over. */
export interface ReceivedForm {
  parts: MultipartPart[];
  dispose(): Promise<void>;
}

const tooLarge = (limit: number) => new GatewayError(413, 'invalid_request_error', 'request_too_large', `Request body is too large (the limit is ${limit} bytes).`);
const malformed = () => invalidRequest('We could not parse the multipart/form-data body of your request.', null, 'invalid_form');

/**
 * Reads a `multipart/form-data` body of at most `limit` bytes as it arrives: text fields into memory, each file
 * streamed to its own file in a temporary folder (never held in memory, so a retry or a fallback reads it again
 * from disk). 415 for another content type, 413 past the limit (Content-Length first, then as bytes arrive), 400
 * for a malformed form; on any failure the folder is removed before the error is thrown. The caller disposes of
 * the form when the call is over.
 */
export async function readMultipartBody(req: IncomingMessage, limit: number, spoolDir = tmpdir()): Promise<ReceivedForm> {
  const contentType = req.headers['content-type'] ?? '';
  if (!MULTIPART_TYPE.test(contentType)) {
    req.resume();
    throw new GatewayError(415, 'invalid_request_error', 'unsupported_media_type', 'Unsupported Content-Type: send the body as multipart/form-data.');
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const dir = await mkdtemp(join(spoolDir, 'switchyard-upload-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    return { parts: await receive(req, contentType, limit, dir), dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

function receive(req: IncomingMessage, contentType: string, limit: number, dir: string): Promise<MultipartPart[]> {
  return new Promise<MultipartPart[]>((resolve, reject) => {
    const parts: MultipartPart[] = [];
    const writes: Promise<void>[] = [];
    let failed = false;
    let received = 0;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      req.unpipe(busboy);
      req.resume(); // drain what is still arriving so the refusal can be answered
      reject(err);
    };
    let busboy: BusboyInstance;
    try {
      busboy = new Busboy({ headers: { ...req.headers, 'content-type': contentType }, limits: { fileSize: limit, fieldSize: MAX_FIELD_BYTES, parts: MAX_PARTS } });
    } catch {
      req.resume();
      reject(malformed()); // no boundary in the content type
      return;
    }
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) fail(tooLarge(limit));
    });
    req.on('aborted', () => fail(invalidRequest('The request body ended before the form did.', null, 'invalid_form')));
    busboy.on('field', (name, value, _nameTruncated, valueTruncated) => {
      if (valueTruncated) fail(invalidRequest(`The form field "${name}" is longer than ${MAX_FIELD_BYTES} bytes.`, name, 'invalid_form'));
      else parts.push({ name, value });
    });
    busboy.on('file', (name, stream, filename, _encoding, mimeType) => {
      const path = join(dir, String(parts.length));
      const part = { name, filename: filename || 'file', contentType: mimeType || 'application/octet-stream', size: 0, content: () => createReadStream(path) };
      parts.push(part);
      stream.on('limit', () => fail(tooLarge(limit)));
      writes.push(
        pipeline(stream, createWriteStream(path)).then(
          () => void (part.size = stream.bytesRead),
          (err: Error) => fail(err instanceof GatewayError ? err : malformed()),
        ),
      );
    });
    busboy.on('partsLimit', () => fail(invalidRequest(`The form has more than ${MAX_PARTS} parts.`, null, 'invalid_form')));
    busboy.on('error', () => fail(malformed()));
    busboy.on('finish', () => {
      void Promise.all(writes).then(() => {
        if (!failed) resolve(parts);
      });
    });
    req.pipe(busboy);
  });
}
