/**
 * Caddy as a container on an overlay network of the private Swarm engine
 * (swarm-engine.ts). That engine lives in its own network namespace, so no
 * TCP port of it is reachable from the tests; Caddy's admin API and its HTTP
 * listener are unix sockets in a host dir bind-mounted into the container,
 * which the tests reach like any file.
 *
 *   const caddy = await startSwarmCaddy(engine.docker, { image, network, dir, name, labels, routes });
 *   await unixRequest(caddy.httpSocket, 'GET', '/version');
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type Docker from 'dockerode';
import { waitUntil } from './wait-until.js';

export interface UnixAnswer {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
}

/** One HTTP request over a unix socket; `agent` keeps the connection alive between calls. */
export function unixRequest(
  socketPath: string,
  method: string,
  requestPath: string,
  options: { body?: string; headers?: Record<string, string>; agent?: http.Agent; timeoutMs?: number } = {},
): Promise<UnixAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers };
    // setHost false: Node would otherwise replace an empty Host by `localhost`.
    const setHost = headers.host !== '';
    const request = http.request({ socketPath, method, path: requestPath, headers, setHost, ...(options.agent === undefined ? {} : { agent: options.agent }) }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text, headers: response.headers }));
      response.on('error', reject);
    });
    request.setTimeout(options.timeoutMs ?? 30_000, () => request.destroy(new Error(`no answer within ${options.timeoutMs ?? 30_000} ms`)));
    // `reused`: the error hit a kept-alive connection the server had just closed (a config load closes idle ones), before any answer.
    request.on('error', (error) => reject(Object.assign(error, { reused: request.reusedSocket })));
    request.end(options.body);
  });
}

/** A request to Caddy's admin API on its unix socket: Caddy 2.6.2 accepts only an empty Host header there. */
export function adminRequest(adminSocket: string, method: string, requestPath: string, body?: unknown): Promise<UnixAnswer> {
  return unixRequest(adminSocket, method, requestPath, { headers: { host: '' }, timeoutMs: 10_000, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

export interface SwarmCaddy {
  /** The admin API (as cutover would be given it: `unix/<adminSocket>`). */
  adminSocket: string;
  /** Caddy's HTTP server. */
  httpSocket: string;
  containerId: string;
  remove(): Promise<void>;
}

/**
 * Starts Caddy with one HTTP server whose routes are `routes` (Caddy JSON),
 * the container on `network`, its sockets in `dir` (created here, removed by
 * remove()). Waits until the admin API answers.
 */
export async function startSwarmCaddy(
  docker: Docker,
  options: { image: string; network: string; dir: string; name: string; labels: Record<string, string>; routes: object[] },
): Promise<SwarmCaddy> {
  await mkdir(options.dir, { recursive: true });
  const inContainer = '/run/cutover';
  const config = {
    admin: { listen: `unix/${inContainer}/admin.sock` },
    apps: { http: { servers: { srv0: { listen: [`unix/${inContainer}/http.sock`], routes: options.routes, automatic_https: { disable: true } } } } },
  };
  await writeFile(path.join(options.dir, 'caddy.json'), JSON.stringify(config));
  const container = await docker.createContainer({
    name: options.name,
    Image: options.image,
    Cmd: ['caddy', 'run', '--config', `${inContainer}/caddy.json`],
    Labels: options.labels,
    HostConfig: { NetworkMode: options.network, Binds: [`${options.dir}:${inContainer}`] },
  });
  await container.start();
  const caddy: SwarmCaddy = {
    adminSocket: path.join(options.dir, 'admin.sock'),
    httpSocket: path.join(options.dir, 'http.sock'),
    containerId: container.id,
    remove: async () => {
      await container.remove({ force: true }).catch(() => undefined);
      await rm(options.dir, { recursive: true, force: true });
    },
  };
  try {
    await waitUntil('Caddy on the overlay to answer on its admin socket', 30_000, () =>
      adminRequest(caddy.adminSocket, 'GET', '/config/').then(
        (answer) => (answer.status === 200 ? true : undefined),
        () => undefined,
      ),
    );
  } catch (err) {
    await caddy.remove();
    throw err;
  }
  return caddy;
}
