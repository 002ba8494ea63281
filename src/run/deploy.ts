import os from 'node:os';
import { otherColor, type Color, type ProjectConfig } from '../config/model.js';
import { planDeploy, type DeployPlan, type KnownContainer, type PullPolicy } from '../domain/plan-deploy.js';
import { nextColor } from '../domain/read-traffic.js';
import { ConfigInvalidError, OperationFailedError, UsageError } from '../errors.js';
import { planMigration, type MigrationFlags, type MigrationPlan } from '../domain/plan-migration.js';
import { describeIdentity, sameIdentities, type ServiceImages } from '../domain/image-identity.js';
import { applyCutover, type CutoverResult } from './apply-cutover.js';
import { identitiesOfContainers, imageIdsOf, resolveServiceImages } from './image-identities.js';
import { pullImages } from './pull-images.js';
import type { CanaryOptions } from './canary-step.js';
import type { BakeOptions } from './bake-step.js';
import type { Observation } from './observe-project.js';
import { preflight } from './preflight.js';
import { startAbsentSharedServices } from './start-shared-services.js';
import { validateDeploy } from './validate-deploy.js';
import type { Runtime } from './runtime.js';

export interface DeployRequest {
  version: string;
  /** undefined: per image, `always` for a moving tag (latest, main, ...), else `missing`. */
  pull: PullPolicy | undefined;
  /** Deploy even when every service already runs exactly these images live. */
  force?: boolean | undefined;
  /** Stop the old color after the drain instead of keeping it as warm standby. */
  stopOld: boolean;
  dryRun: boolean;
  /** A URL answered through Caddy after the switch; a non-2xx answer switches back. */
  verifyUrl: string | undefined;
  signal: AbortSignal;
  /** The first "unhealthy" ends the health wait (--fail-fast); otherwise HEALTH_FAIL_FAST decides. */
  failFast?: boolean | undefined;
  /** Weighted steps with analysis before the full switch. */
  canary?: CanaryOptions | undefined;
  /** --bake <duration>: watch the new color after the switch and switch back by itself when it is worse. */
  bake?: BakeOptions | undefined;
  /** --migrate "<command>" [--migrate-service <service>]: run once before the new color starts. */
  migrate?: MigrationFlags | undefined;
}

export type DeployResult = { plan: DeployPlan; /** The migration the deploy runs (or would run). */ migration?: MigrationPlan | undefined; /** Set when the deploy stopped because the live color already runs these images. */ unchanged?: { color: Color; images: ServiceImages } } & Partial<CutoverResult>;

export { checkVerifyUrl, withFailFast } from './validate-deploy.js';

function warnIfMemoryIsShort(runtime: Runtime, project: ProjectConfig, color: Color): void {
  const needed = project.colored.reduce((sum, s) => sum + (s.byColor[color].memLimitBytes ?? 0) * s.byColor[color].replicas, 0);
  const free = os.freemem();
  if (needed > 0 ? needed > free : free < 0.1 * os.totalmem()) {
    runtime.logger.warn(
      { event: 'preflight.memory', freeBytes: free, neededBytes: needed },
      `free memory looks too small to run both colors (${Math.round(free / 2 ** 20)} MiB free${needed > 0 ? `, the new color's limits add up to ${Math.round(needed / 2 ** 20)} MiB` : ''})`,
    );
  }
}

export function knownContainers(observation: Observation): KnownContainer[] {
  return observation.containers.map((c) => ({ id: c.id, name: c.name, service: c.service, color: c.color, version: c.version, state: c.state, health: c.health, imageId: c.imageId }));
}

/** Shared services that have a container, and the images already on the engine. */
export async function observeImagesAndShared(runtime: Runtime, project: ProjectConfig, color: Color): Promise<{ sharedPresent: Set<string>; imagesPresent: Set<string> }> {
  const shared = await runtime.docker.findSharedContainers(project.projectName, project.shared);
  const images = [...new Set([...project.colored.map((s) => s.byColor[color].image), ...project.shared.map((s) => s.image)])];
  const imagesPresent = new Set<string>();
  for (const image of images) if (await runtime.docker.imageExists(image)) imagesPresent.add(image);
  return { sharedPresent: new Set(shared.filter((s) => s.containers.length > 0).map((s) => s.service)), imagesPresent };
}

/** `cutover deploy <version>`: validate (all of it before any side effect), observe, plan, then apply (or print the plan). */
export async function deploy(runtime: Runtime, request: DeployRequest): Promise<DeployResult> {
  // Every check that needs no answer from Caddy, before the lock and before shared services start.
  const { version, project } = await validateDeploy(runtime, request);
  const migrationPlanning = planMigration(project, request.migrate ?? {});
  if (!migrationPlanning.ok) throw new UsageError(migrationPlanning.problem, { hint: 'see docs/migrations.md; nothing was changed' });
  const migration = migrationPlanning.migration;
  const { lock, observation } = await preflight(runtime, project, {
    command: `deploy ${version}`,
    dryRun: request.dryRun,
    signal: request.signal,
    // Caddy itself may be a shared service that is not running yet (a fresh host).
    ...(request.dryRun ? {} : { beforeObserve: () => startAbsentSharedServices(runtime, project, request.pull ?? 'missing') }),
  });
  try {
    const toColor = nextColor(observation.traffic.live);
    if (toColor === undefined) {
      const detail = observation.traffic.live.kind === 'mixed' ? observation.traffic.live.detail : '';
      throw new OperationFailedError(`Caddy does not send all services to one color (${detail}); cutover will not guess which color is live`, {
        hint: 'finish or roll back what is in progress (cutover status), or point every service at one color',
      });
    }
    const fromColor = otherColor(toColor);
    const liveVersion = observation.containers.find((c) => c.color === fromColor)?.version ?? observation.state?.active?.version;
    const planned = planDeploy({
      project,
      version,
      live: observation.traffic.live,
      liveVersion,
      toColor,
      containers: knownContainers(observation),
      ...(await observeImagesAndShared(runtime, project, toColor)),
      pull: request.pull,
      stopOld: request.stopOld,
    });
    if (!planned.ok) throw new ConfigInvalidError(planned.problems.map((message) => ({ file: 'deploy plan', path: '', message })));
    if (request.dryRun) return { plan: planned.plan, migration };
    // Pull and resolve before the operation starts: what a tag means now decides whether there is anything to do.
    await pullImages(runtime, planned.plan.pull);
    const images = await resolveServiceImages(runtime, project, toColor);
    const liveColor = observation.traffic.live.kind === 'color' ? observation.traffic.live.color : undefined;
    const described = Object.entries(images).map(([service, image]) => `${service} ${describeIdentity(image)}`).join(', ');
    if (liveColor !== undefined && sameIdentities(imageIdsOf(observation.containers, liveColor), images)) {
      if (request.force !== true) {
        runtime.logger.info({ event: 'deploy.unchanged', color: liveColor, images }, `${liveColor} already runs exactly these images (${described}); nothing changed (--force deploys them again)`);
        return { plan: planned.plan, unchanged: { color: liveColor, images } };
      }
      runtime.logger.info({ event: 'deploy.forced', color: liveColor }, `${liveColor} already runs these images; deploying them again (--force)`);
    }
    runtime.logger.info({ event: 'images.resolved', images }, `images: ${described}`);
    const fromImages = liveColor === undefined ? undefined : await identitiesOfContainers(runtime, observation.containers, project, liveColor, observation.state?.active?.color === liveColor ? observation.state.active.images : undefined);
    warnIfMemoryIsShort(runtime, project, toColor);
    return await applyCutover(runtime, project, observation, { ...planned.plan, pull: [], images, ...(fromImages === undefined ? {} : { fromImages }) }, { verifyUrl: request.verifyUrl, signal: request.signal, canary: request.canary, bake: request.bake, migration });
  } finally {
    await lock?.release();
  }
}
