import type { ConfigProblem } from '../errors.js';
import type { PlacedSpec } from './check-project.js';
import type { Color, ProjectConfig } from './model.js';
import { asTree, type LoadedFile } from './read-compose-files.js';
import { resolveResources, type ResourceSection } from './resolve-resources.js';

/** Step 6: the networks and volumes of all three files, with Compose's default network when a service uses it. */
export function resolveProjectResources(
  base: LoadedFile,
  loadedOverlays: Record<Color, LoadedFile>,
  placed: PlacedSpec[],
  projectName: string,
  problems: ConfigProblem[],
): { networks: ProjectConfig['networks']; volumes: ProjectConfig['volumes'] } {
  const section = (loaded: LoadedFile, key: 'networks' | 'volumes'): ResourceSection => ({ file: loaded.file, entries: asTree(loaded.tree[key]) });
  const overlayList = [loadedOverlays.blue, loadedOverlays.green];
  const networks = resolveResources('network', section(base, 'networks'), overlayList.map((o) => section(o, 'networks')), projectName);
  const volumes = resolveResources('volume', section(base, 'volumes'), overlayList.map((o) => section(o, 'volumes')), projectName);
  problems.push(...networks.problems, ...volumes.problems);
  if (placed.some(({ spec }) => spec.networks.some((n) => n.key === 'default')) && networks.specs.default === undefined) {
    networks.specs.default = { name: `${projectName}_default`, external: false, driver: undefined };
  }
  return { networks: networks.specs, volumes: volumes.specs };
}
