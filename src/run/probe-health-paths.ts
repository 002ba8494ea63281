import { request } from 'undici';
import type { ServiceContainer } from '../adapters/docker/service-container.js';
import type { ProjectConfig } from '../config/model.js';
import { isJsonObject, type JsonValue } from '../domain/caddy-json.js';
import { readTraffic } from '../domain/read-traffic.js';
import { HealthTimeoutError } from '../errors.js';
import { colorInstances } from './observe-project.js';
import type { Runtime } from './runtime.js';
import { sleep } from '../sleep.js';

/** The health path a service's handler checks actively in Caddy's config (`health_uri`), if any. */
export function healthPathsOf(config: JsonValue, project: ProjectConfig): Record<string, string> {
  const read = readTraffic(config, project.colored, []);
  if (!read.ok) return {};
  const paths: Record<string, string> = {};
  for (const traffic of read.view.services) {
    const checks = traffic.entry.handler.handler.health_checks;
    const active = isJsonObject(checks) ? checks.active : undefined;
    const uri = isJsonObject(active) ? (active.uri ?? active.path) : undefined;
    if (typeof uri === 'string' && uri.startsWith('/')) paths[traffic.service] = uri;
  }
  return paths;
}

/**
 * Where the user's Caddy config checks a health path, cutover asks it too
 * before any traffic moves: GET that path on each new container's published
 * port until it answers 2xx. Only for services Caddy reaches on the host
 * (published ports): a container on the compose network is reachable only
 * through Caddy, and its Docker healthcheck stands for it there.
 */
export async function probeHealthPaths(
  runtime: Runtime,
  project: ProjectConfig,
  started: readonly ServiceContainer[],
  options: { timeoutMs: number; intervalMs: number; signal: AbortSignal },
): Promise<void> {
  const config = (await runtime.admin.readConfig('/config/')).value as JsonValue;
  const paths = healthPathsOf(config, project);
  const read = readTraffic(config, project.colored, colorInstances(started));
  if (!read.ok) return;
  const deadline = Date.now() + options.timeoutMs;
  for (const traffic of read.view.services) {
    const path = paths[traffic.service];
    if (path === undefined || traffic.mode.kind !== 'host') continue;
    const containerPort = traffic.mode.containerPort;
    for (const container of started.filter((c) => c.service === traffic.service)) {
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
          throw new HealthTimeoutError(`${container.name} is healthy for Docker, but GET ${path} (the health_uri of its Caddy handler) still answers: ${last}`, {
            hint: 'traffic was not touched; the new containers were removed',
          });
        }
        await sleep(options.intervalMs, options.signal);
      }
      runtime.logger.info({ event: 'health.path', container: container.name, url }, `  ${container.name} answers ${path}`);
    }
  }
}
