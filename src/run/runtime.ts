import path from 'node:path';
import { CaddyAdmin } from '../adapters/caddy/caddy-admin.js';
import { DockerEngine } from '../adapters/docker/docker-engine.js';
import type { Logger } from '../log.js';

/** Everything an operation talks to, made once per command and closed at its end. */
export interface Runtime {
  projectDir: string;
  /** Where the state file and the lock live: `<project>/caddy`, next to the Caddy config. */
  stateDir: string;
  env: Record<string, string | undefined>;
  logger: Logger;
  admin: CaddyAdmin;
  docker: DockerEngine;
  now: () => Date;
  /**
   * Test seam: runs between reading Caddy's config and sending the switch, so
   * a test can make a real concurrent change to a real Caddy and see the 412
   * path. Never set in production.
   */
  beforeSwitchWrite?: () => Promise<void>;
  close(): Promise<void>;
}

export function createRuntime(options: { projectDir: string; caddyAdmin: string; env: Record<string, string | undefined>; logger: Logger }): Runtime {
  const admin = new CaddyAdmin(options.caddyAdmin, { logger: options.logger });
  const docker = DockerEngine.fromEnvironment(options.logger, options.env as NodeJS.ProcessEnv);
  return {
    projectDir: options.projectDir,
    stateDir: path.join(options.projectDir, 'caddy'),
    env: options.env,
    logger: options.logger,
    admin,
    docker,
    now: () => new Date(),
    close: () => admin.close(),
  };
}
