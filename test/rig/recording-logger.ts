import pino from 'pino';
import type { Logger } from '../../src/log.js';

export interface LogRecord {
  level: number;
  time: number;
  msg: string;
  event?: string;
  [key: string]: unknown;
}

/** A real pino logger whose lines are kept in memory, so a test can read the events and their times. */
export function recordingLogger(): { logger: Logger; records: LogRecord[]; events(name: string): LogRecord[]; text(): string } {
  const records: LogRecord[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void records.push(JSON.parse(line) as LogRecord) });
  return {
    logger,
    records,
    events: (name) => records.filter((r) => r.event === name),
    text: () => records.map((r) => r.msg).join('\n'),
  };
}
