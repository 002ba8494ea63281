import { PREVIEW_HEADER } from './caddy-json.js';

/**
 * One line of Caddy's reverse_proxy debug log, read as a proxied request.
 *
 * Caddy 2.6.2 logs every round trip to an upstream at DEBUG under the logger
 * `http.handlers.reverse_proxy` with the message `upstream roundtrip`: the
 * dial (`upstream`), `duration` in seconds, the `request` (method, host, uri,
 * headers) and either the upstream's `status` or, when the round trip failed
 * (refused dial, reset, timeout), an `error` and no status. The same logger
 * also writes `selected upstream` before each round trip; that line and every
 * other logger's line are not round trips and are skipped, not errors.
 */

/** A proxied request as Caddy logged it. */
export interface Roundtrip {
  /** When Caddy logged it (the end of the round trip), ms since the epoch. */
  atMs: number;
  /** The upstream's dial, as in the config: `127.0.0.1:3001`, `app-green:3000`. */
  dial: string;
  /** The upstream's answer; undefined when the round trip failed. */
  status: number | undefined;
  durationMs: number;
  method: string;
  /** The request's path, without the query string. */
  path: string;
  /** No answer from the upstream: a refused dial, a reset, a timeout, or the client gone. */
  failed: boolean;
  /**
   * The round trip failed because the client went away (`context canceled`):
   * the client's doing, not the upstream's, so it is not counted as an error.
   */
  canceled: boolean;
  /** Caddy's error text of a failed round trip. */
  error: string | undefined;
  /**
   * Set when the request carried cutover's preview header (`Cutover-Color`):
   * one of cutover's own probes, not real traffic, so the real-traffic
   * analysis leaves it out. Absent otherwise.
   */
  preview?: true;
}

export type ParsedLine =
  | { kind: 'roundtrip'; roundtrip: Roundtrip }
  /** Another logger's or message's line, or a blank line: skipped, not counted. */
  | { kind: 'not-roundtrip' }
  /** Not JSON, or a roundtrip line without the fields cutover needs: counted and warned about, never a crash. */
  | { kind: 'unparseable'; reason: string };

export const ROUNDTRIP_LOGGER = 'http.handlers.reverse_proxy';
export const ROUNDTRIP_MESSAGE = 'upstream roundtrip';

const NOT_ROUNDTRIP: ParsedLine = Object.freeze({ kind: 'not-roundtrip' });

/** Reads one log line. Never throws. */
export function parseRoundtripLine(line: string): ParsedLine {
  const text = line.trim();
  if (text === '') return NOT_ROUNDTRIP;
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return unparseable('not JSON');
  }
  if (!isObject(entry)) return unparseable('not a JSON object');
  if (entry.logger !== ROUNDTRIP_LOGGER || entry.msg !== ROUNDTRIP_MESSAGE) return NOT_ROUNDTRIP;

  const { ts, upstream, duration, request, status, error } = entry;
  if (typeof ts !== 'number' || !Number.isFinite(ts)) return unparseable('no numeric "ts"');
  if (typeof upstream !== 'string' || upstream === '') return unparseable('no "upstream"');
  if (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0) return unparseable('no numeric "duration" in seconds');
  if (!isObject(request) || typeof request.method !== 'string' || typeof request.uri !== 'string') {
    return unparseable('no "request" with "method" and "uri"');
  }
  if (status !== undefined && !(typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 999)) {
    return unparseable('a "status" that is not an HTTP status');
  }
  if (error !== undefined && typeof error !== 'string') return unparseable('an "error" that is not text');
  // A line with neither is a round trip whose outcome Caddy did not say: count it failed rather than lose it.
  const failed = status === undefined;
  return {
    kind: 'roundtrip',
    roundtrip: {
      atMs: ts * 1000,
      dial: upstream,
      status,
      durationMs: duration * 1000,
      method: request.method,
      path: pathOf(request.uri),
      failed,
      canceled: failed && typeof error === 'string' && /\bcontext canceled\b/.test(error),
      error,
      ...(hasPreviewHeader(request.headers) ? { preview: true as const } : {}),
    },
  };
}

/** Caddy logs request headers by their canonical name; compared without case all the same. */
function hasPreviewHeader(headers: unknown): boolean {
  if (!isObject(headers)) return false;
  return Object.keys(headers).some((name) => name.toLowerCase() === PREVIEW_HEADER.toLowerCase());
}

function pathOf(uri: string): string {
  const end = uri.search(/[?#]/);
  return end === -1 ? uri : uri.slice(0, end);
}

function unparseable(reason: string): ParsedLine {
  return { kind: 'unparseable', reason };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
