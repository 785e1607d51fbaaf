import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

export type Protocol = 'json' | 'protobuf';

export function exporterFor(protocol: Protocol, collectorUrl: string, key: string, gzip: boolean): SpanExporter {
  const opts = {
    url: `${collectorUrl}/v1/traces`,
    headers: { Authorization: `Bearer ${key}` },
    compression: gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
  };
  return protocol === 'json' ? new HttpJsonExporter(opts) : new ProtoExporter(opts);
}

/**
 * Sends one nested trace through the real SDK: root (server) -> child (client, GenAI attributes,
 * an event) -> grandchild (error status, a link to the root). Returns the trace id.
 */
export async function sendNestedTrace(exporter: SpanExporter, serviceName: string): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'deployment.environment': 'test' }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('e2e-tracer', '1.2.3');
  const root = tracer.startSpan('GET /answer', { kind: SpanKind.SERVER, attributes: { 'http.route': '/answer', 'http.status_code': 200 } });
  const rootCtx = trace.setSpan(context.active(), root);
  const child = tracer.startSpan(
    'chat gpt-4o',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.provider.name': 'openai',
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 30,
        'gen_ai.usage.cost': 0.0015,
        tags: ['a', 'b'],
        ratio: 0.25,
        cached: false,
      },
    },
    rootCtx,
  );
  child.addEvent('first token', { index: 0, text: 'hi' });
  const grandchild = tracer.startSpan('tool lookup', { links: [{ context: root.spanContext(), attributes: { reason: 'caused by' } }] }, trace.setSpan(rootCtx, child));
  grandchild.setStatus({ code: SpanStatusCode.ERROR, message: 'tool failed' });
  grandchild.end();
  child.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}
