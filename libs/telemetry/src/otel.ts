import type { AppConfig } from '@switchyard/config';

/**
 * Starts the OpenTelemetry SDK when OTEL_EXPORTER_OTLP_ENDPOINT is configured; otherwise does nothing.
 * Called first in every entry point (instrument.ts) so start-up failures are traced too. The SDK is
 * loaded only when it is used: it costs about 40 MB of memory per process.
 */
export function startOpenTelemetry(config: Pick<AppConfig, 'otel'>, service: string): () => Promise<void> {
  if (!config.otel.endpoint) return async () => undefined;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    serviceName: config.otel.serviceName ?? `switchyard-${service}`,
    traceExporter: new OTLPTraceExporter({ url: `${config.otel.endpoint.replace(/\/+$/, '')}/v1/traces` }),
  });
  sdk.start();
  return () => sdk.shutdown();
}
