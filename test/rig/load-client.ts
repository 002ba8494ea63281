import http from 'node:http';

/** One request as the client saw it. */
export interface LoadSample {
  kind: 'get' | 'post' | 'slow';
  connection: 'keep-alive' | 'fresh';
  startedAt: number;
  endedAt: number;
  status: number | undefined;
  /** Body of a GET /version or /slow: the version that answered. */
  version: string | undefined;
  /** Set when the request failed for good (after its one retry, if it had one). */
  error: string | undefined;
  /** Resets of a reused connection before any response byte, retried once (as browsers do). */
  resets: number;
  /**
   * A new connection reset before any response byte: the one connection now
   * and then that a Caddy reload resets in the old listener's queue. A plain
   * client sees it; it is counted apart from failures (and bounded by the
   * tests), not retried and not hidden.
   */
  freshReset: boolean;
}

export interface LoadOptions {
  baseUrl: string;
  /** Concurrent clients that keep their connection alive (one pooled socket each). */
  keepAliveClients: number;
  /** Concurrent clients that open a new connection per request. */
  freshClients: number;
  /** Clients that send GET /slow?ms=slowMs one after another. */
  slowClients: number;
  slowMs: number;
  /** Every nth request of a client is a POST /echo; the others GET /version. */
  postEvery: number;
  /** Hard upper bound of the run, so a test can never loop forever. */
  maxDurationMs: number;
}

export interface LoadRun {
  stop(): Promise<LoadSample[]>;
  samples: LoadSample[];
  /** True once every client has stopped by itself: its maxDurationMs ran out. No sample comes after that. */
  readonly ended: boolean;
}

function once(agent: http.Agent | false, url: URL, method: 'GET' | 'POST', body: string | undefined): Promise<{ status: number; text: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent, headers: body === undefined ? {} : { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text, reused: request.reusedSocket }));
      response.on('error', (error: Error) => reject(Object.assign(error, { answered: true })));
    });
    request.setTimeout(30_000, () => request.destroy(new Error('no answer within 30 s')));
    request.on('error', (error: NodeJS.ErrnoException) => reject(Object.assign(error, { reused: request.reusedSocket })));
    request.end(body);
  });
}

function isResetBeforeResponse(error: unknown): boolean {
  const e = error as NodeJS.ErrnoException & { reused?: boolean };
  return e.reused === true && (e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.message === 'socket hang up');
}

function isFreshResetBeforeResponse(error: unknown): boolean {
  const e = error as NodeJS.ErrnoException & { reused?: boolean; answered?: boolean };
  return e.reused !== true && e.answered !== true && (e.code === 'ECONNRESET' || e.message === 'socket hang up');
}

/**
 * A load through the proxy: keep-alive and fresh connections, GET and POST,
 * and slow requests. A request on a reused connection that is reset before
 * any response byte is retried once on a new connection, which is what
 * browsers and most HTTP clients do; such resets are counted, not hidden.
 * Every other error and every non-2xx status is a failure.
 */
export function startLoad(options: LoadOptions): LoadRun {
  const samples: LoadSample[] = [];
  let running = true;
  const deadline = Date.now() + options.maxDurationMs;
  const agents: http.Agent[] = [];

  const send = async (kind: LoadSample['kind'], connection: LoadSample['connection'], agent: http.Agent | false, n: number): Promise<void> => {
    const path = kind === 'slow' ? `/slow?ms=${options.slowMs}` : kind === 'post' ? '/echo' : '/version';
    const body = kind === 'post' ? `payload-${n}` : undefined;
    const sample: LoadSample = { kind, connection, startedAt: Date.now(), endedAt: 0, status: undefined, version: undefined, error: undefined, resets: 0, freshReset: false };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const answer = await once(attempt === 0 ? agent : false, new URL(path, options.baseUrl), kind === 'post' ? 'POST' : 'GET', body);
        sample.status = answer.status;
        if (answer.status < 200 || answer.status > 299) sample.error = `HTTP ${answer.status}: ${answer.text.slice(0, 100)}`;
        else if (kind === 'post' && answer.text !== body) sample.error = `echo mismatch: ${answer.text.slice(0, 100)}`;
        else if (kind !== 'post') sample.version = answer.text;
        break;
      } catch (error) {
        if (attempt === 0 && isResetBeforeResponse(error)) {
          sample.resets += 1;
          continue;
        }
        if (attempt === 0 && connection === 'fresh' && isFreshResetBeforeResponse(error)) {
          sample.freshReset = true;
          break;
        }
        sample.error = `${(error as NodeJS.ErrnoException).code ?? ''} ${(error as Error).message}`.trim();
        break;
      }
    }
    sample.endedAt = Date.now();
    samples.push(sample);
  };

  const loop = async (connection: LoadSample['connection'], slow: boolean): Promise<void> => {
    const agent = connection === 'keep-alive' ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
    if (agent !== false) agents.push(agent);
    for (let n = 1; running && Date.now() < deadline; n += 1) {
      const kind = slow ? 'slow' : n % options.postEvery === 0 ? 'post' : 'get';
      await send(kind, connection, agent, n);
    }
  };

  const loops = [
    ...Array.from({ length: options.keepAliveClients }, () => loop('keep-alive', false)),
    ...Array.from({ length: options.freshClients }, () => loop('fresh', false)),
    ...Array.from({ length: options.slowClients }, () => loop('keep-alive', true)),
  ];
  let ended = false;
  void Promise.all(loops).then(() => {
    ended = true;
  });
  return {
    samples,
    get ended() {
      return ended;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      for (const agent of agents) agent.destroy();
      return samples;
    },
  };
}

/** Figures for a report: totals, failures, resets (retried, and new connections reset at a reload), versions seen. */
export function summarizeLoad(samples: readonly LoadSample[]): { requests: number; failed: number; resets: number; freshResets: number; byVersion: Record<string, number>; errors: string[] } {
  const byVersion: Record<string, number> = {};
  for (const s of samples) if (s.version !== undefined) byVersion[s.version] = (byVersion[s.version] ?? 0) + 1;
  const failed = samples.filter((s) => s.error !== undefined);
  return {
    requests: samples.length,
    failed: failed.length,
    resets: samples.reduce((sum, s) => sum + s.resets, 0),
    freshResets: samples.filter((s) => s.freshReset).length,
    byVersion,
    errors: [...new Set(failed.map((s) => `${s.kind}/${s.connection}: ${s.error}`))].slice(0, 10),
  };
}
