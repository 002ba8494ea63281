import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { parse, stringify } from 'yaml';
import { createHostModeProject, type HostModeProject } from '../test/rig/host-mode-project.js';
import type { TestScope } from '../test/rig/run-id.js';
import { APP_PORT } from '../test/rig/test-image.js';

/**
 * The healthcheck of every scenario's containers. The rig's own (a `node`
 * probe, retries 1) turns a container unhealthy on one slow probe, and a busy
 * 2-core machine under the benchmark's load makes such probes: a node start
 * inside the container took over 3 s. busybox wget costs next to nothing, and
 * 3 retries is what the document's stack used. Only the probe changes; the
 * images, ports and grace period stay the rig's.
 */
export const BENCH_HEALTHCHECK = {
  test: ['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${APP_PORT}/health`],
  interval: '1s',
  timeout: '3s',
  retries: 3,
};

/** The e2e test's project (Caddy on the host, fixed ports per color), with the benchmark's healthcheck. */
export async function createBenchProject(docker: Docker, scope: TestScope, options: { drainTimeout?: string } = {}): Promise<HostModeProject> {
  const project = await createHostModeProject(docker, scope, options);
  try {
    const file = path.join(project.dir, 'compose.yml');
    const compose = parse(await readFile(file, 'utf8')) as { services?: Record<string, { healthcheck?: unknown }> };
    const services = Object.values(compose.services ?? {});
    if (services.length === 0 || services.some((s) => s.healthcheck === undefined)) throw new Error(`${file}: expected services with a healthcheck to replace`);
    for (const service of services) service.healthcheck = BENCH_HEALTHCHECK;
    await writeFile(file, stringify(compose));
    return project;
  } catch (error) {
    await project.remove();
    throw error;
  }
}
