import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { decodeIngestBody } from '../ingest/ingest.service';
import { readBody } from '../ingest/read-body';
import { CollectorException } from '../ingest/collector.exception';
import { genAiColumns, normalizeExportRequest } from './normalize';
import { decodeProtobufResponse, encodeProtobufRequest, encodeProtobufResponse } from '@switchyard/telemetry';

/** The trace example of the OTLP specification (opentelemetry-proto examples/trace.json). */
const SPEC_EXAMPLE = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'my.service' } }] },
      scopeSpans: [
        {
          scope: {
            name: 'my.library',
            version: '1.0.0',
            attributes: [{ key: 'my.scope.attribute', value: { stringValue: 'some scope attribute' } }],
          },
          spans: [
            {
              traceId: '5B8EFFF798038103D269B633813FC60C',
              spanId: 'EEE19B7EC3C1B174',
              parentSpanId: 'EEE19B7EC3C1B173',
              name: 'I\'m a server span',
              startTimeUnixNano: '1544712660000000000',
              endTimeUnixNano: '1544712661000000000',
              kind: 2,
              attributes: [
                { key: 'my.span.attr', value: { stringValue: 'some value' } },
                { key: 'count', value: { intValue: '42' } },
                { key: 'big', value: { intValue: '9007199254740993' } },
                { key: 'ratio', value: { doubleValue: 0.5 } },
                { key: 'ok', value: { boolValue: true } },
                { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }] } } },
                { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } } },
                { key: 'raw', value: { bytesValue: 'AQID' } },
              ],
              events: [{ timeUnixNano: 1544712660500000000, name: 'ev', attributes: [{ key: 'e', value: { intValue: 1 } }] }],
              links: [{ traceId: '5b8efff798038103d269b633813fc60d', spanId: 'eee19b7ec3c1b175', attributes: [] }],
              status: { code: 2, message: 'boom' },
            },
          ],
        },
      ],
    },
  ],
};

const hexToBytes = (h: string) => Buffer.from(h, 'hex');

describe('OTLP normalization', () => {
  it('turns the specification JSON example into a span record with plain attribute values', () => {
    const { spans, rejected } = normalizeExportRequest(SPEC_EXAMPLE, 'hex');
    expect(rejected).toBe(0);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      trace_id: '5b8efff798038103d269b633813fc60c',
      span_id: 'eee19b7ec3c1b174',
      parent_span_id: 'eee19b7ec3c1b173',
      name: "I'm a server span",
      kind: 2,
      service_name: 'my.service',
      start_ns: '1544712660000000000',
      end_ns: '1544712661000000000',
      status_code: 2,
      status_message: 'boom',
      resource: { 'service.name': 'my.service' },
      scope: { name: 'my.library', version: '1.0.0', attributes: { 'my.scope.attribute': 'some scope attribute' } },
      attributes: {
        'my.span.attr': 'some value',
        count: 42,
        big: '9007199254740993',
        ratio: 0.5,
        ok: true,
        list: ['a', 1],
        map: { k: 'v' },
        raw: 'AQID',
      },
      events: [{ name: 'ev', time_unix_nano: '1544712660500000000', attributes: { e: 1 } }],
      links: [{ trace_id: '5b8efff798038103d269b633813fc60d', span_id: 'eee19b7ec3c1b175', trace_state: null, attributes: {} }],
    });
  });

  it('decodes the same request sent as protobuf to the same records', () => {
    const proto = JSON.parse(JSON.stringify(SPEC_EXAMPLE));
    const span = proto.resourceSpans[0].scopeSpans[0].spans[0];
    span.traceId = hexToBytes(span.traceId);
    span.spanId = hexToBytes(span.spanId);
    span.parentSpanId = hexToBytes(span.parentSpanId);
    span.links[0].traceId = hexToBytes(span.links[0].traceId);
    span.links[0].spanId = hexToBytes(span.links[0].spanId);
    span.attributes[7].value.bytesValue = Buffer.from([1, 2, 3]);
    const bytes = Buffer.from(encodeProtobufRequest(proto));
    const fromProto = decodeIngestBody(bytes, 'protobuf');
    const fromJson = decodeIngestBody(Buffer.from(JSON.stringify(SPEC_EXAMPLE)), 'json');
    expect(fromProto.kind).toBe('otlp');
    expect(fromProto).toEqual(fromJson);
  });

  it('reads protobuf messages as decoded: unset fields, 64-bit ints and every AnyValue kind like JSON', () => {
    const attrs = [
      { key: 'neg', value: { intValue: '-42' } },
      { key: 'big', value: { intValue: '9007199254740993' } },
      { key: 'zero', value: { intValue: '0' } },
      { key: 'empty', value: { stringValue: '' } },
      { key: 'no', value: { boolValue: false } },
      { key: 'd', value: { doubleValue: 0.5 } },
      { key: 'arr', value: { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'x' }] } } },
      { key: 'kv', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } } },
      { key: 'unset', value: {} },
    ];
    const json = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'n', startTimeUnixNano: '18446744073709551615', attributes: attrs }] }] }] };
    const proto = JSON.parse(JSON.stringify(json));
    const span = proto.resourceSpans[0].scopeSpans[0].spans[0];
    span.traceId = hexToBytes(span.traceId);
    span.spanId = hexToBytes(span.spanId);
    span.startTimeUnixNano = '1544712660000000000';
    json.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.startTimeUnixNano = '1544712660000000000';
    const fromProto = decodeIngestBody(Buffer.from(encodeProtobufRequest(proto)), 'protobuf');
    const fromJson = decodeIngestBody(Buffer.from(JSON.stringify(json)), 'json');
    expect(fromProto).toEqual(fromJson);
    if (fromProto.kind !== 'otlp') throw new Error('expected spans');
    expect(fromProto.batch.spans[0]).toMatchObject({
      parent_span_id: null,
      flags: null,
      kind: 0,
      scope: null,
      start_ns: '1544712660000000000',
      end_ns: '0',
      attributes: { neg: -42, big: '9007199254740993', zero: 0, empty: '', no: false, d: 0.5, arr: [1, 'x'], kv: { k: true }, unset: null },
    });
  });

  it('accepts snake_case field names, enum names and numeric int64s', () => {
    const { spans } = normalizeExportRequest(
      {
        resource_spans: [
          {
            scope_spans: [
              { spans: [{ trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', kind: 'SPAN_KIND_CLIENT', start_time_unix_nano: 1, end_time_unix_nano: 2, status: { code: 'STATUS_CODE_OK' } }] },
            ],
          },
        ],
      },
      'hex',
    );
    expect(spans[0]).toMatchObject({ kind: 3, status_code: 1, start_ns: '1', end_ns: '2', service_name: null, parent_span_id: null });
  });

  it('rejects spans with bad ids or enums and keeps the others (partial success)', () => {
    const good = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'good' };
    const batch = normalizeExportRequest(
      {
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  good,
                  { ...good, traceId: 'abc', name: 'short trace id' },
                  { ...good, spanId: '00000000000000000', name: 'bad span id' },
                  { ...good, spanId: '0000000000000000', name: 'zero span id' },
                  { ...good, parentSpanId: 'xyz', name: 'bad parent' },
                  { ...good, kind: 9, name: 'bad kind' },
                ],
              },
            ],
          },
        ],
      },
      'hex',
    );
    expect(batch.spans.map((s) => s.name)).toEqual(['good']);
    expect(batch.rejected).toBe(5);
    expect(batch.errors[0]).toContain('traceId');
  });

  it('replaces NUL characters, which jsonb cannot store', () => {
    const { spans } = normalizeExportRequest(
      { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'a\u0000b', attributes: [{ key: 'k', value: { stringValue: 'x\u0000' } }] }] }] }] },
      'hex',
    );
    expect(spans[0]!.name).toBe('a\uFFFDb');
    expect(spans[0]!.attributes['k']).toBe('x\uFFFD');
  });

  it('extracts GenAI columns', () => {
    const attr = (key: string, value: object) => ({ key, value });
    const { spans } = normalizeExportRequest(
      {
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: '0af7651916cd43dd8448eb211c80319c',
                    spanId: 'b7ad6b7169203331',
                    attributes: [
                      attr('gen_ai.request.model', { stringValue: 'gpt-4o' }),
                      attr('gen_ai.provider.name', { stringValue: 'openai' }),
                      attr('gen_ai.usage.input_tokens', { intValue: '12' }),
                      attr('gen_ai.usage.output_tokens', { intValue: 30 }),
                      attr('gen_ai.usage.cost', { doubleValue: 0.0012 }),
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
      'hex',
    );
    expect(spans[0]).toMatchObject({ gen_ai_model: 'gpt-4o', gen_ai_provider: 'openai', input_tokens: 12, output_tokens: 30, cost: 0.0012 });
  });

  it('names the model that answered when the span says it (a gateway span: asked for an alias, answered by a dated model)', () => {
    const attrs = { 'gen_ai.request.model': '@mock/gpt-4o-mini', 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18' };
    expect(genAiColumns(attrs).gen_ai_model).toBe('gpt-4o-mini-2024-07-18');
    expect(genAiColumns({ 'gen_ai.request.model': 'gpt-4o' }).gen_ai_model).toBe('gpt-4o');
  });

  it('refuses bodies that are not requests (400)', () => {
    expect(() => decodeIngestBody(Buffer.from('{nope'), 'json')).toThrow(CollectorException);
    expect(() => decodeIngestBody(Buffer.from('{"resourceSpans":{}}'), 'json')).toThrow(/array/);
    expect(() => decodeIngestBody(Buffer.from([0xff, 0xff, 0xff, 0xff]), 'protobuf')).toThrow(CollectorException);
  });

  it('validates Dynamiq runs', () => {
    const run = { id: 'r1', name: 'Workflow', type: 'workflow', trace_id: 't', source_id: 's', start_time: '2024-05-01T10:00:00+00:00', end_time: '2024-05-01T10:00:01Z', status: 'succeeded' };
    const ok = decodeIngestBody(Buffer.from(JSON.stringify({ runs: [run] })), 'json');
    expect(ok).toMatchObject({ kind: 'dynamiq', runs: [{ id: 'r1', start_time: '2024-05-01T10:00:00.000Z', input: null }] });
    expect(() => decodeIngestBody(Buffer.from(JSON.stringify({ runs: [{ ...run, status: undefined }] })), 'json')).toThrow(/status/);
  });

  it('encodes partial success responses', () => {
    expect(Buffer.from(encodeProtobufResponse(null))).toHaveLength(0);
    expect(decodeProtobufResponse(encodeProtobufResponse({ rejectedSpans: 3, errorMessage: 'bad ids' }))).toEqual({
      partialSuccess: { rejectedSpans: 3, errorMessage: 'bad ids' },
    });
  });
});

describe('readBody', () => {
  const stream = (b: Buffer) => Readable.from([b.subarray(0, 10), b.subarray(10)]);

  it('inflates gzip', async () => {
    const body = Buffer.from('x'.repeat(1000));
    await expect(readBody(stream(gzipSync(body)), 'gzip', 2000)).resolves.toEqual(body);
  });

  it('stops a gzip bomb at the decompressed limit', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100_000);
    await expect(readBody(stream(bomb), 'gzip', 1024 * 1024)).rejects.toMatchObject({ code: 'body_too_large', status: 413 });
  });

  it('refuses an oversize plain body and corrupt gzip', async () => {
    await expect(readBody(stream(Buffer.alloc(3000)), undefined, 2000)).rejects.toMatchObject({ status: 413 });
    await expect(readBody(stream(Buffer.from('not gzip at all')), 'gzip', 2000)).rejects.toMatchObject({ status: 400 });
    await expect(readBody(stream(Buffer.from('x')), 'br', 2000)).rejects.toMatchObject({ status: 415 });
  });
});
