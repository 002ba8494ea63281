import { parseDuration } from '../config/parse-duration.js';
import { UsageError } from '../errors.js';

/** The shortest and longest `--bake`: a look a second needs a few seconds; a day is already a release, not a bake. */
export const MIN_BAKE_MS = 3_000;
export const MAX_BAKE_MS = 86_400_000;

/**
 * `--bake <duration>` (`5m`, `90s`, or milliseconds): how long to keep
 * watching the new color's real traffic after the full switch. Undefined when
 * the flag is absent. A bad value is a one-line usage error (exit 2) before
 * anything happens.
 */
export function parseBake(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const input = text.trim();
  const ms = /^\d+(?:\.\d+)?$/.test(input) ? Number(input) : parseDuration(input);
  if (ms === undefined || !Number.isFinite(ms) || ms < MIN_BAKE_MS || ms > MAX_BAKE_MS) {
    throw new UsageError(`--bake ${text}: write a duration from 3s to 24h, e.g. --bake 5m`);
  }
  return ms;
}
