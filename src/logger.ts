import { pino, type Logger } from 'pino';

export type { Logger };

/** One root logger per process; child loggers carry campaignId / callId / workerId. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
