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
  /**
   * The first event `name` (recorded already or still to come) that `matches`;
   * rejects when `signal` aborts or after `timeoutMs`, so a scenario waiting
   * for an operation's progress never waits forever.
   */
  waitFor(name: string, matches: (event: LogEvent) => boolean, options: { signal: AbortSignal; timeoutMs: number }): Promise<LogEvent>;
}

/**
 * cutover's logger for the benchmark: every record is kept (the switch and
 * phase events carry the times the figures need) and info and above are
 * printed as indented progress lines on stderr.
 */
export function benchLogger(label: string): BenchLogger {
  const records: LogEvent[] = [];
  const listeners = new Set<(record: LogEvent) => void>();
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string): void {
        const record = JSON.parse(line) as LogEvent;
        records.push(record);
        if (record.level >= 30) process.stderr.write(`             ${label}: ${record.msg}\n`);
        for (const listener of listeners) listener(record);
      },
    },
  );
  const waitFor: BenchLogger['waitFor'] = (name, matches, { signal, timeoutMs }) =>
    new Promise((resolve, reject) => {
      const seen = records.find((r) => r.event === name && matches(r));
      if (seen !== undefined) return resolve(seen);
      if (signal.aborted) return reject(signal.reason as Error);
      const done = (): void => {
        listeners.delete(listener);
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const listener = (record: LogEvent): void => {
        if (record.event !== name || !matches(record)) return;
        done();
        resolve(record);
      };
      const onAbort = (): void => {
        done();
        reject(signal.reason as Error);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${label}: no ${name} event within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      listeners.add(listener);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  return { logger, events: (name) => records.filter((r) => r.event === name), waitFor };
}
