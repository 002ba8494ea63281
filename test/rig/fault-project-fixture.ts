import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { crashHarness } from './crash-harness.js';
import { rigDockerClient } from './docker-client.js';
import { createHostModeProject, type HostModeOptions, type HostModeProject } from './host-mode-project.js';
import { prepareFaultProject } from './project-env.js';
import { testScope } from './run-id.js';
import { cleanUpScope, NOTHING_LEFT } from './scope-cleanup.js';
import { buildTestImage } from './test-image.js';

/** A fault injector the fixture starts after the project and closes before removing it (admin-fault-proxy.ts, docker-fault-proxy.ts). */
interface Fault {
  close(): Promise<void>;
}

export interface FaultProjectOptions<F extends Fault> {
  /** The test images to build, e.g. ['v1', 'v2', 'v3']; v1 and v2 are deployed before the first test. */
  versions: string[];
  project?: HostModeOptions;
  /** Started once the project exists, before v1 and v2 are deployed. */
  fault?: (project: HostModeProject) => Promise<F>;
  /** The admin address the harness's CLI runs get, when the fault sits in front of Caddy's admin API. */
  adminThrough?: (fault: F) => string;
}

/**
 * What the fault-test files share, registered as the file's hooks: a host-mode
 * project (Caddy 2.6.2 on the host, web and api) with v1 and v2 deployed (a
 * warm standby, prepareFaultProject), the other images built, an optional fault
 * injector, and a crash harness on it all. Every object carries the file's
 * scope and is removed after the file, also when a test failed.
 */
export function faultProjectFixture<F extends Fault = Fault>(tag: string, options: FaultProjectOptions<F>) {
  const scope = testScope(tag);
  const docker = rigDockerClient();
  let project: HostModeProject | undefined;
  let fault: F | undefined;
  const current = (): HostModeProject => {
    if (project === undefined) throw new Error('the project is not set up');
    return project;
  };
  const currentFault = (): F => {
    if (fault === undefined) throw new Error('the fault injector is not started');
    return fault;
  };
  const adminThrough = options.adminThrough;
  const h = crashHarness(docker, current, adminThrough === undefined ? undefined : () => adminThrough(currentFault()));

  before(async () => {
    await Promise.all(options.versions.map((v) => buildTestImage(docker, scope, v)));
    project = await createHostModeProject(docker, scope, options.project);
    fault = await options.fault?.(project);
    await prepareFaultProject(project.dir, h.cli);
  });
  after(async () => {
    await fault?.close();
    await project?.remove();
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  return { docker, h, project: current, fault: currentFault };
}
