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

/** Reads the engine's Swarm membership from `GET /info`; `signal` ends a request the engine does not answer. */
export async function readSwarmInfo(ctx: DockerContext, signal?: AbortSignal): Promise<SwarmInfo> {
  let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; Nodes?: number } };
  try {
    // dockerode's types know no options for info(), but it passes abortSignal to the request.
    const read = ctx.docker.info as unknown as (opts: { abortSignal?: AbortSignal }) => Promise<unknown>;
    info = (await retryRead(() => read.call(ctx.docker, signal === undefined ? {} : { abortSignal: signal }))) as typeof info;
  } catch (err) {
    throw toDockerError(err, 'reading docker info', ctx.endpoint);
  }
  return { localNodeState: info.Swarm?.LocalNodeState ?? 'inactive', controlAvailable: info.Swarm?.ControlAvailable === true, nodes: info.Swarm?.Nodes ?? 0 };
}
