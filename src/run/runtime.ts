import { CaddyAdmin } from '../adapters/caddy/caddy-admin.js';
import { parseAdminAddresses } from '../adapters/caddy/parse-admin-addresses.js';
import { DockerEngine } from '../adapters/docker/docker-engine.js';
import type { Logger } from '../log.js';
import { stateDirOf } from '../state/state-paths.js';

/** Everything an operation talks to, made once per command and closed at its end. */
export interface Runtime {
  projectDir: string;
  /** Where the state file and the lock live: `<project>/caddy`, next to the Caddy config. */
  stateDir: string;
  env: Record<string, string | undefined>;
  logger: Logger;
  /** The first Caddy instance given: the one single-Caddy reads (features, probes) go to. */
  admin: CaddyAdmin;
  /**
   * Every Caddy instance, switched as one (docs/multi-instance.md): each step is
   * planned on all of them, then sent to each; `admins[0]` is `admin`. Absent:
   * `admin` alone (a Runtime built by hand). Read it through `caddyInstances`.
   */
  admins?: readonly CaddyAdmin[];
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

export function createRuntime(options: { projectDir: string; caddyAdmin: string; caddyAdmins?: readonly string[]; env: Record<string, string | undefined>; logger: Logger }): Runtime {
  const texts = options.caddyAdmins ?? [options.caddyAdmin];
  // Refuses an empty item or the same instance twice (exit 2) before any client exists.
  parseAdminAddresses(texts);
  const admins = texts.map((text) => new CaddyAdmin(text, { logger: options.logger }));
  const admin = admins[0] as CaddyAdmin;
  const docker = DockerEngine.fromEnvironment(options.logger, options.env as NodeJS.ProcessEnv);
  return {
    projectDir: options.projectDir,
    stateDir: stateDirOf(options.projectDir),
    env: options.env,
    logger: options.logger,
    admin,
    admins,
    docker,
    now: () => new Date(),
    close: async () => {
      await Promise.all(admins.map((each) => each.close()));
    },
  };
}

/** Every Caddy instance of a runtime, the first being `runtime.admin`. */
export function caddyInstances(runtime: Pick<Runtime, 'admin' | 'admins'>): readonly CaddyAdmin[] {
  return runtime.admins ?? [runtime.admin];
}
