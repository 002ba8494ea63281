import { loadProject } from '../config/load-project.js';
import type { ProjectConfig } from '../config/model.js';
import { readState } from '../state/state-store.js';
import type { Runtime } from './runtime.js';

/**
 * Loads the project for a command that deploys no version (cleanup, reset,
 * status): image names interpolate ${VERSION}, so it is set to the active
 * version from the state file, or to a placeholder when none is recorded;
 * those commands never start an image.
 */
export async function loadProjectForInspection(runtime: Runtime): Promise<ProjectConfig> {
  const state = await readState(runtime.stateDir).catch(() => null);
  const version = runtime.env.VERSION ?? state?.active?.version ?? 'unknown';
  return loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: version } });
}
