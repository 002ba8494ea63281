import Docker from 'dockerode';
import type { ServiceSpec } from '../../config/model.js';
import { ConfigInvalidError } from '../../errors.js';
import type { DockerContext } from './docker-client.js';
import { toDockerError } from './docker-failure.js';
import { retryRead } from './retry-read.js';

/** healthcheck.start_interval became part of the Engine API in 1.44 (Docker 25). */
const START_INTERVAL_API = [1, 44] as const;

function atLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/**
 * The client to create a service's containers with. Requests are pinned to
 * API 1.41, where Docker drops a healthcheck's StartInterval; a spec that sets
 * start_interval needs an engine of API 1.44 or newer, and is then created
 * through a client at that version. On an older engine it is refused before
 * anything is created, with the one line to change.
 */
export async function engineForCreate(ctx: DockerContext, spec: ServiceSpec): Promise<Docker> {
  const healthcheck = spec.healthcheck;
  if (healthcheck === undefined || healthcheck === 'disabled' || healthcheck.startIntervalMs === undefined) return ctx.docker;
  let apiVersion: string;
  try {
    apiVersion = (await retryRead(() => ctx.docker.version())).ApiVersion;
  } catch (err) {
    throw toDockerError(err, 'asking the engine for its API version', ctx.endpoint);
  }
  if (!atLeast(apiVersion, START_INTERVAL_API)) {
    throw new ConfigInvalidError(
      [{ file: 'compose files', path: `services.${spec.name}.healthcheck.start_interval`, message: `needs Docker Engine API ${START_INTERVAL_API.join('.')} (Docker 25) or newer, but this engine speaks ${apiVersion}` }],
      { hint: 'remove start_interval (the healthcheck then probes at its interval during start_period too), or upgrade the Docker engine' },
    );
  }
  const modem = ctx.docker.modem as unknown as { socketPath?: string; host?: string; port?: number; protocol?: 'http' | 'https' };
  return new Docker({ socketPath: modem.socketPath, host: modem.host, port: modem.port, protocol: modem.protocol, version: `v${START_INTERVAL_API.join('.')}` });
}
