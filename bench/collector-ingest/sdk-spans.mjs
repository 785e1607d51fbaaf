// The spans bench/collector-ingest sends (real OpenTelemetry SDK spans, traces of 8: a root and 7 GenAI children), and
// the same spans as the collector queues them (SpanRecords), for the benches that measure the span writer's
// statement without the HTTP in front of it (bench/log-ingest/statement-ab.mjs --spans true).
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { root } from '../common.mjs';

const require = createRequire(import.meta.url);
const { context, trace } = require('@opentelemetry/api');
const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');
const { resourceFromAttributes } = require('@opentelemetry/resources');

/** The bench's tracer (its resource: `service.name` bench-service). */
export const benchTracer = () => new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'bench-service' }) }).getTracer('bench');

/** A batch of `n` ended SDK spans (ReadableSpan), in traces of 8: a root and 7 children with GenAI attributes. */
export function makeBatch(tracer, n) {
  const spans = [];
  let rootSpan;
  let ctx;
  for (let i = 0; i < n; i++) {
    if (i % 8 === 0) {
      rootSpan = tracer.startSpan('POST /v1/chat/completions', { attributes: { 'http.route': '/v1/chat/completions', 'http.status_code': 200 } });
      ctx = trace.setSpan(context.active(), rootSpan);
      continue;
    }
    const s = tracer.startSpan('chat gpt-4o-mini', {
      attributes: { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.provider.name': 'openai', 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 42, 'gen_ai.usage.cost': 0.00004, 'user.id': `u-${i}` },
    }, ctx);
    s.addEvent('first token', { index: 0 });
    s.end();
    spans.push(s);
    if (i % 8 === 7 || i === n - 1) {
      rootSpan.end();
      spans.push(rootSpan);
    }
  }
  if (spans.length < n && rootSpan) spans.push(rootSpan);
  return spans.slice(0, n);
}

/**
 * `n` bench spans as a collector queues them (SpanRecords): encoded as OTLP protobuf, as the proto exporter sends
 * them, then decoded and normalized by the collector of `base` (a build root: its `dist/`).
 */
export function queuedSpans(tracer, n, base = root) {
  const { ProtobufTraceSerializer } = require('@opentelemetry/otlp-transformer');
  const { decodeIngestBody } = require(resolve(base, 'dist/apps/collector/src/ingest/ingest.service.js'));
  return decodeIngestBody(Buffer.from(ProtobufTraceSerializer.serializeRequest(makeBatch(tracer, n))), 'protobuf').batch.spans;
}
