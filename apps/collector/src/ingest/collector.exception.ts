/**
 * Ingest failures with a string code and the HTTP status they map to. The ingest filter writes
 * them as OTLP `google.rpc.Status` (in the request's encoding) or, for Dynamiq bodies, as
 * `{"error":{"code","message","details"}}` (details: the fields at fault, and the code as `reason`).
 */
export type CollectorErrorCode =
  | 'undecodable_body'
  | 'json_too_deep'
  | 'invalid_runs'
  | 'unsupported_media_type'
  | 'unsupported_encoding'
  | 'body_too_large'
  | 'too_many_spans'
  | 'queue_full'
  | 'queue_unavailable';

const STATUS: Record<CollectorErrorCode, number> = {
  undecodable_body: 400,
  json_too_deep: 400,
  invalid_runs: 400,
  unsupported_media_type: 415,
  unsupported_encoding: 415,
  body_too_large: 413,
  too_many_spans: 413,
  queue_full: 429,
  queue_unavailable: 503,
};

export class CollectorException extends Error {
  readonly status: number;
  constructor(
    readonly code: CollectorErrorCode,
    message: string,
    readonly options: { retryAfterSeconds?: number; details?: Record<string, string>; dynamiq?: boolean } = {},
  ) {
    super(message);
    this.name = 'CollectorException';
    this.status = STATUS[code];
  }
}

/** gRPC status code of an HTTP status, for google.rpc.Status bodies. */
export function grpcCodeOf(status: number): number {
  switch (status) {
    case 400:
    case 413:
    case 415:
      return 3; // INVALID_ARGUMENT
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 5; // NOT_FOUND
    case 429:
      return 8; // RESOURCE_EXHAUSTED
    case 503:
      return 14; // UNAVAILABLE
    default:
      return 13; // INTERNAL
  }
}
