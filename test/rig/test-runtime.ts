import path from 'node:path';
import { CaddyAdmin } from '../../src/adapters/caddy/caddy-admin.js';
import { DockerEngine } from '../../src/adapters/docker/docker-engine.js';
import type { Runtime } from '../../src/run/runtime.js';
import { recordingLogger } from './recording-logger.js';

/** A Runtime for an operation called in-process on a test project, with a logger whose events the test can read. */
export function testRuntime(project: { dir: string; adminAddress: string }, env: Record<string, string> = {}): { runtime: Runtime; log: ReturnType<typeof recordingLogger> } {
  const log = recordingLogger();
  const admin = new CaddyAdmin(project.adminAddress, { logger: log.logger });
  const runtime: Runtime = {
    projectDir: project.dir,
    stateDir: path.join(project.dir, 'caddy'),
    env: { ...process.env, ...env },
    logger: log.logger,
    admin,
    docker: DockerEngine.fromEnvironment(log.logger),
    now: () => new Date(),
    close: () => admin.close(),
  };
  return { runtime, log };
}
