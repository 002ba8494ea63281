import pRetry from 'p-retry';
import { z } from 'zod';
import { CaddyConflictError, CaddyRejectedError, CaddyUnavailableError, OperationFailedError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { AdminTransport, type AdminResponse } from './admin-transport.js';
import { extractEtag } from './extract-etag.js';
import { parseAdminAddress, type AdminAddress } from './parse-admin-address.js';
import { parseUpstreams, type UpstreamStatus } from './parse-upstreams.js';

export interface CaddyAdminOptions {
  logger: Logger;
  /** Deadline of each request (connect, headers and body together). Default 10 000 ms. */
  timeoutMs?: number;
  /** Extra attempts of a READ after a connection error or a 5xx. Default 2. Changes are never retried. */
  readRetries?: number;
}

export interface ConfigRead {
  value: unknown;
  /** Send back verbatim as `ifMatch`. */
  etag: string;
  /** `trailer` on Caddy 2.5.2–2.7, `header` on 2.8+. */
  etagSource: 'header' | 'trailer';
  /** Hex digits of the hash: 8 (FNV-1a, up to 2.7) or 16 (xxhash64, 2.8+). */
  etagHashLength: number;
}

export type ChangeMethod = 'PATCH' | 'PUT' | 'POST' | 'DELETE';

export interface ChangeOptions {
  /** The ETag from `readConfig`; a change without one could overwrite someone else's. */
  ifMatch: string;
}

const adaptAnswer = z.object({
  result: z.unknown(),
  warnings: z
    .array(z.object({ file: z.string().optional(), line: z.number().optional(), directive: z.string().optional(), message: z.string() }))
    .optional(),
});

export type AdaptWarning = NonNullable<z.infer<typeof adaptAnswer>['warnings']>[number];

export interface AdaptResult {
  config: unknown;
  warnings: AdaptWarning[];
}

/**
 * Client of Caddy's admin API (the behaviour relied on is listed in docs/caddy-facts.md).
 *
 * The admin API has no authentication: whoever reaches it controls Caddy, so
 * its address should be loopback or a unix socket. Retries live here and only
 * here: reads are retried on connection errors and 5xx; a change is sent once,
 * because repeating it blindly could apply it twice or over a newer config.
 */
export class CaddyAdmin {
  readonly address: AdminAddress;
  private readonly transport: AdminTransport;
  private readonly logger: Logger;
  private readonly readRetries: number;

  /** @throws UsageError when `address` is not `http://host:port`, `host:port` or `unix//path`. */
  constructor(address: string, options: CaddyAdminOptions) {
    this.address = parseAdminAddress(address);
    this.transport = new AdminTransport(this.address, options.timeoutMs ?? 10_000);
    this.logger = options.logger;
    this.readRetries = options.readRetries ?? 2;
  }

  /** Reads config at `path` (`/config/...` or `/id/...`) with its ETag. */
  async readConfig(path = '/config/'): Promise<ConfigRead> {
    const context = `GET ${path}`;
    const response = await this.read(path);
    const etag = extractEtag(response.headers, response.trailers, context);
    return {
      value: parseJson(response.text, context),
      etag: etag.etag,
      etagSource: etag.source,
      etagHashLength: etag.hash.length,
    };
  }

  /**
   * One config change, applied by Caddy as one full reload. 412 (the config
   * changed since `ifMatch` was read) becomes CaddyConflictError; any other
   * error status becomes CaddyRejectedError carrying Caddy's own message.
   */
  async changeConfig(method: ChangeMethod, path: string, body: unknown, options: ChangeOptions): Promise<void> {
    const context = `${method} ${path}`;
    // An empty If-Match would reach Caddy as no precondition at all: an unguarded change.
    if (options.ifMatch.trim() === '') throw new Error(`bug: ${context} without the ETag of a prior read`);
    const started = performance.now();
    const response = await this.transport.send({
      method,
      path,
      change: true,
      // If-Match is what makes the change safe: Caddy recomputes the hash at the
      // path named in the ETag and refuses with 412 when it differs.
      ifMatch: options.ifMatch,
      ...(body === undefined ? {} : { contentType: 'application/json', body: JSON.stringify(body) }),
    });
    const ms = Math.round(performance.now() - started);
    if (response.status === 412) {
      this.logger.debug({ event: 'caddy.change.conflict', method, path, ms }, 'Caddy config changed under us');
      throw new CaddyConflictError(`Caddy's config changed since cutover read it; ${context} was not applied (${caddyMessage(response.text)})`, {
        hint: 'Someone else changed Caddy meanwhile. Re-read the config and plan again; cutover never overwrites a change it has not seen.',
      });
    }
    if (response.status >= 400) throw rejected(response, context);
    this.logger.debug({ event: 'caddy.change', method, path, ms }, 'Caddy config changed');
  }

  /** In-flight counts per dial address, from `GET /reverse_proxy/upstreams`. */
  async readUpstreams(): Promise<UpstreamStatus[]> {
    const path = '/reverse_proxy/upstreams';
    const response = await this.read(path);
    return parseUpstreams(parseJson(response.text, `GET ${path}`));
  }

  /**
   * Converts a Caddyfile to JSON config WITHOUT loading it: lets cutover learn
   * what this Caddy accepts without ever sending a config that could fail.
   */
  async adapt(caddyfile: string): Promise<AdaptResult> {
    const context = 'POST /adapt';
    const response = await this.transport.send({ method: 'POST', path: '/adapt', contentType: 'text/caddyfile', body: caddyfile });
    if (response.status >= 400) throw rejected(response, 'adapting a Caddyfile');
    const parsed = adaptAnswer.safeParse(parseJson(response.text, context));
    if (!parsed.success) throw new OperationFailedError(`unexpected answer from Caddy for ${context}: ${response.text.slice(0, 200)}`);
    return { config: parsed.data.result ?? null, warnings: parsed.data.warnings ?? [] };
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  private async read(path: string): Promise<AdminResponse> {
    return pRetry(
      async () => {
        const response = await this.transport.send({ method: 'GET', path });
        if (response.status >= 400) throw rejected(response, `GET ${path}`);
        return response;
      },
      {
        retries: this.readRetries,
        minTimeout: 100,
        maxTimeout: 1_000,
        shouldRetry: ({ error }) =>
          error instanceof CaddyUnavailableError || (error instanceof CaddyRejectedError && error.status >= 500),
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0) {
            this.logger.debug({ event: 'caddy.read.retry', path, attempt: attemptNumber, err: error.message }, 'retrying a Caddy admin read');
          }
        },
      },
    );
  }
}

function parseJson(text: string, context: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new OperationFailedError(`Caddy's answer to ${context} is not JSON: ${text.slice(0, 200)}`, { cause: error });
  }
}

/** Caddy reports errors as `{"error": "..."}`; fall back to the raw text. */
function caddyMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: use the text as it is
  }
  return text.trim() === '' ? '(no message)' : text.trim().slice(0, 500);
}

function rejected(response: AdminResponse, context: string): CaddyRejectedError {
  // 403 is Caddy's Host/Origin check on its admin, not a problem with the request itself.
  const hint =
    response.status === 403
      ? "Caddy's admin refused this client's Host or Origin: check `admin.origins` in Caddy's config " +
        '(cutover sends Host host:port over TCP and an empty Host over a unix socket).'
      : undefined;
  return new CaddyRejectedError(response.status, caddyMessage(response.text), context, { hint });
}
