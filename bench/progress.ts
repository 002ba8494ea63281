/**
 * Progress lines for a person watching the benchmark: stderr, with the time
 * since the start, so stdout keeps only the result table.
 */
import { formatDuration } from '../src/domain/format-duration.js';

const started = Date.now();

export function say(text: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  process.stderr.write(`[bench ${seconds}s] ${text}\n`);
}

/** formatDuration (src/domain/format-duration.ts), with `n/a` for a figure that was not measured. */
export function formatMs(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : formatDuration(ms);
}
