import { SwarmServices } from '../adapters/swarm/swarm-services.js';
import { loadProject } from '../config/load-project.js';
import { COLORS } from '../config/model.js';
import { swarmServiceName } from '../domain/swarm-service-name.js';
import { readState } from '../state/state-store.js';
import type { Runtime } from './runtime.js';
import { readSwarmLiveColor } from './swarm-switch.js';

/**
 * `cutover --engine swarm status`, as text: the color Caddy sends traffic to
 * (from its `tasks.` names) and the recorded active and standby versions, then
 * each color's services with running/desired tasks. Changes nothing.
 */
export async function swarmStatus(runtime: Runtime): Promise<string> {
  const state = await readState(runtime.stateDir);
  const project = await loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: state?.active?.version ?? 'unknown' } });
  const swarm = SwarmServices.fromEnvironment(runtime.logger, runtime.env as NodeJS.ProcessEnv);
  const live = await readSwarmLiveColor(runtime, project);
  const lines: string[] = [`engine: swarm`, `live: ${live ?? 'none'}${state?.active?.color === live && state?.active ? ` ${state.active.version}` : ''}`];
  if (state?.active != null && state.active.color !== live) lines.push(`drift: the state file records ${state.active.color} ${state.active.version} as active`);
  lines.push(`standby: ${state?.standby == null ? 'none' : `${state.standby.color} ${state.standby.version}`}`);
  for (const color of COLORS) {
    for (const colored of project.colored) {
      const name = swarmServiceName(project.projectName, colored.name, color);
      const tasks = await swarm.listTasks(name);
      if (tasks.length === 0) continue;
      const desired = tasks.filter((t) => t.desiredState === 'running').length;
      const running = tasks.filter((t) => t.desiredState === 'running' && t.state === 'running').length;
      lines.push(`${color} ${name}: ${running}/${desired} tasks running`);
    }
  }
  return `${lines.join('\n')}\n`;
}
