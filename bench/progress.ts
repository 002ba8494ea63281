/**
 * Progress lines for a person watching the benchmark: stderr, with the time
 * since the start, so stdout keeps only the result table.
 */
const started = Date.now();

export function say(text: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  process.stderr.write(`[bench ${seconds}s] ${text}\n`);
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return 'n/a';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
