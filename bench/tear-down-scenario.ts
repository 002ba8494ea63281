import type Docker from 'dockerode';
import type { LoadRun } from '../test/rig/load-client.js';
import type { TestScope } from '../test/rig/run-id.js';
import { cleanUpScope } from '../test/rig/scope-cleanup.js';
import { say } from './progress.js';

/** Ends a scenario whatever happened: stops its load, removes its project and Docker objects, says what is left for the sweep. */
export async function tearDownScenario(docker: Docker, scope: TestScope, project: { remove(): Promise<void> }, load: LoadRun | undefined): Promise<void> {
  await load?.stop();
  await project.remove();
  const left = await cleanUpScope(docker, scope);
  const count = Object.values(left).reduce((n, list) => n + list.length, 0);
  if (count > 0) say(`  warning: ${count} Docker object(s) of ${scope.prefix} still there; the sweep at exit removes them`);
}
