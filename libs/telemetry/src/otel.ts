import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { AppConfig } from '@switchyard/config';

/**
 * Starts the OpenTelemetry SDK when OTEL_EXPORTER_OTLP_ENDPOINT is configured; otherwise does nothing.
 * Called first in every entry point (instrument.ts) so start-up failures are traced too.
 */
export function startOpenTelemetry(config: Pick<AppConfig, 'otel'>, service: string): () => Promise<void> {
  if (!config.otel.endpoint) return async () => undefined;
  const sdk = new NodeSDK({
    serviceName: config.otel.serviceName ?? `switchyard-${service}`,
    traceExporter: new OTLPTraceExporter({ url: `${config.otel.endpoint.replace(/\/+$/, '')}/v1/traces` }),
  });
  sdk.start();
  return () => sdk.shutdown();
}
