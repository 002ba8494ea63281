import { otherColor, type Color, type ProjectConfig } from '../config/model.js';
import { swarmServiceName } from './swarm-service-name.js';
import { type SwarmServiceSpec, swarmServiceSpec } from './swarm-service-spec.js';

/** One colored service's new color, as a Swarm service. */
export interface SwarmColorService {
  service: string;
  /** `<project>_<service>-<color>`. */
  name: string;
  spec: SwarmServiceSpec;
  replicas: number;
}

/** What `deploy --engine swarm` does, planned before anything changes. */
export interface SwarmDeployPlan {
  version: string;
  toColor: Color;
  fromColor: Color | undefined;
  /** The new color's services, one per colored service, in the project's order. */
  create: SwarmColorService[];
  /** The previous standby's services (the to-color's, from an older release): removed before the new ones are created. */
  removeFirst: string[];
  /** The old color's services: they become the standby. */
  standby: string[];
  /** Keys Swarm does without, `<service>: <key>`, for one warning each. */
  ignored: string[];
}

export type PlanSwarmDeployResult = { ok: true; plan: SwarmDeployPlan } | { ok: false; problems: string[] };

/**
 * Pure: plans a deploy on Swarm from the loaded project. The new color is the
 * one Caddy does not send traffic to (blue on a first deploy); each colored
 * service's spec for it is planned with swarmServiceSpec, and every key Swarm
 * cannot honour is refused, all at once, before anything changes. Every
 * network a colored service joins must be an overlay (or external: the stack
 * made it), since Swarm tasks join only swarm-scoped networks.
 */
export function planSwarmDeploy(input: { project: ProjectConfig; version: string; live: Color | undefined; extraLabels?: Record<string, string> }): PlanSwarmDeployResult {
  const { project } = input;
  const toColor: Color = input.live === undefined ? 'blue' : otherColor(input.live);
  const problems: string[] = [];
  const ignored: string[] = [];
  const create: SwarmColorService[] = [];
  const networks = Object.fromEntries(Object.entries(project.networks).map(([key, spec]) => [key, spec.name]));
  const volumes = Object.fromEntries(Object.entries(project.volumes).map(([key, spec]) => [key, spec.name]));
  if (project.colored.length === 0) problems.push('the color overlays name no service: nothing to deploy on Swarm');
  for (const colored of project.colored) {
    const spec = colored.byColor[toColor];
    const planned = swarmServiceSpec({ project: project.projectName, spec, color: toColor, version: input.version, networks, networkSpecs: project.networks, volumes, extraLabels: input.extraLabels });
    if (!planned.ok) {
      problems.push(...planned.problems.map((p) => `${colored.name}: ${p.path}: ${p.message}`));
      continue;
    }
    ignored.push(...planned.ignored.map((key) => `${colored.name}: ${key}`));
    create.push({ service: colored.name, name: planned.spec.Name, spec: planned.spec, replicas: spec.replicas });
  }
  if (problems.length > 0) return { ok: false, problems };
  const namesOf = (color: Color) => project.colored.map((s) => swarmServiceName(project.projectName, s.name, color));
  return {
    ok: true,
    plan: {
      version: input.version,
      toColor,
      fromColor: input.live,
      create,
      removeFirst: namesOf(toColor),
      standby: input.live === undefined ? [] : namesOf(input.live),
      ignored,
    },
  };
}
