import type { Color, ProjectConfig } from '../config/model.js';
import type { ServiceImages } from './image-identity.js';
import { checkDeployInput, deployImagePolicies } from './check-deploy-input.js';
import type { PullPolicy } from './pull-policy.js';
import type { LiveTraffic } from './read-traffic.js';

export type { PullPolicy };

/** A container cutover already knows about, reduced to what planning needs. */
export interface KnownContainer {
  id: string;
  name: string;
  service: string;
  color: Color | undefined;
  version: string;
  state: string;
  /** Docker's health: starting, healthy, unhealthy, or none without a healthcheck. */
  health: string;
  /** The image ID the container runs; undefined when not known. */
  imageId?: string | undefined;
}

export interface DeployInput {
  project: ProjectConfig;
  version: string;
  live: LiveTraffic;
  /** The version Caddy's live color runs, when known. */
  liveVersion: string | undefined;
  toColor: Color;
  containers: readonly KnownContainer[];
  /** Shared services that already have a container (by cutover's label, Compose's labels or container_name). */
  sharedPresent: ReadonlySet<string>;
  imagesPresent: ReadonlySet<string>;
  /** --pull; undefined: per image, `always` for a moving tag, else `missing` (see pull-policy.ts). */
  pull: PullPolicy | undefined;
  stopOld: boolean;
}

export interface DeployPlan {
  kind: 'deploy' | 'rollback';
  version: string;
  fromColor: Color | undefined;
  fromVersion: string | undefined;
  toColor: Color;
  /** Images to pull, in order. */
  pull: string[];
  /** Shared services without any container: a deploy starts them before it reads Caddy (shown by --dry-run). */
  startShared: string[];
  /** Containers of the target color left from before (old standby, failed attempt): removed before starting. */
  replace: KnownContainer[];
  /** Colored services to start in `toColor`, with their images. Empty when `reuse` serves. */
  start: Array<{ service: string; image: string; replicas: number }>;
  /** Containers of `toColor` that already run healthy and take the traffic as they are (rollback to a warm standby). */
  reuse: KnownContainer[];
  /** Old color's containers, kept as warm standby or stopped after the drain. */
  old: KnownContainer[];
  stopOld: boolean;
  /**
   * Per colored service, the image identity the new color starts (set once
   * resolved, after the pull): its containers are created from the pinned
   * reference, so a tag that moves meanwhile changes nothing.
   */
  images?: ServiceImages | undefined;
  /** What the live color runs, recorded as the release a rollback returns to. */
  fromImages?: ServiceImages | undefined;
}

export type PlanDeployResult = { ok: true; plan: DeployPlan } | { ok: false; problems: string[] };

/** Pure: what a deploy of `version` will do, computed before anything is touched. */
export function planDeploy(input: DeployInput): PlanDeployResult {
  const { project, toColor } = input;
  const problems = checkDeployInput({ project, version: input.version, colors: [toColor], pull: input.pull, sharedPresent: input.sharedPresent, imagesPresent: input.imagesPresent });
  const policies = deployImagePolicies({ project, colors: [toColor], pull: input.pull, sharedPresent: input.sharedPresent });
  const images = [...policies.keys()];
  const pull = images.filter((image) => policies.get(image) === 'always' || (policies.get(image) === 'missing' && !input.imagesPresent.has(image)));
  if (problems.length > 0) return { ok: false, problems };
  const fromColor = input.live.kind === 'color' ? input.live.color : undefined;
  const coloredNames = new Set(project.colored.map((s) => s.name));
  return {
    ok: true,
    plan: {
      kind: 'deploy',
      version: input.version,
      fromColor,
      fromVersion: input.liveVersion,
      toColor,
      pull,
      startShared: project.shared.filter((s) => !input.sharedPresent.has(s.name)).map((s) => s.name),
      replace: input.containers.filter((c) => c.color === toColor && coloredNames.has(c.service)),
      start: project.colored.map((s) => ({ service: s.name, image: s.byColor[toColor].image, replicas: s.byColor[toColor].replicas })),
      reuse: [],
      old: fromColor === undefined ? [] : input.containers.filter((c) => c.color === fromColor && coloredNames.has(c.service)),
      stopOld: input.stopOld,
    },
  };
}

/** The services a plan switches: those it starts, else those whose warm standby it reuses. */
function switchedServices(plan: DeployPlan): string[] {
  return plan.start.length > 0 ? plan.start.map((s) => s.service) : [...new Set(plan.reuse.map((c) => c.service))];
}

/** The first line: what the operation does as a whole, from which color to which. */
function describePlan(plan: DeployPlan): string {
  const version = (v: string | undefined): string => (v === undefined ? '' : ` (${v})`);
  const from = plan.fromColor === undefined ? 'plain Compose names (no color live yet)' : `${plan.fromColor}${version(plan.fromVersion)}`;
  if (plan.kind === 'deploy') return `deploy to ${plan.version}: traffic moves from ${from} to ${plan.toColor}`;
  if (plan.start.length === 0) {
    return `rollback to ${plan.version}: an instant switch from ${from} back to the warm standby ${plan.toColor}, which already runs ${plan.version}; nothing is pulled or started`;
  }
  return `rollback to ${plan.version}: ${plan.toColor} does not run ${plan.version} ready, so it is started there first (like a deploy); then traffic moves from ${from} to ${plan.toColor}`;
}

/** The steps before the switch: start the new color, or take the warm standby as it is. */
function preparationSteps(plan: DeployPlan): string[] {
  if (plan.start.length === 0) {
    return [`use the warm standby as it runs: ${plan.reuse.map((c) => `${c.name} (${c.version}, ${c.health === 'none' ? 'running' : c.health})`).join(', ')}`];
  }
  return [
    plan.pull.length === 0 ? 'pull: nothing (all images present)' : `pull ${plan.pull.join(', ')}`,
    ...(plan.kind === 'deploy' ? ['resolve each image to its identity (registry digest, else image ID); when every service already runs it live, stop here (--force deploys anyway)'] : []),
    ...(plan.startShared.length > 0 ? [`start shared services that are not running: ${plan.startShared.join(', ')}`] : []),
    ...(plan.replace.length > 0 ? [`remove old ${plan.toColor} containers (not serving): ${plan.replace.map((c) => `${c.name} (${c.version})`).join(', ')}`] : []),
    `start ${plan.toColor}: ${plan.start.map((s) => `${s.service}${s.replicas > 1 ? ` x${s.replicas}` : ''} (${s.image})`).join(', ')}`,
    `wait until every ${plan.toColor} container is healthy`,
  ];
}

export interface CanaryPlan {
  steps: { weights: number[]; pauseAfter: number[] };
  stepIntervalMs: number;
}

function canarySteps(plan: DeployPlan, canary: CanaryPlan): string[] {
  return canary.steps.weights.map((weight, index) => {
    const pause = canary.steps.pauseAfter.includes(index) ? ', then wait for cutover promote or abort' : '';
    return `canary: ${weight}% of requests to ${plan.toColor} in one Caddy change, analyse for ${canary.stepIntervalMs / 1000}s (abort back to ${plan.fromColor ?? 'the old upstreams'} on failure)${pause}`;
  });
}

/** The plan as a person reads it (`deploy --dry-run`, `rollback --dry-run`). */
export function renderDeployPlan(plan: DeployPlan, canary?: CanaryPlan): string {
  const steps = preparationSteps(plan);
  if (canary !== undefined) steps.push(...canarySteps(plan, canary));
  const services = switchedServices(plan);
  steps.push(`switch ${services.length === 1 ? services[0] : `all ${services.length} services`} to ${plan.toColor} in one Caddy change (If-Match)`);
  steps.push('verify: read Caddy back');
  if (plan.fromColor !== undefined) {
    steps.push(`drain ${plan.fromColor}: wait until Caddy has no request in flight to it`);
    steps.push(plan.stopOld ? `stop ${plan.fromColor} with each service's stop_grace_period` : `keep ${plan.fromColor} running as warm standby`);
  }
  steps.push(`record the ${plan.kind === 'deploy' ? 'deployment' : 'rollback'} in the state file`);
  return `${[describePlan(plan), ...steps.map((text, index) => `  ${index + 1}. ${text}`)].join('\n')}\n`;
}
