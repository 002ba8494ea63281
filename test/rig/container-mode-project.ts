import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { CADDY_ADMIN_PORT, CADDY_HTTP_PORT } from './caddy-image.js';
import { freePorts } from './free-port.js';
import { appComposeService } from './app-compose-service.js';
import type { TestScope } from './run-id.js';
import { APP_PORT } from './test-image.js';

/**
 * A project directory in the reference document's shape: Caddy runs as the
 * shared `proxy` service on the compose network (image `<scope>-caddy:local`)
 * and reaches each color by its network alias (`web-blue:3000`). Its Caddyfile,
 * bind-mounted from the project's caddy/ dir, starts at the plain Compose names
 * (`reverse_proxy web:3000`). The overlays give each color a container_name and
 * the alias `<service>-<color>`. Caddy's admin (0.0.0.0:2019 in the container)
 * and its HTTP port are published on 127.0.0.1 at free ports.
 *
 * The network is external and carries the scope labels, like every service
 * (through its `labels:`), so the scope cleanup removes everything. Nothing
 * runs yet: the test starts the shared services itself.
 */
export interface ContainerModeProject {
  dir: string;
  /** Compose project name (the scope prefix). */
  name: string;
  network: string;
  services: string[];
  httpPort: number;
  adminPort: number;
  /** `http://127.0.0.1:<adminPort>`, for CaddyAdmin. */
  adminAddress: string;
  /** `http://127.0.0.1:<httpPort><path>`: through Caddy. */
  url(urlPath?: string): string;
  /** Removes the directory; the Docker objects go with the scope's cleanup. */
  remove(): Promise<void>;
}

function caddyfile(services: readonly string[]): string {
  const [first, ...rest] = services;
  return [
    '{',
    `\tadmin 0.0.0.0:${CADDY_ADMIN_PORT}`,
    '\tauto_https off',
    '}',
    '',
    `:${CADDY_HTTP_PORT} {`,
    ...rest.map((service) => `\thandle_path /${service}/* {\n\t\treverse_proxy ${service}:${APP_PORT}\n\t}`),
    `\thandle {\n\t\treverse_proxy ${first as string}:${APP_PORT}\n\t}`,
    '}',
    '',
  ].join('\n');
}

export async function createContainerModeProject(docker: Docker, scope: TestScope, options: { services?: string[]; drainTimeout?: string } = {}): Promise<ContainerModeProject> {
  const services = options.services ?? ['web', 'api'];
  const name = scope.prefix;
  const network = scope.name('net');
  await docker.createNetwork({ Name: network, Labels: scope.labels });
  const dir = await mkdtemp(path.join(os.tmpdir(), `${name}-project-`));
  const [httpPort, adminPort] = (await freePorts(2)) as [number, number];
  const serviceYaml = services.map((service) => appComposeService(scope, service, { startPeriod: '30s' })).join('\n');
  const labels = Object.entries(scope.labels).map(([k, v]) => `      ${k}: "${v}"`).join('\n');
  const proxyYaml = `  proxy:
    image: ${scope.prefix}-caddy:local
    labels:
${labels}
    ports:
      - "127.0.0.1:${httpPort}:${CADDY_HTTP_PORT}"
      - "127.0.0.1:${adminPort}:${CADDY_ADMIN_PORT}"
    volumes:
      - ./caddy/Caddyfile:/etc/caddy/Caddyfile:ro
    networks: [net]`;
  await writeFile(
    path.join(dir, 'compose.yml'),
    `name: ${name}\nservices:\n${serviceYaml}\n${proxyYaml}\nnetworks:\n  net:\n    external: true\n    name: ${network}\n`,
  );
  for (const color of ['blue', 'green'] as const) {
    const overlay = services
      .map(
        (service) =>
          `  ${service}:\n    container_name: ${name}-${service}-${color}\n    environment:\n      APP_COLOR: ${color}\n    networks:\n      net:\n        aliases:\n          - ${service}-${color}`,
      )
      .join('\n');
    await writeFile(path.join(dir, `compose.${color}.yml`), `services:\n${overlay}\n`);
  }
  const env = [`DRAIN_TIMEOUT=${options.drainTimeout ?? '30'}`, 'HEALTH_CHECK_TIMEOUT=60', 'HEALTH_CHECK_INTERVAL=1'];
  await writeFile(path.join(dir, '.env'), `${env.join('\n')}\n`);
  await mkdir(path.join(dir, 'caddy'));
  await writeFile(path.join(dir, 'caddy', 'Caddyfile'), caddyfile(services));
  return {
    dir,
    name,
    network,
    services,
    httpPort,
    adminPort,
    adminAddress: `http://127.0.0.1:${adminPort}`,
    url: (urlPath = '/') => `http://127.0.0.1:${httpPort}${urlPath}`,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
