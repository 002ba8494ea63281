/**
 * The one way cutover writes a duration for people (logs, messages, reports):
 *
 *   0 ms, 0.4 ms, 2.3 ms   under 10 ms: one decimal where there is one (latencies)
 *   12 ms, 450 ms          under a second: whole milliseconds
 *   1.0 s, 2.5 s, 59.9 s   under a minute: seconds with one decimal
 *   1 min, 4 min 30 s      from a minute on: minutes and whole seconds
 *
 * Each step rounds first, so 999.7 ms is `1.0 s`, not `1000 ms`. Negative
 * durations keep their sign; a value that is not a finite number is `n/a`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 10) {
    const tenths = Math.round(ms * 10) / 10;
    if (tenths < 10) return `${tenths} ms`;
  }
  const wholeMs = Math.round(ms);
  if (wholeMs < 1000) return `${wholeMs} ms`;
  const tenthsOfSecond = Math.round(ms / 100);
  if (tenthsOfSecond < 600) return `${(tenthsOfSecond / 10).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}
