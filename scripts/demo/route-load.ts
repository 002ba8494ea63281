/**
 * A load over every route of the demo's Caddyfile: clients that go round all
 * of them (keep-alive and new connections), each answer recorded with the
 * version and the port that answered (the app's X-App-Version and X-App-Port
 * headers). A request on a reused connection that is reset before any answer
 * byte is retried once on a new connection (as browsers do) and counted.
 */
import http from 'node:http';
import { sleep } from '../../src/sleep.js';

export interface DemoRoute {
  path: string;
  service: string;
  /** The port the route's handler names. */
  port: number;
}

/** Every handler of caddy/Caddyfile that reaches a colored service: platform on four ports, the others on one. */
export const DEMO_ROUTES: readonly DemoRoute[] = [
  { path: '/version', service: 'platform', port: 3000 },
  { path: '/ws_api/version', service: 'platform', port: 3210 },
  { path: '/http_api/version', service: 'platform', port: 3211 },
  { path: '/convex-dashboard/version', service: 'platform', port: 6791 },
  { path: '/rag/version', service: 'rag', port: 3000 },
  { path: '/crawler/version', service: 'crawler', port: 3000 },
  { path: '/search/version', service: 'search', port: 3000 },
];

export interface RouteSample {
  route: string;
  startedAt: number;
  status: number | undefined;
  version: string | undefined;
  port: number | undefined;
  error: string | undefined;
  resets: number;
}

export interface RouteLoad {
  samples: RouteSample[];
  stop(): Promise<RouteSample[]>;
}

function askOnce(agent: http.Agent | false, url: string): Promise<{ status: number; version: string | undefined; port: number | undefined; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, timeout: 30_000 }, (response) => {
      response.resume();
      response.on('end', () => {
        const port = Number(response.headers['x-app-port']);
        const version = response.headers['x-app-version'];
        resolve({ status: response.statusCode ?? 0, version: typeof version === 'string' ? version : undefined, port: Number.isNaN(port) ? undefined : port, reused: request.reusedSocket });
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('no answer within 30 s')));
    request.on('error', (error: NodeJS.ErrnoException) => reject(Object.assign(error, { reused: request.reusedSocket })));
  });
}

const resetBeforeAnswer = (error: unknown): boolean => {
  const e = error as NodeJS.ErrnoException & { reused?: boolean };
  return e.reused === true && (e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.message === 'socket hang up');
};

async function ask(agent: http.Agent | false, baseUrl: string, route: DemoRoute): Promise<RouteSample> {
  const sample: RouteSample = { route: route.path, startedAt: Date.now(), status: undefined, version: undefined, port: undefined, error: undefined, resets: 0 };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const answer = await askOnce(attempt === 0 ? agent : false, `${baseUrl}${route.path}`);
      Object.assign(sample, { status: answer.status, version: answer.version, port: answer.port });
      if (answer.status !== 200) sample.error = `HTTP ${answer.status}`;
      else if (answer.port !== route.port) sample.error = `answered by port ${answer.port}, not ${route.port}`;
      return sample;
    } catch (error) {
      if (attempt === 0 && resetBeforeAnswer(error)) {
        sample.resets += 1;
        continue;
      }
      sample.error = (error as Error).message;
      return sample;
    }
  }
  return sample;
}

/** Starts `keepAlive` + `fresh` clients going round every route until stopped (or `maxMs`). */
export function startRouteLoad(baseUrl: string, options: { keepAlive: number; fresh: number; maxMs: number }): RouteLoad {
  const samples: RouteSample[] = [];
  let running = true;
  const deadline = Date.now() + options.maxMs;
  const agents: http.Agent[] = [];
  const client = async (index: number, fresh: boolean): Promise<void> => {
    const agent = fresh ? false : new http.Agent({ keepAlive: true, maxSockets: 1 });
    if (agent !== false) agents.push(agent);
    for (let i = index; running && Date.now() < deadline; i += 1) {
      samples.push(await ask(agent, baseUrl, DEMO_ROUTES[i % DEMO_ROUTES.length] as DemoRoute));
      // A short breath keeps the load light on a small machine.
      await sleep(5);
    }
  };
  const clients = [...Array.from({ length: options.keepAlive }, (_, i) => client(i, false)), ...Array.from({ length: options.fresh }, (_, i) => client(i + options.keepAlive, true))];
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(clients);
      for (const agent of agents) agent.destroy();
      return samples;
    },
  };
}

export interface RouteFigures {
  route: string;
  requests: number;
  failed: number;
  /** Requests started after Caddy acknowledged the switch, answered by the old version. */
  oldAfterSwitch: number;
  afterSwitch: number;
  errors: string[];
}

/** Per route: requests, failures, and after the switch how many the old version still answered. */
export function routeFigures(samples: readonly RouteSample[], switchedAt: number | undefined, oldVersion: string | undefined): RouteFigures[] {
  return DEMO_ROUTES.map((route) => {
    const own = samples.filter((s) => s.route === route.path);
    const after = switchedAt === undefined ? [] : own.filter((s) => s.startedAt > switchedAt);
    const failed = own.filter((s) => s.error !== undefined);
    return {
      route: route.path,
      requests: own.length,
      failed: failed.length,
      afterSwitch: after.length,
      oldAfterSwitch: after.filter((s) => s.version !== undefined && s.version === oldVersion).length,
      errors: [...new Set(failed.map((s) => s.error as string))].slice(0, 3),
    };
  });
}
