import { Client, Pool, type Dispatcher } from 'undici';
import type { Color } from '../config/model.js';
import { PREVIEW_HEADER } from '../domain/caddy-json.js';
import { UsageError } from '../errors.js';

/** One finished probe of one color. */
export interface ProbeResult {
  color: Color;
  /** A 5xx answer, a connection failure or a timeout. */
  error: boolean;
  /** The HTTP status, when an answer came. */
  status: number | undefined;
  /** From sending to the end of the answer's body (or to the failure), in ms. */
  latencyMs: number;
  /**
   * The first attempt met a keep-alive connection closed under it before any
   * byte of an answer (Caddy closes idle connections at every reload), and the
   * retry on a fresh connection decided the probe. Such a probe is not an error
   * unless the retry failed too.
   */
  reset: boolean;
  /** Why it is an error: `HTTP 502`, `connection refused`, `no answer within 5000 ms`, ... */
  failure: string | undefined;
}

export interface ProbeColorsOptions {
  /** `http://127.0.0.1:8080/health`: through Caddy, so each color is reached by its preview route. */
  url: string;
  colors: readonly Color[];
  /** One probe per color every this many ms, whether earlier ones have answered or not. Default 100. */
  intervalMs?: number;
  /** Deadline of each probe, connection and whole answer together. Default 5 000 ms. */
  timeoutMs?: number;
  /** A Host header for sites that Caddy matches by name; default: the URL's host. */
  host?: string | undefined;
  /** Aborting cancels the probes in flight; they are not reported. */
  signal: AbortSignal;
  /** Called once per finished probe; must not throw. */
  onResult: (result: ProbeResult) => void;
}

export interface ProbeRun {
  /** Stops sending; resolves when the probes in flight have finished (each within timeoutMs) and reported. */
  finish(): Promise<void>;
  /** Stops sending and cancels the probes in flight, which are not reported. */
  cancel(): Promise<void>;
}

export const DEFAULT_PROBE_INTERVAL_MS = 100;
export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

type Attempt =
  | { kind: 'answered'; status: number }
  | { kind: 'stale'; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'cancelled' };

/** Failures before any answer byte that a keep-alive connection closed by the other side produces. */
const STALE_CONNECTION_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/**
 * Sends probes through Caddy to every color at once, selecting the color with
 * the preview header, at a fixed rate per color (open loop: a slow color gets
 * more probes in flight, not fewer probes). Each color has its own keep-alive
 * pool, so a hanging color cannot delay the probes of the other.
 *
 * @throws UsageError when `url` is not an http(s) URL (before any request).
 */
export function probeColors(options: ProbeColorsOptions): ProbeRun {
  const { url, origin, socketPath } = parseProbeUrl(options.url);
  const intervalMs = options.intervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const path = `${url.pathname}${url.search}`;
  const pools = new Map(options.colors.map((color) => [color, new Pool(origin, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, ...(socketPath === undefined ? {} : { connect: { socketPath } }) })]));
  const cancelling = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let stopped = false;
  let round = 0;
  let timer: NodeJS.Timeout | undefined;

  const send = (color: Color, pool: Pool): void => {
    const probe = probeOnce({ color, pool, origin, socketPath, path, host: options.host, timeoutMs, cancel: cancelling.signal })
      .then((result) => {
        if (result !== undefined && !cancelling.signal.aborted) options.onResult(result);
      })
      .finally(() => inFlight.delete(probe));
    inFlight.add(probe);
  };

  const tick = (): void => {
    if (stopped) return;
    for (const [color, pool] of pools) send(color, pool);
    // Fixed times from the start, so rounds do not drift; after a stall, skip the missed rounds instead of bursting.
    const now = performance.now();
    round = Math.max(round + 1, Math.floor((now - started) / intervalMs));
    timer = setTimeout(tick, Math.max(0, started + round * intervalMs - now));
  };

  const stop = async (cancel: boolean): Promise<void> => {
    stopped = true;
    clearTimeout(timer);
    if (cancel) cancelling.abort();
    await Promise.all([...inFlight]);
    await Promise.all([...pools.values()].map((pool) => (cancel ? pool.destroy() : pool.close()).catch(() => undefined)));
  };

  const onAbort = (): void => void stop(true);
  if (options.signal.aborted) stopped = true;
  else options.signal.addEventListener('abort', onAbort, { once: true });
  tick();

  return {
    finish: async () => {
      options.signal.removeEventListener('abort', onAbort);
      await stop(options.signal.aborted);
    },
    cancel: async () => {
      options.signal.removeEventListener('abort', onAbort);
      await stop(true);
    },
  };
}

/**
 * An http(s) URL, or `http+unix://<socket path, / written %2F>/path` for a
 * Caddy listener on a unix socket (Caddy in a container on a Swarm overlay
 * whose ports the host cannot reach): requested over that socket.
 */
function parseProbeUrl(text: string): { url: URL; origin: string; socketPath?: string } {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url !== undefined && url.protocol === 'http+unix:' && url.host !== '') return { url, origin: 'http://localhost', socketPath: decodeURIComponent(url.host) };
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`probe URL "${text}" is not an http://, https:// or http+unix:// URL`, { hint: 'Probe through Caddy, e.g. http://127.0.0.1:8080/health.' });
  }
  return { url, origin: url.origin };
}

interface ProbeTarget {
  color: Color;
  pool: Pool;
  origin: string;
  socketPath: string | undefined;
  path: string;
  host: string | undefined;
  timeoutMs: number;
  cancel: AbortSignal;
}

/** One probe, retried once on a fresh connection when a stale keep-alive connection failed it. Never rejects. */
async function probeOnce(target: ProbeTarget): Promise<ProbeResult | undefined> {
  const begun = performance.now();
  // One deadline for the probe, the retry included; its own controller, so nothing accumulates on `cancel`.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error('timeout')), target.timeoutMs);
  const onCancel = (): void => deadline.abort(new Error('cancelled'));
  target.cancel.addEventListener('abort', onCancel, { once: true });
  try {
    let attempt = await attemptOnce(target.pool, target, deadline.signal);
    let reset = false;
    if (attempt.kind === 'stale') {
      reset = true;
      const fresh = new Client(target.origin, { headersTimeout: target.timeoutMs, bodyTimeout: target.timeoutMs, ...(target.socketPath === undefined ? {} : { connect: { socketPath: target.socketPath } }) });
      try {
        attempt = await attemptOnce(fresh, target, deadline.signal);
      } finally {
        await fresh.destroy().catch(() => undefined);
      }
    }
    const latencyMs = performance.now() - begun;
    const base = { color: target.color, latencyMs, reset };
    switch (attempt.kind) {
      case 'cancelled':
        return undefined;
      case 'answered':
        return { ...base, status: attempt.status, error: attempt.status >= 500, failure: attempt.status >= 500 ? `HTTP ${attempt.status}` : undefined };
      case 'stale':
      case 'failed':
        return { ...base, status: undefined, error: true, failure: attempt.kind === 'stale' ? `connection closed (${attempt.message})` : attempt.message };
    }
  } finally {
    clearTimeout(timer);
    target.cancel.removeEventListener('abort', onCancel);
  }
}

async function attemptOnce(dispatcher: Dispatcher, target: ProbeTarget, signal: AbortSignal): Promise<Attempt> {
  const headers: Record<string, string> = { [PREVIEW_HEADER]: target.color };
  if (target.host !== undefined) headers['host'] = target.host;
  let response: Dispatcher.ResponseData;
  try {
    response = await dispatcher.request({ method: 'GET', path: target.path, headers, signal });
  } catch (error) {
    return classify(error, signal, target.timeoutMs, false);
  }
  try {
    // The whole answer counts: a color that sends headers fast and the body slowly is slow.
    for await (const chunk of response.body) void chunk;
    return { kind: 'answered', status: response.statusCode };
  } catch (error) {
    return classify(error, signal, target.timeoutMs, true);
  }
}

function classify(error: unknown, signal: AbortSignal, timeoutMs: number, answerBegun: boolean): Attempt {
  if (signal.aborted) {
    const why = signal.reason instanceof Error ? signal.reason.message : '';
    return why === 'cancelled' ? { kind: 'cancelled' } : { kind: 'failed', message: `no answer within ${timeoutMs} ms` };
  }
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (answerBegun) return { kind: 'failed', message: `connection lost during the answer (${code ?? message})` };
  if (code !== undefined && STALE_CONNECTION_CODES.has(code)) return { kind: 'stale', message: code === 'UND_ERR_SOCKET' ? message : code };
  switch (code) {
    case 'ECONNREFUSED':
      return { kind: 'failed', message: 'connection refused' };
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { kind: 'failed', message: 'no connection' };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return { kind: 'failed', message: `no answer within ${timeoutMs} ms` };
    default:
      return { kind: 'failed', message: code === undefined ? message : `${code}: ${message}` };
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  // Happy-eyeballs connects fail with an AggregateError of per-address errors.
  return Array.isArray(errors) ? errorCode(errors[0]) : undefined;
}
