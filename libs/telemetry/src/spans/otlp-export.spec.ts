import { decodeProtobufRequest } from '../otlp/otlp-proto';
import { SpanKind, SpanStatus, type GatewaySpan } from './gateway-span';
import { encodeOtlpExport } from './otlp-export';

const span: GatewaySpan = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  parentSpanId: '1111111111111111',
  name: 'chat gpt-4o',
  kind: SpanKind.SERVER,
  startNs: 1_765_000_000_123_456_789n,
  endNs: 1_765_000_000_223_456_789n,
  status: { code: SpanStatus.ERROR, message: 'provider_timeout' },
  attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.cost': 0.0025, 'switchyard.stream': false, 'gen_ai.response.finish_reasons': ['stop'] },
  flags: 1,
};

describe('encodeOtlpExport', () => {
  it('writes OTLP/JSON: hex ids, nanosecond strings, typed attribute values, the service resource', () => {
    const { body, contentType } = encodeOtlpExport([span], { serviceName: 'switchyard-router' }, 'json');
    expect(contentType).toBe('application/json');
    const rs = JSON.parse(body as string).resourceSpans[0];
    expect(rs.resource.attributes).toEqual([{ key: 'service.name', value: { stringValue: 'switchyard-router' } }]);
    expect(rs.scopeSpans[0].spans[0]).toEqual({
      traceId: span.traceId,
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      flags: 1,
      name: 'chat gpt-4o',
      kind: 2,
      startTimeUnixNano: '1765000000123456789',
      endTimeUnixNano: '1765000000223456789',
      attributes: [
        { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
        { key: 'gen_ai.usage.input_tokens', value: { intValue: '12' } },
        { key: 'gen_ai.usage.cost', value: { doubleValue: 0.0025 } },
        { key: 'switchyard.stream', value: { boolValue: false } },
        { key: 'gen_ai.response.finish_reasons', value: { arrayValue: { values: [{ stringValue: 'stop' }] } } },
      ],
      status: { code: 2, message: 'provider_timeout' },
    });
  });

  it('writes protobuf that the OTLP schema decodes to the same span (ids as bytes, 64-bit times exact)', () => {
    const { body, contentType } = encodeOtlpExport([{ ...span, parentSpanId: null }], { serviceName: 'switchyard-router' }, 'protobuf');
    expect(contentType).toBe('application/x-protobuf');
    const decoded = decodeProtobufRequest(body as Uint8Array) as unknown as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    const s = decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(Buffer.from(s['traceId'] as Uint8Array).toString('hex')).toBe(span.traceId);
    expect(Buffer.from(s['spanId'] as Uint8Array).toString('hex')).toBe(span.spanId);
    expect((s['parentSpanId'] as Uint8Array).length).toBe(0);
    expect(String(s['startTimeUnixNano'])).toBe('1765000000123456789');
    expect(s['name']).toBe('chat gpt-4o');
  });
});
