/**
 * Compose durations (`5s`, `1m30s`, `500ms`, `1.5h`), in milliseconds. Units:
 * h, m, s, ms, us (or µs), ns; parts may be combined largest first, as in Go's
 * time.ParseDuration, which Compose uses. A bare "0" is zero; any other bare
 * number is refused here because its unit would be a guess.
 * Returns undefined for anything else (also negative values).
 */
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/y;

export function parseDuration(text: string): number | undefined {
  const input = text.trim();
  if (input === '0') return 0;
  if (input === '') return undefined;
  let total = 0;
  let at = 0;
  while (at < input.length) {
    PART.lastIndex = at;
    const part = PART.exec(input);
    if (part === null) return undefined;
    total += Number(part[1]) * (UNIT_MS[part[2] ?? ''] ?? Number.NaN);
    at = PART.lastIndex;
  }
  return Number.isFinite(total) ? total : undefined;
}
