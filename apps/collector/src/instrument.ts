import { boot } from '@switchyard/telemetry';

/** Imported first by main.ts: validated config and OpenTelemetry before anything else loads. */
export const { config, stopTelemetry } = boot('collector');
