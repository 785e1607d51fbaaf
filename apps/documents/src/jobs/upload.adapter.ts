import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { GatewayError, invalidRequest } from '@switchyard/types';
import type { UploadPart, UploadSource } from '@switchyard/documents';

/**
 * Adapts a Fastify request (multipart, streamed part by part, or JSON) to an UploadSource. A multipart
 * body that stops arriving for `idleTimeoutMs` fails with 408, one that ends before its closing
 * boundary (or is otherwise malformed) with 400, instead of a 500 or a worker held forever.
 */
export function uploadSourceOf(req: FastifyRequest, idleTimeoutMs: number): UploadSource {
  if (req.isMultipart()) return { kind: 'multipart', parts: multipartParts(req, idleTimeoutMs) };
  const body = req.body;
  if (body === undefined || body === null) return { kind: 'json', body: {} };
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('Send multipart/form-data or a JSON object.');
  return { kind: 'json', body: body as Record<string, unknown> };
}

async function* multipartParts(req: FastifyRequest, idleTimeoutMs: number): AsyncIterable<UploadPart> {
  const iterator = req.parts()[Symbol.asyncIterator]();
  const idle = new IdleWatch(req.raw, idleTimeoutMs);
  try {
    for (;;) {
      const next = await idle.race(iterator.next()).catch((err: unknown) => {
        throw uploadError(err);
      });
      if (next.done) return;
      const part = next.value;
      if (part.type === 'file') {
        idle.current = part.file;
        yield { type: 'file', fieldname: part.fieldname, filename: part.filename || null, stream: guarded(part.file) };
        idle.current = null;
        // Drain whatever the consumer left so the next part can be read.
        part.file.resume();
      } else {
        yield { type: 'field', name: part.fieldname, value: typeof part.value === 'string' ? part.value : JSON.stringify(part.value) };
      }
    }
  } finally {
    idle.stop();
  }
}

async function* guarded(file: Readable): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of file) yield chunk as Uint8Array;
  } catch (err) {
    throw uploadError(err);
  }
}

/** Busboy's own errors (a plain Error) say the body is malformed: a client error, not a 500. */
function uploadError(err: unknown): unknown {
  if (err instanceof GatewayError || typeof (err as { statusCode?: unknown }).statusCode === 'number') return err;
  const message = err instanceof Error ? err.message : '';
  // The parser destroys the file part it was writing when the body ends (or is cut) before the part does.
  const prematureClose = (err as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE';
  if (prematureClose || /unexpected end of (form|multipart data)/i.test(message)) {
    return invalidRequest('The multipart body ended before its closing boundary.', null, 'invalid_multipart');
  }
  if (/^(Malformed|Multipart: Boundary not found|Unexpected end of file)/i.test(message)) {
    return invalidRequest(`The multipart body is malformed: ${message}.`, null, 'invalid_multipart');
  }
  return err;
}

/** Fails the upload with 408 when no byte of it has arrived for `timeoutMs`. */
class IdleWatch {
  /** The file stream being consumed, failed in place when the upload stalls inside it. */
  current: Readable | null = null;
  private readonly timer: NodeJS.Timeout;
  private last = Date.now();
  private expired: GatewayError | null = null;
  private rejectPending: ((err: GatewayError) => void) | null = null;
  private readonly touch = () => {
    this.last = Date.now();
  };

  constructor(
    private readonly raw: Readable,
    private readonly timeoutMs: number,
  ) {
    // req.parts() has piped the request into the parser already, so listening does not change its flow.
    raw.on('data', this.touch);
    this.timer = setInterval(() => this.check(), Math.max(50, Math.min(1000, timeoutMs / 4)));
    this.timer.unref();
  }

  race<T>(step: Promise<T>): Promise<T> {
    if (this.expired) return Promise.reject(this.expired);
    return new Promise<T>((resolve, reject) => {
      this.rejectPending = reject;
      step.then(resolve, reject).finally(() => (this.rejectPending = null));
    });
  }

  stop(): void {
    clearInterval(this.timer);
    this.raw.off('data', this.touch);
  }

  private check(): void {
    if (this.raw.readableEnded || Date.now() - this.last < this.timeoutMs) return;
    this.stop();
    this.expired = new GatewayError(
      408,
      'invalid_request_error',
      'request_timeout',
      `The upload stalled: nothing arrived for ${this.timeoutMs} ms (HTTP_BODY_IDLE_TIMEOUT_MS).`,
    );
    this.current?.destroy(this.expired);
    this.rejectPending?.(this.expired);
  }
}
