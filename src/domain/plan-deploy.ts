import type { Color, ProjectConfig } from '../config/model.js';
import type { ServiceImages } from './image-identity.js';
import { checkImageReferences } from './check-image-references.js';
import { pullPolicyFor, type PullPolicy } from './pull-policy.js';
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
  const problems: string[] = [];
  for (const service of project.colored) {
    if (!service.imageFollowsVersion) {
      problems.push(`the image of ${service.name} (${service.byColor[toColor].image}) does not use \${VERSION}, so deploying a version cannot change it: write it as name:\${VERSION}`);
    }
  }
  problems.push(...checkImageReferences(project, toColor, input.version));
  // Colored images follow the moving-tag rule; a shared service's image is only pulled when it has to start and is missing.
  const policies = new Map<string, PullPolicy>();
  for (const s of project.colored) policies.set(s.byColor[toColor].image, pullPolicyFor(s.byColor[toColor].image, input.pull));
  for (const s of project.shared) if (!input.sharedPresent.has(s.name) && !policies.has(s.image)) policies.set(s.image, input.pull ?? 'missing');
  const images = [...policies.keys()];
  const pull = images.filter((image) => policies.get(image) === 'always' || (policies.get(image) === 'missing' && !input.imagesPresent.has(image)));
  for (const image of images) {
    if (policies.get(image) === 'never' && !input.imagesPresent.has(image)) problems.push(`image ${image} is not on this Docker engine and --pull never forbids pulling it`);
  }
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

/** The plan as a person reads it (`deploy --dry-run`). */
export function renderDeployPlan(plan: DeployPlan, canary?: { steps: { weights: number[]; pauseAfter: number[] }; stepIntervalMs: number }): string {
  const from = plan.fromColor === undefined ? 'plain Compose names (no color live yet)' : `${plan.fromColor}${plan.fromVersion === undefined ? '' : ` (${plan.fromVersion})`}`;
  const lines = [`${plan.kind} to ${plan.version}: traffic moves from ${from} to ${plan.toColor}`];
  let n = 0;
  const step = (text: string): void => {
    n += 1;
    lines.push(`  ${n}. ${text}`);
  };
  if (plan.start.length > 0) {
    step(plan.pull.length === 0 ? 'pull: nothing (all images present)' : `pull ${plan.pull.join(', ')}`);
    if (plan.kind === 'deploy') step('resolve each image to its identity (registry digest, else image ID); when every service already runs it live, stop here (--force deploys anyway)');
    if (plan.startShared.length > 0) step(`start shared services that are not running: ${plan.startShared.join(', ')}`);
    if (plan.replace.length > 0) step(`remove old ${plan.toColor} containers (not serving): ${plan.replace.map((c) => `${c.name} (${c.version})`).join(', ')}`);
    step(`start ${plan.toColor}: ${plan.start.map((s) => `${s.service}${s.replicas > 1 ? ` x${s.replicas}` : ''} (${s.image})`).join(', ')}`);
    step(`wait until every ${plan.toColor} container is healthy`);
  } else {
    step(`use the warm standby as it runs: ${plan.reuse.map((c) => `${c.name} (${c.version}, ${c.health === 'none' ? 'running' : c.health})`).join(', ')}`);
  }
  if (canary !== undefined) {
    for (const [index, weight] of canary.steps.weights.entries()) {
      const pause = canary.steps.pauseAfter.includes(index) ? ', then wait for cutover promote or abort' : '';
      step(`canary: ${weight}% of requests to ${plan.toColor} in one Caddy change, analyse for ${canary.stepIntervalMs / 1000}s (abort back to ${plan.fromColor ?? 'the old upstreams'} on failure)${pause}`);
    }
  }
  step(`switch all ${plan.start.length} services to ${plan.toColor} in one Caddy change (If-Match)`);
  step('verify: read Caddy back' );
  if (plan.fromColor !== undefined) {
    step(`drain ${plan.fromColor}: wait until Caddy has no request in flight to it`);
    step(plan.stopOld ? `stop ${plan.fromColor} with each service's stop_grace_period` : `keep ${plan.fromColor} running as warm standby`);
  }
  step('record the deployment in the state file');
  return `${lines.join('\n')}\n`;
}
