import Docker from 'dockerode';
import { UsageError } from '../../errors.js';
import type { Logger } from '../../log.js';

/**
 * The API version every request is pinned to. 1.41 is Docker 20.10 (Debian's
 * docker.io); newer engines still serve it, so behaviour is the same everywhere.
 * One consequence the adapter relies on: at 1.41 a container can be given only
 * ONE network at create time; the others are connected before it starts.
 */
export const DOCKER_API_VERSION = 'v1.41';

const DEFAULT_SOCKET = '/var/run/docker.sock';

/** Where the engine is, as read from DOCKER_HOST; `display` is for messages. */
export type DockerEndpoint =
  | { kind: 'unix'; socketPath: string; display: string }
  | { kind: 'tcp'; host: string; port: number; display: string };

/** Reads DOCKER_HOST: unset (local socket), unix:///path or tcp://host:port (plain HTTP). */
export function dockerEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  const raw = env.DOCKER_HOST?.trim() ?? '';
  if (raw === '') return { kind: 'unix', socketPath: DEFAULT_SOCKET, display: `unix://${DEFAULT_SOCKET}` };
  if (raw.startsWith('unix://')) {
    const socketPath = raw.slice('unix://'.length) || DEFAULT_SOCKET;
    return { kind: 'unix', socketPath, display: `unix://${socketPath}` };
  }
  if (raw.startsWith('tcp://')) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch (cause) {
      throw new UsageError(`DOCKER_HOST=${raw} is not a valid address`, { cause, hint: 'Use unix:///var/run/docker.sock or tcp://127.0.0.1:2375.' });
    }
    if (env.DOCKER_TLS_VERIFY === '1' || url.port === '2376') {
      throw new UsageError(`DOCKER_HOST=${raw} needs TLS, which cutover does not support yet`, {
        hint: 'Use the local unix socket, or a plain tcp:// address on 127.0.0.1.',
      });
    }
    const port = Number(url.port || 2375);
    return { kind: 'tcp', host: url.hostname, port, display: `tcp://${url.hostname}:${port}` };
  }
  throw new UsageError(`DOCKER_HOST=${raw} is not supported`, { hint: 'Use unix:///path/to/docker.sock or tcp://127.0.0.1:2375.' });
}

/**
 * A dockerode client for one endpoint. Built explicitly (not from dockerode's own
 * environment parsing) so that what we report in errors is what we connect to.
 */
export function createDockerClient(endpoint: DockerEndpoint): Docker {
  if (endpoint.kind === 'unix') return new Docker({ socketPath: endpoint.socketPath, version: DOCKER_API_VERSION });
  return new Docker({ host: endpoint.host, port: endpoint.port, protocol: 'http', version: DOCKER_API_VERSION });
}

/** What every adapter function needs: the client, where it points (for messages) and a logger. */
export interface DockerContext {
  docker: Docker;
  /** e.g. `unix:///var/run/docker.sock`; named in DockerUnavailableError's hint. */
  endpoint: string;
  logger: Logger;
}
