import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { createHostModeProject, type HostModeOptions, type OwnCaddyfileProject } from './host-mode-project.js';
import { runCli } from './run-cli.js';
import type { TestScope } from './run-id.js';
import { buildTestImage } from './test-image.js';

/**
 * A host-mode project already serving a release, as most end-to-end cases
 * start: builds the test images `images` (at once), makes the project and
 * deploys each of `deployed` in turn through the CLI, as a user would. A
 * failed deploy removes the project (its Caddy and folder) before it fails
 * the caller's before(), which would otherwise have nothing to remove.
 */
export async function createDeployedHostModeProject(docker: Docker, scope: TestScope, images: readonly string[], deployed: readonly string[] = ['v1'], options: HostModeOptions = {}): Promise<OwnCaddyfileProject> {
  await Promise.all(images.map((version) => buildTestImage(docker, scope, version)));
  const project = await createHostModeProject(docker, scope, options);
  try {
    for (const version of deployed) {
      const run = await runCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, 'deploy', version]);
      assert.equal(run.code, 0, `deploy ${version}: ${run.stderr}`);
    }
  } catch (error) {
    await project.remove();
    throw error;
  }
  return project;
}
