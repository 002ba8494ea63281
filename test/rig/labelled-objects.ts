/**
 * Finding and removing the Docker objects that carry a label (`key=value`):
 * the run label for the sweep, a file's scope label for its after() hook.
 */
import type Docker from 'dockerode';
import { removeImagesByLabel } from './test-image.js';

export interface LabelledObjects {
  containers: string[];
  networks: string[];
  volumes: string[];
  images: string[];
}

export async function findLabelled(docker: Docker, label: string): Promise<LabelledObjects> {
  const filters = { label: [label] };
  const [containers, networks, volumes, images] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
    docker.listImages({ all: true, filters }),
  ]);
  return {
    containers: containers.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')),
    networks: networks.map((n) => n.Name),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name),
    images: images.map((i) => i.RepoTags?.find((t) => t !== '<none>:<none>') ?? i.Id),
  };
}

export function isEmpty(objects: LabelledObjects): boolean {
  return Object.values(objects).every((list: string[]) => list.length === 0);
}

/** Removes containers (forced), then networks and volumes, then images. Returns what it removed. */
export async function removeLabelled(docker: Docker, label: string): Promise<LabelledObjects> {
  const removed: LabelledObjects = { containers: [], networks: [], volumes: [], images: [] };
  const filters = { label: [label] };
  const gone = (err: unknown): boolean => (err as { statusCode?: number }).statusCode === 404;

  for (const c of await docker.listContainers({ all: true, filters })) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .then(() => removed.containers.push((c.Names[0] ?? c.Id).replace(/^\//, '')))
      .catch((err: unknown) => {
        if (!gone(err)) throw err;
      });
  }
  for (const n of await docker.listNetworks({ filters })) {
    await docker
      .getNetwork(n.Id)
      .remove()
      .then(() => removed.networks.push(n.Name))
      .catch((err: unknown) => {
        if (!gone(err)) throw err;
      });
  }
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) {
    await docker
      .getVolume(v.Name)
      .remove()
      .then(() => removed.volumes.push(v.Name))
      .catch((err: unknown) => {
        if (!gone(err)) throw err;
      });
  }
  removed.images.push(...(await removeImagesByLabel(docker, label)));
  return removed;
}
