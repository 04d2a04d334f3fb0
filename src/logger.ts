// The process logger: pino, JSON lines on stdout by default. The pretty format runs pino-pretty in pino's
// transport worker, so it is loaded only when asked for. Nothing is logged on the per-request path at 'info':
// a start-up line, warnings and errors with context, and per-client events at 'debug'.

import { pino, type Logger } from 'pino';

export type LogFormat = 'json' | 'pretty';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(options: { level: LogLevel | string; format: LogFormat }): Logger {
  const base = { level: options.level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (options.format === 'pretty') {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: 1 } } });
  }
  // Synchronous stdout writes: the last lines before process.exit (fatal start-up errors) are never lost.
  return pino(base, pino.destination({ dest: 1, sync: true }));
}
