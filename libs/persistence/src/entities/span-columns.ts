import type { JsonObject } from '@switchyard/types';

/** OTLP attributes (and resource attributes) with their values as plain JSON values. */
export type SpanAttributes = JsonObject;

export interface SpanScope {
  name: string;
  version: string | null;
  attributes: SpanAttributes;
}

export interface SpanEvent {
  name: string;
  time_unix_nano: string;
  attributes: SpanAttributes;
}

export interface SpanLink {
  trace_id: string;
  span_id: string;
  trace_state: string | null;
  attributes: SpanAttributes;
}
