import * as protobuf from 'protobufjs';

/**
 * The OTLP trace export messages (opentelemetry-proto v1: common, resource, trace, collector/trace)
 * and google.rpc.Status, as protobuf IDL. @opentelemetry/otlp-transformer 0.2xx no longer ships the
 * .proto files or a generated root (its own reader only decodes responses), so the definitions are
 * kept here verbatim in field numbers and types and compiled by protobufjs: the decoding is
 * protobufjs's, not ours. Unknown fields (newer proto versions) are skipped by the decoder.
 */
export const OTLP_TRACE_PROTO = `
syntax = "proto3";
package opentelemetry.proto;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}
message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  message Link {
    bytes trace_id = 1;
    bytes span_id = 2;
    string trace_state = 3;
    repeated KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5;
    fixed32 flags = 6;
  }
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message Status {
  string message = 2;
  int32 code = 3;
}
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess {
  int64 rejected_spans = 1;
  string error_message = 2;
}
message Any {
  string type_url = 1;
  bytes value = 2;
}
message RpcStatus {
  int32 code = 1;
  string message = 2;
  repeated Any details = 3;
}
`;
// SpanKind and StatusCode are enums in the proto; int32 has the same wire format (varint) and keeps
// values this version does not know instead of dropping them, so validation can name them.

/** The messages this module encodes and decodes, by the name it gives them. */
const MESSAGES = {
  request: 'ExportTraceServiceRequest',
  response: 'ExportTraceServiceResponse',
  rpcStatus: 'RpcStatus',
} as const;
type Message = keyof typeof MESSAGES;

let root: protobuf.Root | undefined;
const types: Partial<Record<Message, protobuf.Type>> = {};

/** A message's type, the IDL compiled on first use and each type looked up once. */
function otlpType(message: Message): protobuf.Type {
  root ??= protobuf.parse(OTLP_TRACE_PROTO, { keepCase: false }).root;
  return (types[message] ??= root.lookupType(`opentelemetry.proto.${MESSAGES[message]}`));
}

/** A message's bytes from its plain-object form (lowerCamelCase keys, as protobufjs's fromObject reads them). */
function encode(message: Message, object: Record<string, unknown>): Uint8Array {
  const t = otlpType(message);
  return t.encode(t.fromObject(object)).finish();
}

/** A message as a plain object (protobufjs's toObject with these options). Throws on bytes that are not one. */
function decode<T>(message: Message, body: Uint8Array, options?: protobuf.IConversionOptions): T {
  const t = otlpType(message);
  return t.toObject(t.decode(body), options) as T;
}

/**
 * Decodes a binary ExportTraceServiceRequest into protobufjs messages: lowerCamelCase keys (the OTLP
 * JSON field names), 64-bit integers as Long, bytes as Uint8Array, unset fields as the prototype's
 * defaults. normalizeExportRequest reads these directly; converting them to plain objects first
 * (`toObject`) cost as much as the decode itself. Throws when the bytes are not a valid message.
 */
export function decodeProtobufRequest(body: Uint8Array): Record<string, unknown> {
  return otlpType('request').decode(body) as unknown as Record<string, unknown>;
}

/** Encodes a binary ExportTraceServiceRequest from the same plain-object shape (tests, benchmarks). */
export function encodeProtobufRequest(request: Record<string, unknown>): Uint8Array {
  return encode('request', request);
}

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

export function encodeProtobufResponse(partial: PartialSuccess | null): Uint8Array {
  return encode('response', partial ? { partialSuccess: { rejectedSpans: partial.rejectedSpans, errorMessage: partial.errorMessage } } : {});
}

export function decodeProtobufResponse(body: Uint8Array): Record<string, unknown> {
  return decode('response', body, { longs: Number });
}

/** google.rpc.Status, the body of every OTLP/HTTP error response in protobuf. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return encode('rpcStatus', { code, message });
}

export function decodeRpcStatus(body: Uint8Array): { code?: number; message?: string } {
  return decode('rpcStatus', body);
}
