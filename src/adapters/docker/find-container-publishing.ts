import type { DockerContext } from './docker-client.js';
import { toDockerError } from './docker-failure.js';
import { retryRead } from './retry-read.js';

export interface PublishingContainer {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
}

/**
 * The running container that publishes `port` on the host's loopback or on
 * every address (`127.0.0.1:2019->2019/tcp`, `0.0.0.0:2019->2019/tcp`):
 * how cutover tells that the Caddy whose admin API it talks to runs in a
 * container. Undefined when none does (Caddy on the host).
 */
export async function findContainerPublishing(ctx: DockerContext, port: number): Promise<PublishingContainer | undefined> {
  try {
    const running = await retryRead(() => ctx.docker.listContainers({ all: false }));
    const found = running.find((c) => (c.Ports ?? []).some((p) => p.PublicPort === port && ['127.0.0.1', '0.0.0.0', '::', '', undefined].includes(p.IP)));
    return found === undefined ? undefined : { id: found.Id, name: (found.Names?.[0] ?? found.Id.slice(0, 12)).replace(/^\//, '') };
  } catch (err) {
    throw toDockerError(err, `looking for the container that publishes port ${port}`, ctx.endpoint);
  }
}
