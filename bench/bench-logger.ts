import pino from 'pino';
import type { Logger } from '../src/log.js';

export interface LogEvent {
  level: number;
  /** Epoch ms, the same clock as the load samples (Date.now()). */
  time: number;
  msg: string;
  event?: string;
  [key: string]: unknown;
}

export interface BenchLogger {
  logger: Logger;
  events(name: string): LogEvent[];
}

/**
 * cutover's logger for the benchmark: every record is kept (the switch and
 * phase events carry the times the figures need) and info and above are
 * printed as indented progress lines on stderr.
 */
export function benchLogger(label: string): BenchLogger {
  const records: LogEvent[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string): void {
        const record = JSON.parse(line) as LogEvent;
        records.push(record);
        if (record.level >= 30) process.stderr.write(`             ${label}: ${record.msg}\n`);
      },
    },
  );
  return { logger, events: (name) => records.filter((r) => r.event === name) };
}
