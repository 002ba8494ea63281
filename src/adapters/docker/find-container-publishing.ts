import type { DockerContext } from './docker-client.js';
import { toDockerError } from './docker-failure.js';
import { retryRead } from './retry-read.js';

export interface PublishingContainer {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  /** Its TCP ports published on the host's loopback or every address: the port inside the container, the host's port. */
  published: Array<{ privatePort: number; publicPort: number }>;
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
    const local = (p: { IP?: string }): boolean => ['127.0.0.1', '0.0.0.0', '::', '', undefined].includes(p.IP);
    const found = running.find((c) => (c.Ports ?? []).some((p) => p.PublicPort === port && local(p)));
    if (found === undefined) return undefined;
    const published = (found.Ports ?? []).filter((p) => local(p) && p.Type === 'tcp' && p.PublicPort !== undefined).map((p) => ({ privatePort: p.PrivatePort, publicPort: p.PublicPort as number }));
    return { id: found.Id, name: (found.Names?.[0] ?? found.Id.slice(0, 12)).replace(/^\//, ''), published };
  } catch (err) {
    throw toDockerError(err, `looking for the container that publishes port ${port}`, ctx.endpoint);
  }
}
