import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { DEFAULT_JSON_MAX_DEPTH, jsonDepthExceeds } from '@switchyard/http';
import { isDynamiqBody, runsBodySchema, toRunRecords } from '../dynamiq/dynamiq-runs';
import { normalizeExportRequest, UndecodableRequestError, type NormalizedBatch } from '../otlp/normalize';
import { decodeProtobufRequest, type PartialSuccess } from '@switchyard/telemetry';
import { CollectorException } from './collector.exception';
import { IngestQueue } from '../queue/ingest-queue';
import { readBody } from './read-body';

export type IngestEncoding = 'json' | 'protobuf';

export type IngestResult =
  | { kind: 'otlp'; encoding: IngestEncoding; partialSuccess: PartialSuccess | null; accepted: number }
  | { kind: 'dynamiq'; accepted: number };

/** `application/json` or `application/x-protobuf` (parameters ignored); anything else is 415. */
export function encodingOf(contentType: string | undefined): IngestEncoding | null {
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mime === 'application/json') return 'json';
  if (mime === 'application/x-protobuf' || mime === 'application/protobuf') return 'protobuf';
  return null;
}

/** Decodes an OTLP or Dynamiq body into records (pure: no I/O); JSON nested past `maxDepth` is a 400. */
export function decodeIngestBody(body: Buffer, encoding: IngestEncoding, maxDepth = DEFAULT_JSON_MAX_DEPTH):
  | { kind: 'otlp'; batch: NormalizedBatch }
  | { kind: 'dynamiq'; runs: ReturnType<typeof toRunRecords> } {
  if (encoding === 'protobuf') {
    let decoded: Record<string, unknown>;
    try {
      decoded = decodeProtobufRequest(body);
    } catch (err) {
      throw new CollectorException('undecodable_body', `The body is not a protobuf ExportTraceServiceRequest: ${(err as Error).message}`);
    }
    return { kind: 'otlp', batch: normalizeOtlp(decoded, 'bytes') };
  }
  const text = body.length ? body.toString('utf8') : '{}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CollectorException('undecodable_body', 'The body is not valid JSON.');
  }
  if (jsonDepthExceeds(text, maxDepth)) {
    // JSON.parse does not recurse; what walks the value afterwards (validation, JSON.stringify) does.
    throw new CollectorException('json_too_deep', `The JSON body is nested more than ${maxDepth} levels deep (the limit is ${maxDepth}).`, {
      dynamiq: isDynamiqBody(parsed),
    });
  }
  if (isDynamiqBody(parsed)) {
    const result = runsBodySchema.safeParse(parsed);
    if (!result.success) {
      // Dynamiq's details: the field at fault (`runs.0.type`) and what is wrong with it, the first issue per field.
      const details: Record<string, string> = {};
      for (const i of result.error.issues) details[i.path.join('.') || 'body'] ??= i.message;
      const list = Object.entries(details).map(([path, message]) => `${path}: ${message}`);
      throw new CollectorException('invalid_runs', `Invalid runs: ${list.join('; ')}`, { dynamiq: true, details });
    }
    return { kind: 'dynamiq', runs: toRunRecords(result.data) };
  }
  return { kind: 'otlp', batch: normalizeOtlp(parsed, 'hex') };
}

/** A queue refusal (429 `queue_full`, 503 `queue_unavailable`) of a Dynamiq body, in Dynamiq's envelope. */
function asDynamiq(err: unknown): never {
  if (err instanceof CollectorException) throw new CollectorException(err.code, err.message, { ...err.options, dynamiq: true });
  throw err;
}

function normalizeOtlp(request: unknown, ids: 'hex' | 'bytes'): NormalizedBatch {
  try {
    return normalizeExportRequest(request, ids);
  } catch (err) {
    if (err instanceof UndecodableRequestError) throw new CollectorException('undecodable_body', err.message);
    throw err;
  }
}

@Injectable()
export class IngestService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    private readonly queue: IngestQueue,
  ) {}

  /** Reads, decodes and validates a body, then makes its records durable in the queue. */
  async ingest(projectId: string, contentType: string | undefined, contentEncoding: string | undefined, stream: Readable): Promise<IngestResult> {
    const encoding = encodingOf(contentType);
    if (!encoding) {
      stream.resume();
      throw new CollectorException('unsupported_media_type', 'Content-Type must be application/json or application/x-protobuf.');
    }
    const body = await readBody(stream, contentEncoding, this.config.collector.maxBodyBytes);
    const decoded = decodeIngestBody(body, encoding, this.config.limits.jsonMaxDepth);
    if (decoded.kind === 'dynamiq') {
      if (decoded.runs.length) await this.queue.enqueue(projectId, 'runs', decoded.runs).catch(asDynamiq);
      return { kind: 'dynamiq', accepted: decoded.runs.length };
    }
    const { spans, rejected, errors } = decoded.batch;
    const max = this.config.collector.maxSpansPerRequest;
    if (spans.length + rejected > max) {
      throw new CollectorException('too_many_spans', `A request may carry at most ${max} spans; split the batch.`);
    }
    if (spans.length) await this.queue.enqueue(projectId, 'spans', spans);
    const partialSuccess = rejected ? { rejectedSpans: rejected, errorMessage: errors.join('; ') } : null;
    return { kind: 'otlp', encoding, partialSuccess, accepted: spans.length };
  }
}
