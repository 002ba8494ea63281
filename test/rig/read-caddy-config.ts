import type { JsonObject } from '../../src/domain/caddy-json.js';
import type { HostModeProject } from './host-mode-project.js';
import { testRuntime } from './test-runtime.js';

/** Caddy's whole live config, read through cutover's own admin client. */
export async function readCaddyConfig(project: HostModeProject): Promise<JsonObject> {
  const { runtime } = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
  try {
    return (await runtime.admin.readConfig()).value as JsonObject;
  } finally {
    await runtime.close();
  }
}
