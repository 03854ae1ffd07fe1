import { pino, type Logger } from 'pino';

export type { Logger };

/** Fields that may carry secrets are censored wherever they appear in a log line. */
const REDACT = [
  'token',
  'hostToken',
  'sessionToken',
  'apiKey',
  '*.token',
  '*.hostToken',
  '*.sessionToken',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'redisUrl',
];

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { pid: process.pid, ...bindings },
    redact: { paths: REDACT, censor: '[redacted]' },
  });
}
