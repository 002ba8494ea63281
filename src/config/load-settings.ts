import { formatDuration } from '../domain/format-duration.js';
import { ConfigInvalidError, type ConfigProblem } from '../errors.js';
import type { Settings } from './model.js';
import { parseDuration } from './parse-duration.js';

/** Where settings are read from, first match wins: the process environment, then .env. */
export interface SettingsSource {
  /** For messages: `environment` or `.env`. */
  file: string;
  values: Readonly<Record<string, string | undefined>>;
}

const DEFAULTS = {
  HEALTH_CHECK_TIMEOUT: 300_000,
  HEALTH_CHECK_INTERVAL: 3_000,
  DRAIN_TIMEOUT: 30_000,
} as const;

type SettingName = keyof typeof DEFAULTS;

/**
 * The settings of the reference deploy.sh, same names and defaults. A plain
 * number is seconds (`HEALTH_CHECK_TIMEOUT=300`, as the script read it); a
 * unit is accepted too (`300s`, `5m`, `500ms`). An empty value means the default.
 */
export function readSettings(sources: readonly SettingsSource[]): { settings: Settings; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const read = (name: SettingName): { ms: number; file: string } => {
    for (const source of sources) {
      const raw = source.values[name];
      if (raw === undefined || raw.trim() === '') continue;
      const ms = parseSettingDuration(raw);
      if (typeof ms === 'number') return { ms, file: source.file };
      problems.push({ file: source.file, path: name, message: `${JSON.stringify(raw)} ${ms}; use seconds (300) or a unit (300s, 5m)` });
      return { ms: DEFAULTS[name], file: source.file };
    }
    return { ms: DEFAULTS[name], file: 'defaults' };
  };
  const timeout = read('HEALTH_CHECK_TIMEOUT');
  const interval = read('HEALTH_CHECK_INTERVAL');
  const drain = read('DRAIN_TIMEOUT');
  const failFast = readSwitch(sources, 'HEALTH_FAIL_FAST', problems);
  if (problems.length === 0 && interval.ms >= timeout.ms) {
    // Blame the one the user set: a short timeout can collide with the default interval.
    problems.push(
      interval.file === 'defaults'
        ? { file: timeout.file, path: 'HEALTH_CHECK_TIMEOUT', message: `${formatDuration(timeout.ms)} must be more than HEALTH_CHECK_INTERVAL (${formatDuration(interval.ms)})` }
        : { file: interval.file, path: 'HEALTH_CHECK_INTERVAL', message: `${formatDuration(interval.ms)} must be less than HEALTH_CHECK_TIMEOUT (${formatDuration(timeout.ms)})` },
    );
  }
  return { settings: { healthCheckTimeoutMs: timeout.ms, healthCheckIntervalMs: interval.ms, drainTimeoutMs: drain.ms, healthFailFast: failFast }, problems };
}

/** Settings on their own (for commands that read no compose files); throws ConfigInvalidError. */
export function loadSettings(env: Readonly<Record<string, string | undefined>>, dotenv: Readonly<Record<string, string>> = {}): Settings {
  const { settings, problems } = readSettings([
    { file: 'environment', values: env },
    { file: '.env', values: dotenv },
  ]);
  if (problems.length > 0) throw new ConfigInvalidError(problems);
  return settings;
}

const ON = new Set(['1', 'true', 'yes', 'on']);
const OFF = new Set(['0', 'false', 'no', 'off']);

/** An on/off setting (default off): 1/true/yes/on or 0/false/no/off; empty means the default. */
function readSwitch(sources: readonly SettingsSource[], name: string, problems: ConfigProblem[]): boolean {
  for (const source of sources) {
    const raw = source.values[name];
    if (raw === undefined || raw.trim() === '') continue;
    const text = raw.trim().toLowerCase();
    if (ON.has(text)) return true;
    if (OFF.has(text)) return false;
    problems.push({ file: source.file, path: name, message: `${JSON.stringify(raw)} is not on or off; use 1 or 0` });
    return false;
  }
  return false;
}

/** Milliseconds, or the reason the text is not a usable duration. */
function parseSettingDuration(raw: string): number | string {
  const text = raw.trim();
  if (text.startsWith('-')) return 'must be positive';
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : parseDuration(text);
  if (ms === undefined) return 'is not a duration';
  return ms > 0 ? ms : 'must be positive';
}
