import { CUTOVER_ID_PREFIX, cloneJson, isJsonObject, type JsonObject, type JsonValue } from './caddy-json.js';
import { ROUNDTRIP_LOGGER } from './parse-roundtrip-line.js';

/**
 * The Caddy log that carries the real traffic to cutover: every `upstream
 * roundtrip` line of the reverse_proxy logger, at DEBUG, as JSON, to a file.
 *
 * - A `file` writer, not `net`: on Caddy 2.6 a `net` writer whose address does
 *   not answer makes the whole config fail to load (no `soft_start` before
 *   2.7), so a cutover that died would leave a config Caddy cannot load again.
 *   A rolled file (the default; never set `roll: false`) is opened at the
 *   first line, not at load: a missing directory is made then, and a path
 *   that cannot be written only loses lines ("write error" on Caddy's stderr).
 *   Neither fails a load or a request (observed on 2.6.2). It rolls at 100 MB.
 * - The default log excludes that logger, so a user whose default log is at
 *   DEBUG does not get the per-request lines twice, on stderr too.
 * - Only `logging.logs[TRAFFIC_LOG_NAME]` and that one entry of the default
 *   log's `exclude` are cutover's; every other logging setting is left as it is.
 *
 * The log is part of the config, so adding or removing it is a reload: it
 * belongs in the same admin change as a canary step, never in one of its own.
 */
export const TRAFFIC_LOG_NAME = `${CUTOVER_ID_PREFIX}traffic`;

/** Caddy's name of the log every logger writes to unless told otherwise. */
export const DEFAULT_LOG_NAME = 'default';

/**
 * Where Caddy writes the lines: a file (Caddy on the host: a path cutover can
 * read), or Caddy's stderr (Caddy in a container: cutover reads the
 * container's log stream through the Docker API).
 */
export type TrafficLogOptions =
  | {
      /** Absolute path of the file Caddy writes the lines to. */
      filename: string;
    }
  | { output: 'stderr' };

/** `config` with cutover's traffic log, replacing any earlier one. A new object; `config` is not changed. */
export function withTrafficLog(config: JsonObject, options: TrafficLogOptions): JsonObject {
  if ('filename' in options && !options.filename.startsWith('/')) throw new TypeError(`the traffic log's filename must be an absolute path (got "${options.filename}")`);
  const result = cloneJson(config);
  const logging = objectAt(result, 'logging');
  const logs = objectAt(logging, 'logs');
  logs[TRAFFIC_LOG_NAME] = {
    writer: 'filename' in options ? { output: 'file', filename: options.filename } : { output: 'stderr' },
    encoder: { format: 'json' },
    level: 'DEBUG',
    include: [ROUNDTRIP_LOGGER],
  };
  const defaultLog = objectAt(logs, DEFAULT_LOG_NAME);
  const exclude = Array.isArray(defaultLog.exclude) ? defaultLog.exclude : [];
  if (!exclude.includes(ROUNDTRIP_LOGGER)) exclude.push(ROUNDTRIP_LOGGER);
  defaultLog.exclude = exclude;
  return result;
}

/**
 * `config` without cutover's traffic log and without the default log's
 * exclusion of the reverse_proxy logger. Objects left empty by that removal
 * (`exclude`, the default log, `logs`, `logging`) are removed: Caddy does the
 * same with an empty one as with none. A config without the log comes back equal.
 */
export function withoutTrafficLog(config: JsonObject): JsonObject {
  const result = cloneJson(config);
  const logging = result.logging;
  if (!isJsonObject(logging) || !isJsonObject(logging.logs)) return result;
  const logs = logging.logs;
  if (!(TRAFFIC_LOG_NAME in logs)) return result;
  delete logs[TRAFFIC_LOG_NAME];
  const defaultLog = logs[DEFAULT_LOG_NAME];
  if (isJsonObject(defaultLog) && Array.isArray(defaultLog.exclude)) {
    defaultLog.exclude = defaultLog.exclude.filter((name) => name !== ROUNDTRIP_LOGGER);
    if (defaultLog.exclude.length === 0) delete defaultLog.exclude;
    if (Object.keys(defaultLog).length === 0) delete logs[DEFAULT_LOG_NAME];
  }
  if (Object.keys(logs).length === 0) delete logging.logs;
  if (Object.keys(logging).length === 0) delete result.logging;
  return result;
}

/** Whether `config` has cutover's traffic log: what the next command checks to remove a leftover one. */
export function hasTrafficLog(config: JsonValue): boolean {
  return isJsonObject(config) && isJsonObject(config.logging) && isJsonObject(config.logging.logs) && TRAFFIC_LOG_NAME in config.logging.logs;
}

function objectAt(parent: JsonObject, key: string): JsonObject {
  const value = parent[key];
  if (isJsonObject(value)) return value;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}
