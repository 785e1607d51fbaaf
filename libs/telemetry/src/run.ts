import type { Logger } from 'pino';

/** Runs an entry point: a start-up failure is logged once, clearly, and the process exits non-zero. */
export function run(name: string, main: () => Promise<void>, logger?: Logger): void {
  main().catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    if (logger) logger.fatal({ err }, `${name} failed to start: ${message}`);
    else process.stderr.write(`${name} failed to start: ${message}\n`);
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 200).unref();
  });
}
