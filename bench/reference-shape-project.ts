/**
 * The benchmark's cutover project in the reference stack's shape, as the demo
 * has it: four colored services (platform, rag, crawler, search), platform
 * answering on four ports (3000, 3210, 3211, 6791: the test app's EXTRA_PORTS)
 * each reached by its own Caddy handler, the others on one. Caddy runs on the
 * host, so each color publishes every port on 127.0.0.1 at a fixed host port of
 * its own; the Caddyfile starts at the blue ones. Labels, network and cleanup
 * are the rig's (the sweep finds everything).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { parse, stringify } from 'yaml';
import { DEMO_ROUTES } from '../scripts/demo/route-load.js';
import { appComposeService } from '../test/rig/app-compose-service.js';
import { startCaddy } from '../test/rig/caddy-runner.js';
import { freePorts } from '../test/rig/free-port.js';
import type { HostModeProject } from '../test/rig/host-mode-project.js';
import type { TestScope } from '../test/rig/run-id.js';
import { BENCH_HEALTHCHECK } from './bench-project.js';

export const SHAPE_SERVICES = ['platform', 'rag', 'crawler', 'search'];
const PLATFORM_EXTRA_PORTS = [3210, 3211, 6791];

/** `/ws_api/version` -> `/ws_api/*`; `/version` (the catch-all) -> undefined. */
const prefixOf = (routePath: string): string | undefined => (routePath === '/version' ? undefined : `${routePath.slice(0, -'version'.length)}*`);

export async function createReferenceShapeProject(docker: Docker, scope: TestScope, options: { drainTimeout?: string } = {}): Promise<HostModeProject> {
  const name = scope.prefix;
  const network = scope.name('net');
  await docker.createNetwork({ Name: network, Labels: scope.labels });
  const dir = await mkdtemp(path.join(os.tmpdir(), `${name}-shape-`));
  await mkdir(path.join(dir, 'caddy'));
  // Host port of each (service, container port) per color, keyed `service:port`.
  const ports: HostModeProject['ports'] = { blue: {}, green: {} };
  const free = await freePorts(DEMO_ROUTES.length * 2);
  for (const [index, route] of DEMO_ROUTES.entries()) {
    const key = `${route.service}:${route.port}`;
    ports.blue[key] = free[index * 2] as number;
    ports.green[key] = free[index * 2 + 1] as number;
  }
  const compose = parse(`name: ${name}\nservices:\n${SHAPE_SERVICES.map((s) => appComposeService(scope, s)).join('\n')}\nnetworks:\n  net:\n    external: true\n    name: ${network}\n`) as {
    services: Record<string, { healthcheck?: unknown; environment: Record<string, string> }>;
  };
  for (const service of Object.values(compose.services)) service.healthcheck = BENCH_HEALTHCHECK;
  (compose.services.platform as { environment: Record<string, string> }).environment.EXTRA_PORTS = PLATFORM_EXTRA_PORTS.join(',');
  await writeFile(path.join(dir, 'compose.yml'), stringify(compose));
  for (const color of ['blue', 'green'] as const) {
    const overlay = SHAPE_SERVICES.map((service) => {
      const published = DEMO_ROUTES.filter((r) => r.service === service).map((r) => `      - "127.0.0.1:${ports[color][`${service}:${r.port}`]}:${r.port}"`);
      return `  ${service}:\n    container_name: ${name}-${service}-${color}\n    ports:\n${published.join('\n')}`;
    });
    await writeFile(path.join(dir, `compose.${color}.yml`), `services:\n${overlay.join('\n')}\n`);
  }
  await writeFile(path.join(dir, '.env'), `DRAIN_TIMEOUT=${options.drainTimeout ?? '30'}\nHEALTH_CHECK_TIMEOUT=60\nHEALTH_CHECK_INTERVAL=1\n`);
  const handlers = DEMO_ROUTES.map((route) => {
    const proxy = `reverse_proxy 127.0.0.1:${ports.blue[`${route.service}:${route.port}`]}`;
    const prefix = prefixOf(route.path);
    return prefix === undefined ? `\thandle {\n\t\t${proxy}\n\t}` : `\thandle_path ${prefix} {\n\t\t${proxy}\n\t}`;
  });
  // The catch-all last: Caddy orders handle blocks by matcher specificity anyway, this reads the same way.
  const caddyfile = [':{{HTTP_PORT}} {', ...handlers.slice(1), handlers[0] as string, '}', ''].join('\n');
  const running = await startCaddy({ caddyfile }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    dir,
    name,
    caddy: running,
    ports,
    plainPorts: {},
    services: SHAPE_SERVICES,
    async remove() {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
