import pino, { type Logger } from 'pino';
import { isClosedOutputError } from './ignore-closed-output.js';

/**
 * Logging goes to stderr so that stdout stays for results (`status --json`).
 * `human` prints short progress lines for a person at a terminal;
 * `json` prints one pino JSON line per event, with a stable `event` field.
 */
export type LogFormat = 'human' | 'json';

export type { Logger };

const LEVEL_LABEL: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function humanLine(record: Record<string, unknown>): string {
  const level = LEVEL_LABEL[record.level as number] ?? 'info';
  const prefix = level === 'info' ? '' : `${level}: `;
  const msg = typeof record.msg === 'string' ? record.msg : '';
  return `${prefix}${msg}\n`;
}

export function createLogger(format: LogFormat, level: string = process.env.CUTOVER_LOG_LEVEL ?? 'info'): Logger {
  if (format === 'json') {
    const destination = pino.destination({ fd: 2, sync: true });
    // pino drops its writes after an EPIPE itself; a hung-up terminal (EIO) must not end the run either.
    destination.on('error', (error: unknown) => {
      if (!isClosedOutputError(error)) throw error;
      destination.write = () => true;
    });
    return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  }
  const stream = {
    write(line: string): void {
      process.stderr.write(humanLine(JSON.parse(line) as Record<string, unknown>));
    },
  };
  return pino({ level, base: undefined }, stream);
}

/** A logger that drops everything; for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
