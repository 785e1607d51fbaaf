import { ConfigError, loadConfig, type AppConfig } from '@switchyard/config';
import { startOpenTelemetry } from './otel';

export interface Boot {
  config: AppConfig;
  stopTelemetry: () => Promise<void>;
}

/**
 * The first thing every entry point does (its instrument.ts): validate the configuration (a bad or
 * missing value stops the process with a message naming the variable) and start OpenTelemetry.
 */
export function boot(service: string): Boot {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`switchyard ${service}: cannot start. ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  return { config, stopTelemetry: startOpenTelemetry(config, service) };
}
