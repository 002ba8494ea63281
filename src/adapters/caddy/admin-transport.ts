import { Pool } from 'undici';
import { CaddyUnavailableError } from '../../errors.js';
import type { AdminAddress } from './parse-admin-address.js';

export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface AdminRequest {
  method: AdminMethod;
  path: string;
  contentType?: string;
  body?: string;
  ifMatch?: string;
  /** The request changes Caddy's config; it shapes the hint when the answer is lost. */
  change?: boolean;
}

export interface AdminResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Filled only after the body was read; Caddy 2.5.2–2.7 put the config ETag here. */
  trailers: Record<string, string | string[] | undefined>;
  text: string;
}

const ADDRESS_HINT =
  'Is Caddy running with its admin API at that address? Set the address with --caddy-admin or CADDY_ADMIN ' +
  '(e.g. 127.0.0.1:2019 or unix//run/caddy/admin.sock). The admin API has no authentication: keep it on loopback or a unix socket.';

/**
 * One HTTP exchange with Caddy's admin API, bounded by a timeout; no retries
 * and no interpretation of the status (that is CaddyAdmin's job). Each
 * instance owns its connection pool: there is no global client.
 */
export class AdminTransport {
  readonly address: AdminAddress;
  private readonly pool: Pool;
  private readonly timeoutMs: number;

  constructor(address: AdminAddress, timeoutMs: number) {
    this.address = address;
    this.timeoutMs = timeoutMs;
    const common = { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connections: 4 };
    this.pool =
      address.kind === 'unix'
        ? // The origin only fills the request line; the socket is what we connect to.
          new Pool('http://localhost', { ...common, connect: { socketPath: address.socketPath, timeout: timeoutMs } })
        : new Pool(address.origin, { ...common, connect: { timeout: timeoutMs } });
  }

  async send(request: AdminRequest): Promise<AdminResponse> {
    const headers: Record<string, string> = {};
    // Caddy 2.6.2 accepts only an EMPTY Host on a unix-socket admin (2.7–2.9 also
    // take 127.0.0.1, 2.10+ do not check). undici writes a `host` header verbatim,
    // the empty string included.
    if (this.address.kind === 'unix') headers['host'] = '';
    if (request.contentType !== undefined) headers['content-type'] = request.contentType;
    if (request.ifMatch !== undefined) headers['if-match'] = request.ifMatch;

    try {
      const response = await this.pool.request({
        method: request.method,
        path: request.path,
        headers,
        body: request.body ?? null,
        // Every exchange gets a connection of its own. Caddy closes admin
        // connections when a config loads (a change of ours or anyone's), and a
        // pooled idle socket could be picked just as it closes: the request then
        // fails with "other side closed" without Caddy having seen it.
        reset: true,
        // One deadline for connect, headers and body together.
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.body.text();
      return { status: response.statusCode, headers: response.headers, trailers: response.trailers, text };
    } catch (error) {
      throw this.unavailable(error, request);
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private unavailable(error: unknown, request: AdminRequest): unknown {
    const failure = describeFailure(error, this.address, this.timeoutMs);
    if (failure === undefined) return error; // e.g. an invalid argument: a bug, not Caddy's absence
    const unsure = request.change === true && failure.mayHaveReachedCaddy;
    const hint = unsure
      ? `The change may or may not have been applied: read Caddy's config (cutover status) before trying again. ${ADDRESS_HINT}`
      : ADDRESS_HINT;
    const unavailable = new CaddyUnavailableError(
      `Caddy's admin API at ${this.address.text} is unreachable (${failure.reason}) during ${request.method} ${request.path}`,
      { hint, cause: error },
    );
    unavailable.changeMayHaveApplied = unsure;
    return unavailable;
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  // Happy-eyeballs connects fail with an AggregateError of per-address errors.
  return Array.isArray(errors) ? errorCode(errors[0]) : undefined;
}

function describeFailure(
  error: unknown,
  address: AdminAddress,
  timeoutMs: number,
): { reason: string; mayHaveReachedCaddy: boolean } | undefined {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError') return { reason: `no answer within ${timeoutMs} ms`, mayHaveReachedCaddy: true };
  switch (errorCode(error)) {
    case 'UND_ERR_INVALID_ARG':
    case 'UND_ERR_NOT_SUPPORTED':
      return undefined;
    case 'ECONNREFUSED':
      return { reason: 'connection refused', mayHaveReachedCaddy: false };
    case 'ENOENT':
      return { reason: address.kind === 'unix' ? `no socket at ${address.socketPath}` : 'not found', mayHaveReachedCaddy: false };
    case 'EACCES':
      return { reason: 'permission denied', mayHaveReachedCaddy: false };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { reason: 'host name not found', mayHaveReachedCaddy: false };
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { reason: `no connection within ${timeoutMs} ms`, mayHaveReachedCaddy: false };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return { reason: `no answer within ${timeoutMs} ms`, mayHaveReachedCaddy: true };
    default:
      return { reason: error instanceof Error ? error.message : String(error), mayHaveReachedCaddy: true };
  }
}
