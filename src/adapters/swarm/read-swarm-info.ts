import type { DockerContext } from '../docker/docker-client.js';
import { toDockerError } from '../docker/docker-failure.js';
import { retryRead } from '../docker/retry-read.js';

/** What `docker info` says of the engine's Swarm membership. */
export interface SwarmInfo {
  /** `Swarm.LocalNodeState`: `active` when the engine is in a Swarm (`inactive`, `pending`, `error`, `locked` otherwise). */
  localNodeState: string;
  /** `Swarm.ControlAvailable`: the engine is a manager (only a manager creates services and lists every node's tasks). */
  controlAvailable: boolean;
  /** `Swarm.Nodes`: the nodes of the Swarm, as the manager counts them (0 when it is not one). */
  nodes: number;
}

/** Reads the engine's Swarm membership from `GET /info`. */
export async function readSwarmInfo(ctx: DockerContext): Promise<SwarmInfo> {
  let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; Nodes?: number } };
  try {
    info = (await retryRead(() => ctx.docker.info())) as typeof info;
  } catch (err) {
    throw toDockerError(err, 'reading docker info', ctx.endpoint);
  }
  return { localNodeState: info.Swarm?.LocalNodeState ?? 'inactive', controlAvailable: info.Swarm?.ControlAvailable === true, nodes: info.Swarm?.Nodes ?? 0 };
}
