/**
 * Removes what a demo run leaves: every container of the compose project
 * (cutover labels them `cutover.project=<name>`: colors and shared services
 * alike), the project's own networks and volumes (so Caddy starts from the
 * Caddyfile again, not from its autosave), the state file, and on request the
 * demo's images.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import type { ProjectConfig } from '../../src/config/model.js';
import { stateDirOf, stateFilePath } from '../../src/state/state-paths.js';
import { UPSTREAM_SNIPPETS_FILE } from '../../src/domain/render-upstream-snippets.js';
import { removeImagesByLabel } from '../../test/rig/test-image.js';
import { DEMO_IMAGE_LABEL } from './build-demo-images.js';

export interface RemovedDemo {
  containers: string[];
  networks: string[];
  volumes: string[];
  stateFile: boolean;
  images: string[];
}

const gone = (err: unknown): boolean => (err as { statusCode?: number }).statusCode === 404;

export async function removeDemoStack(docker: Docker, project: ProjectConfig, options: { images: boolean }): Promise<RemovedDemo> {
  const removed: RemovedDemo = { containers: [], networks: [], volumes: [], stateFile: false, images: [] };
  const containers = await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.projectName}`] } });
  // All at once: each may wait for its stop grace period otherwise; force skips it (the demo holds no data worth a clean stop).
  await Promise.all(
    containers.map(async (c) => {
      try {
        await docker.getContainer(c.Id).remove({ force: true, v: true });
        removed.containers.push((c.Names[0] ?? c.Id).replace(/^\//, ''));
      } catch (err) {
        if (!gone(err)) throw err;
      }
    }),
  );
  for (const spec of Object.values(project.volumes)) {
    if (spec.external) continue;
    try {
      await docker.getVolume(spec.name).remove();
      removed.volumes.push(spec.name);
    } catch (err) {
      if (!gone(err)) throw err;
    }
  }
  for (const spec of Object.values(project.networks)) {
    if (spec.external) continue;
    try {
      await docker.getNetwork(spec.name).remove();
      removed.networks.push(spec.name);
    } catch (err) {
      if (!gone(err)) throw err;
    }
  }
  const stateFile = stateFilePath(stateDirOf(project.projectDir));
  try {
    await rm(stateFile);
    removed.stateFile = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // The Caddyfile snippets cutover wrote before each switch belong to the demo's run too.
  await rm(path.join(project.projectDir, 'caddy', UPSTREAM_SNIPPETS_FILE), { force: true });
  if (options.images) removed.images = await removeImagesByLabel(docker, DEMO_IMAGE_LABEL);
  return removed;
}

export function describeRemoved(removed: RemovedDemo): string[] {
  const lines: string[] = [];
  const list = (what: string, names: string[]): void => {
    if (names.length > 0) lines.push(`removed ${names.length} ${what}: ${names.sort().join(', ')}`);
  };
  list('container(s)', removed.containers);
  list('volume(s)', removed.volumes);
  list('network(s)', removed.networks);
  if (removed.stateFile) lines.push('removed caddy/cutover-state.json');
  list('image(s)', removed.images);
  if (lines.length === 0) lines.push('nothing to remove');
  return lines;
}
