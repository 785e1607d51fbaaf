import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/** Paths that must never reach a log line, whatever logs them. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["cf-aig-authorization"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["cf-aig-authorization"]',
  // One level further down (e.g. @fastify/multipart's trace of its busboy options and their headers).
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers["cf-aig-authorization"]',
  '*.*.headers.authorization',
  'authorization',
  '*.authorization',
  '*.api_key',
  '*.apiKey',
  '*.secret_access_key',
  '*.session_token',
  '*.service_account_json',
  '*.credentials',
  '*.password',
  '*.token',
  '*.key',
];

/** Access keys (`sy_` + 48 base62) and bearer credentials, wherever they appear in a line. */
const SECRET_IN_TEXT = /\bsy_[A-Za-z0-9]{48}\b|(\bBearer\s+)[^\s"\\,]+/gi;

/** Masks access keys and bearer tokens in a serialized log line (a message, a stack, an object no path names). */
export function maskSecrets(line: string): string {
  return line.replace(SECRET_IN_TEXT, (_match, bearer: string | undefined) => (bearer ? `${bearer}[redacted]` : 'sy_[redacted]'));
}

/**
 * The service logger. Known secret fields are redacted by path, and every line is masked once more
 * on its way out (maskSecrets), so no access key reaches a log at any level, whoever logged it.
 */
export function createLogger(opts: { service: string; level: string; pretty?: boolean }): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level,
    base: { service: opts.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(opts.pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', messageFormat: '[{service}] {msg}' } } }
      : {}),
  };
  if (opts.pretty) return pino(options);
  const stdout = pino.destination({ dest: 1, sync: true });
  const masked = {
    write: (line: string) => stdout.write(line.includes('sy_') || /bearer/i.test(line) ? maskSecrets(line) : line),
    flush: () => stdout.flush(),
    flushSync: () => stdout.flushSync(),
  };
  return pino(options, masked);
}

/** Nest's logger interface over pino, so framework and app logs share one JSON stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string) {
    this.logger.fatal({ context }, String(message));
  }
}
