import { SwarmServices } from '../adapters/swarm/swarm-services.js';
import { dockerEndpointFromEnv } from '../adapters/docker/docker-client.js';
import { loadProject } from '../config/load-project.js';
import { COLORS } from '../config/model.js';
import { swarmServiceName } from '../domain/swarm-service-name.js';
import { buildSwarmStatusReport, type SwarmInstanceRead, type SwarmStatusInput, type SwarmStatusReport } from '../domain/status/swarm-status-report.js';
import { CaddyRejectedError, CaddyUnavailableError, ConfigInvalidError } from '../errors.js';
import { readLock, type LockStatus } from '../state/deploy-lock.js';
import { displayPath, stateFilePath } from '../state/state-paths.js';
import { readState } from '../state/state-store.js';
import { caddyInstances, type Runtime } from './runtime.js';
import { readInstanceSwarmColor } from './swarm-switch.js';

/** One instance's live color, or why it could not be read (an unreachable or unswitchable Caddy is reported, not thrown). */
async function readInstance(admin: ReturnType<typeof caddyInstances>[number], project: Parameters<typeof readInstanceSwarmColor>[1]): Promise<SwarmInstanceRead> {
  const address = admin.address.text;
  try {
    return { address, live: await readInstanceSwarmColor(admin, project) };
  } catch (error) {
    if (!(error instanceof CaddyUnavailableError || error instanceof CaddyRejectedError || error instanceof ConfigInvalidError)) throw error;
    const kind = error instanceof CaddyUnavailableError ? 'caddy-unreachable' : error instanceof CaddyRejectedError ? 'caddy-error' : 'caddy-config';
    const message = error instanceof ConfigInvalidError ? error.problems.map((p) => p.message).join('; ') : error.message;
    return { address, failure: { kind, message, hint: error.hint ?? null, exitCode: error.exitCode } };
  }
}

/**
 * `cutover --engine swarm status`: reads the state file, every Caddy instance
 * (the color its handlers' `tasks.` names point at) and each colored
 * service's Swarm service per color (running/desired tasks, from the
 * manager's task list), and builds the report. Changes nothing.
 */
export async function swarmStatus(runtime: Runtime): Promise<SwarmStatusReport> {
  const observedAt = runtime.now().toISOString();
  const state = await readState(runtime.stateDir);
  const lock: LockStatus = await readLock(runtime.stateDir).catch((error: unknown) => ({ kind: 'unreadable' as const, problem: error instanceof Error ? error.message : String(error) }));
  const project = await loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: state?.active?.version ?? 'unknown' } });
  const swarm = SwarmServices.fromEnvironment(runtime.logger, runtime.env as NodeJS.ProcessEnv);
  const instances = await Promise.all(caddyInstances(runtime).map((admin) => readInstance(admin, project)));
  const swarmServices: SwarmStatusInput['swarmServices'] = [];
  for (const color of COLORS) {
    for (const colored of project.colored) {
      const name = swarmServiceName(project.projectName, colored.name, color);
      const tasks = await swarm.listTasks(name);
      if (tasks.length === 0 && !(state?.swarmServices?.[color] ?? []).includes(name)) continue;
      const desired = tasks.filter((t) => t.desiredState === 'running').length;
      const running = tasks.filter((t) => t.desiredState === 'running' && t.state === 'running').length;
      swarmServices.push({ service: colored.name, color, name, desired, running });
    }
  }
  return buildSwarmStatusReport({
    observedAt,
    project: { name: project.projectName, dir: runtime.projectDir, stateFile: displayPath(stateFilePath(runtime.stateDir)), caddyAdmin: runtime.admin.address.text, dockerEndpoint: dockerEndpointFromEnv(runtime.env as NodeJS.ProcessEnv).display },
    state,
    instances,
    swarmServices,
    lock,
  });
}
