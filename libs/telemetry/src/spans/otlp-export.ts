import { encodeProtobufRequest } from '../otlp/otlp-proto';
import type { GatewaySpan, SpanAttributeValue } from './gateway-span';

export type OtlpContentType = 'json' | 'protobuf';

/** The resource and instrumentation scope every span of one process carries. */
export interface SpanSource {
  serviceName: string;
}

export const GATEWAY_SCOPE = 'switchyard-gateway';

type AnyValue = { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number } | { arrayValue: { values: AnyValue[] } };

function anyValue(v: SpanAttributeValue): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { arrayValue: { values: v.map((s) => ({ stringValue: s })) } };
}

const keyValues = (attrs: Readonly<Record<string, SpanAttributeValue>>) => Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));

/**
 * An OTLP ExportTraceServiceRequest of spans, as a plain object in the OTLP/JSON field names: ids as hex strings
 * (`json`) or bytes (`protobuf`, for protobufjs). Pure.
 */
export function otlpExportRequest(spans: readonly GatewaySpan[], source: SpanSource, ids: OtlpContentType = 'json'): Record<string, unknown> {
  const id = ids === 'json' ? (hex: string) => hex : (hex: string) => Buffer.from(hex, 'hex');
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues({ 'service.name': source.serviceName }) },
        scopeSpans: [
          {
            scope: { name: GATEWAY_SCOPE },
            spans: spans.map((s) => ({
              traceId: id(s.traceId),
              spanId: id(s.spanId),
              ...(s.parentSpanId ? { parentSpanId: id(s.parentSpanId) } : {}),
              flags: s.flags,
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: s.startNs.toString(),
              endTimeUnixNano: s.endNs.toString(),
              attributes: keyValues(s.attributes),
              status: s.status.message ? { code: s.status.code, message: s.status.message } : { code: s.status.code },
            })),
          },
        ],
      },
    ],
  };
}

/** The body and content type of an OTLP/HTTP trace export. */
export function encodeOtlpExport(spans: readonly GatewaySpan[], source: SpanSource, contentType: OtlpContentType): { body: Uint8Array | string; contentType: string } {
  if (contentType === 'protobuf') return { body: encodeProtobufRequest(otlpExportRequest(spans, source, 'protobuf')), contentType: 'application/x-protobuf' };
  return { body: JSON.stringify(otlpExportRequest(spans, source, 'json')), contentType: 'application/json' };
}
