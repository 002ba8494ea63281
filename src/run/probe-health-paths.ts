import { request } from 'undici';
import type { ServiceContainer } from '../adapters/docker/service-container.js';
import type { ProjectConfig } from '../config/model.js';
import { isJsonObject, type JsonValue } from '../domain/caddy-json.js';
import { readTraffic } from '../domain/read-traffic.js';
import { HealthTimeoutError } from '../errors.js';
import type { Runtime } from './runtime.js';
import { sleep } from '../sleep.js';

/** One health path a handler of a service checks actively in Caddy's config (`health_uri`), on the port it reaches. */
export interface HealthPath {
  service: string;
  /** The container port of the handler that checks it. */
  port: number;
  path: string;
  /** How that handler reaches the service: only published ports (Caddy on the host) can be asked directly. */
  onHost: boolean;
}

/** Every `health_uri` the handlers of the colored services check, one per service, port and path. */
export function healthPathsOf(config: JsonValue, project: ProjectConfig): HealthPath[] {
  const read = readTraffic(config, project.colored, []);
  if (!read.ok) return [];
  const paths: HealthPath[] = [];
  for (const traffic of read.view.services) {
    for (const handler of traffic.handlers) {
      const checks = handler.handler.handler.health_checks;
      const active = isJsonObject(checks) ? checks.active : undefined;
      const uri = isJsonObject(active) ? (active.uri ?? active.path) : undefined;
      if (typeof uri !== 'string' || !uri.startsWith('/')) continue;
      if (paths.some((p) => p.service === traffic.service && p.port === handler.port && p.path === uri)) continue;
      paths.push({ service: traffic.service, port: handler.port, path: uri, onHost: handler.mode.kind === 'host' });
    }
  }
  return paths;
}

/**
 * Where the user's Caddy config checks a health path, cutover asks it too
 * before any traffic moves: GET that path on each new container's published
 * port (the one of the handler that checks it) until it answers 2xx. Only for
 * handlers that reach the service on the host (published ports): a container
 * on the compose network is reachable only through Caddy, and its Docker
 * healthcheck stands for it there.
 */
export async function probeHealthPaths(
  runtime: Runtime,
  project: ProjectConfig,
  started: readonly ServiceContainer[],
  options: { timeoutMs: number; intervalMs: number; signal: AbortSignal },
): Promise<void> {
  const config = (await runtime.admin.readConfig('/config/')).value as JsonValue;
  const deadline = Date.now() + options.timeoutMs;
  for (const { service, port: containerPort, path, onHost } of healthPathsOf(config, project)) {
    if (!onHost) continue;
    for (const container of started.filter((c) => c.service === service)) {
      const port = container.ports.find((p) => p.containerPort === containerPort)?.hostPort;
      if (port === undefined) continue;
      const url = `http://127.0.0.1:${port}${path}`;
      let last = '';
      for (;;) {
        options.signal.throwIfAborted();
        try {
          const answer = await request(url, { signal: options.signal, headersTimeout: 5000, bodyTimeout: 5000 });
          const body = (await answer.body.text()).slice(0, 200).trim();
          if (answer.statusCode >= 200 && answer.statusCode < 300) break;
          last = `${answer.statusCode} ${body}`;
        } catch (error) {
          if (options.signal.aborted) throw error;
          last = error instanceof Error ? error.message : String(error);
        }
        if (Date.now() > deadline) {
          throw new HealthTimeoutError(`${container.name} is healthy for Docker, but GET ${path} on its port ${containerPort} (the health_uri of its Caddy handler) still answers: ${last}`, {
            hint: 'traffic was not touched; the new containers were removed',
          });
        }
        await sleep(options.intervalMs, options.signal);
      }
      runtime.logger.info({ event: 'health.path', container: container.name, url }, `  ${container.name} answers ${path}`);
    }
  }
}
