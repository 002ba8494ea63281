import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { startCaddy, type RunningCaddy } from './caddy-runner.js';
import { freePorts } from './free-port.js';
import { appComposeService, type HealthProbe } from './app-compose-service.js';
import type { TestScope } from './run-id.js';
import { APP_PORT } from './test-image.js';

/**
 * A project directory for end-to-end deploy tests with Caddy on the host:
 * each colored service publishes its port on 127.0.0.1 at a fixed port per
 * color (the overlays differ only there), Caddy proxies `/api/*` to `api` and
 * everything else to `web`, starting at the blue ports. The network is
 * external and carries the test labels, like every container (through the
 * services' labels), so the sweep finds them.
 */
export interface HostModeProject {
  dir: string;
  name: string;
  caddy: RunningCaddy;
  ports: Record<'blue' | 'green', Record<string, number>>;
  /** With `plainPorts`: the host port each plain service (compose.yml alone) publishes. */
  plainPorts: Record<string, number>;
  services: string[];
  remove(): Promise<void>;
}

/** A project made here, which also knows its Caddyfile. */
export interface OwnCaddyfileProject extends HostModeProject {
  /**
   * The project's Caddyfile wired to cutover's snippets, or not (the upstreams
   * written in it, at the blue ports), for a restart from the other one
   * (`caddy.restart({ caddyfile })`).
   */
  caddyfile(wired: boolean): string;
}

export interface HostModeOptions {
  services?: string[];
  drainTimeout?: string;
  handlerLines?: string[];
  /**
   * Wire the Caddyfile to cutover's upstream snippets (caddy/cutover-upstreams.caddy),
   * as docs/caddy-restarts.md tells users to, so a Caddy restart keeps the switch.
   */
  wired?: boolean;
  image?: string;
  /**
   * compose.yml's services publish a port of their own on 127.0.0.1, and the
   * overlays replace it (`ports: !override`): the plain services, run by
   * `reset`, have an address Caddy on the host can reach.
   */
  plainPorts?: boolean;
  /** The containers' health probe (app-compose-service.ts): wget unless a test asks for the node probe's output. */
  healthProbe?: HealthProbe;
}

export async function createHostModeProject(docker: Docker, scope: TestScope, options: HostModeOptions = {}): Promise<OwnCaddyfileProject> {
  const services = options.services ?? ['web', 'api'];
  const name = scope.prefix;
  const network = scope.name('net');
  await docker.createNetwork({ Name: network, Labels: scope.labels });
  const dir = await mkdtemp(path.join(os.tmpdir(), `${name}-project-`));
  await mkdir(path.join(dir, 'caddy'));
  const ports: HostModeProject['ports'] = { blue: {}, green: {} };
  const plainPorts: Record<string, number> = {};
  const free = await freePorts(services.length * 3);
  for (const [index, service] of services.entries()) {
    ports.blue[service] = free[index * 3] as number;
    ports.green[service] = free[index * 3 + 1] as number;
    if (options.plainPorts === true) plainPorts[service] = free[index * 3 + 2] as number;
  }
  const serviceYaml = services
    .map((service) => {
      const yaml = appComposeService(scope, service, { image: options.image, healthProbe: options.healthProbe });
      return options.plainPorts === true ? `${yaml}\n    ports:\n      - "127.0.0.1:${plainPorts[service]}:${APP_PORT}"` : yaml;
    })
    .join('\n');
  await writeFile(
    path.join(dir, 'compose.yml'),
    `name: ${name}\nservices:\n${serviceYaml}\nnetworks:\n  net:\n    external: true\n    name: ${network}\n`,
  );
  for (const color of ['blue', 'green'] as const) {
    const overlay = services
      .map((service) => `  ${service}:\n    container_name: ${name}-${service}-${color}\n    ports:${options.plainPorts === true ? ' !override' : ''}\n      - "127.0.0.1:${ports[color][service]}:${APP_PORT}"`)
      .join('\n');
    await writeFile(path.join(dir, `compose.${color}.yml`), `services:\n${overlay}\n`);
  }
  const env = [`DRAIN_TIMEOUT=${options.drainTimeout ?? '30'}`, 'HEALTH_CHECK_TIMEOUT=60', 'HEALTH_CHECK_INTERVAL=1'];
  await writeFile(path.join(dir, '.env'), `${env.join('\n')}\n`);
  const [first, ...rest] = services;
  // Extra settings inside every reverse_proxy block (e.g. health_uri), as a user's Caddyfile has them.
  const block = options.handlerLines === undefined ? '' : ` {\n${options.handlerLines.map((line) => `\t\t\t${line}`).join('\n')}\n\t\t}`;
  const snippets = path.join(dir, 'caddy', 'cutover-upstreams.caddy');
  const proxy = (service: string, wired: boolean): string =>
    wired
      ? `reverse_proxy {\n\t\t\timport cutover-${service}${(options.handlerLines ?? []).map((line) => `\n\t\t\t${line}`).join('')}\n\t\t}`
      : `reverse_proxy 127.0.0.1:${ports.blue[service]}${block}`;
  if (options.wired === true) {
    // What the user writes once: the snippets as the Caddyfile had them, before any deploy.
    await writeFile(snippets, services.map((service) => `(cutover-${service}) {\n\tto 127.0.0.1:${ports.blue[service]}\n}\n`).join(''));
  }
  const caddyfileOf = (wired: boolean): string =>
    [
      ...(wired ? [`import ${snippets}`, ''] : []),
      ':{{HTTP_PORT}} {',
      ...rest.map((service) => `\thandle_path /${service}/* {\n\t\t${proxy(service, wired)}\n\t}`),
      `\thandle {\n\t\t${proxy(first as string, wired)}\n\t}`,
      '}',
      '',
    ].join('\n');
  const caddyfile = caddyfileOf(options.wired === true);
  const caddy = await startCaddy({ caddyfile });
  return {
    dir,
    name,
    caddy,
    ports,
    plainPorts,
    services,
    caddyfile: caddyfileOf,
    async remove() {
      await caddy.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
