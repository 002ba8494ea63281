import assert from 'node:assert/strict';
import { loadProject } from '../../src/config/load-project.js';
import type { ProjectConfig } from '../../src/config/model.js';
import { startSharedServices } from '../../scripts/demo/start-shared-services.js';
import { waitForHttp } from './http-get.js';
import { testRuntime } from './test-runtime.js';

/**
 * Starts a project's shared services (Caddy as its `proxy` among them) from
 * its compose files with cutover's own Docker adapter, as the demo does, and
 * waits until Caddy's admin API answers: a deploy reads Caddy first, so the
 * proxy must be up before the first one. Asserts that exactly `shared` were
 * started, in that order. Returns the project as loaded at VERSION=v1.
 */
export async function startSharedServicesFirst(project: { dir: string; adminAddress: string }, shared: readonly string[]): Promise<ProjectConfig> {
  const { runtime, log } = testRuntime({ dir: project.dir, adminAddress: project.adminAddress });
  let loaded: ProjectConfig;
  try {
    loaded = await loadProject({ projectDir: project.dir, env: runtime.env, variables: { VERSION: 'v1' } });
    const started = await startSharedServices(runtime, loaded);
    assert.deepEqual(
      started.map((s) => [s.service, s.started]),
      shared.map((service) => [service, true]),
      log.text(),
    );
  } finally {
    await runtime.close();
  }
  await waitForHttp(`${project.adminAddress}/config/`, 30_000);
  return loaded;
}
