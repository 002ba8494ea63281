import { loadProject } from '../config/load-project.js';
import { otherColor } from '../config/model.js';
import type { ServiceImages } from '../domain/image-identity.js';
import { pinImages } from '../domain/pin-images.js';
import type { PullPolicy } from '../domain/plan-deploy.js';
import { planRollback } from '../domain/plan-rollback.js';
import { ConfigInvalidError, DockerOperationError, OperationFailedError } from '../errors.js';
import type { State } from '../state/state-schema.js';
import { applyCutover } from './apply-cutover.js';
import { checkVerifyUrl, knownContainers, observeImagesAndShared, withFailFast, type DeployResult } from './deploy.js';
import { identitiesOfContainers, resolveServiceImages } from './image-identities.js';
import { loadProjectForInspection } from './load-project-for-inspection.js';
import { preflight } from './preflight.js';
import { pullImages } from './pull-images.js';
import type { Runtime } from './runtime.js';

export interface RollbackRequest {
  pull: PullPolicy | undefined;
  dryRun: boolean;
  verifyUrl: string | undefined;
  signal: AbortSignal;
  /** The first "unhealthy" ends the health wait (--fail-fast); otherwise HEALTH_FAIL_FAST decides. */
  failFast?: boolean | undefined;
}

/** The release that was live before the active one. */
interface PreviousRelease {
  version: string;
  /** Its image identities when recorded (state v2); undefined for releases recorded before. */
  images: ServiceImages | undefined;
}

/** The release that was live before the active one: the recorded standby, else the history. */
function previousReleaseOf(state: State | null): PreviousRelease | undefined {
  if (state === null || state.active === null) return undefined;
  if (state.standby !== null && state.standby.color !== state.active.color) return { version: state.standby.version, images: state.standby.images };
  // The successful operation that made the active color live came from the previous release.
  const made = [...state.history]
    .reverse()
    .find((h) => h.kind !== 'cleanup' && h.kind !== 'reset' && h.outcome === 'succeeded' && h.color === state.active?.color && h.version === state.active.version);
  return made?.fromVersion === null || made?.fromVersion === undefined ? undefined : { version: made.fromVersion, images: made.fromImages };
}

/**
 * `cutover rollback`: points traffic back at the other color. When it still
 * runs the previous release, healthy, the switch is immediate (one Caddy
 * change); otherwise the previous release is started there first, from the
 * image identities recorded for it (`repo@sha256:...` or the local image ID),
 * never from its tag resolved again. When such an image is gone and cannot be
 * pulled by digest, the rollback refuses before anything is touched.
 */
export async function rollback(runtime: Runtime, request: RollbackRequest): Promise<DeployResult> {
  checkVerifyUrl(request.verifyUrl);
  // First settle what a killed operation left (it decides which release is live), then read the previous one.
  const { lock, observation } = await preflight(runtime, await loadProjectForInspection(runtime), { command: 'rollback', dryRun: request.dryRun, signal: request.signal });
  try {
    const state = observation.state;
    const previous = previousReleaseOf(state);
    if (previous === undefined) {
      throw new OperationFailedError('no previous version is known: the state file records no earlier successful deploy', {
        hint: 'deploy the version you want explicitly: cutover deploy <version>',
      });
    }
    // The compose files need ${VERSION} to load; the recorded identities then decide the images.
    const loaded = withFailFast(await loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: previous.version } }), request.failFast);
    const live = observation.traffic.live;
    const liveColor = live.kind === 'color' ? live.color : undefined;
    const toColor = liveColor === undefined ? 'blue' : otherColor(liveColor);
    const project = previous.images === undefined ? loaded : pinImages(loaded, toColor, previous.images);
    const presence = await observeImagesAndShared(runtime, project, toColor);
    const planned = planRollback({
      project,
      live,
      previousVersion: previous.version,
      liveVersion: observation.containers.find((c) => c.color === liveColor)?.version ?? observation.state?.active?.version,
      containers: knownContainers(observation),
      ...presence,
      pull: request.pull,
      previousImages: previous.images,
    });
    if (!planned.ok) throw new ConfigInvalidError(planned.problems.map((message) => ({ file: 'rollback plan', path: '', message })));
    if (request.dryRun) return { plan: planned.plan };
    const plan = planned.plan;

    // Everything the rollback needs is on this engine before the operation starts.
    for (const image of plan.pull) {
      try {
        await pullImages(runtime, [image]);
      } catch (error) {
        if (!(error instanceof DockerOperationError) || previous.images === undefined) throw error;
        throw new OperationFailedError(`the previous release's image ${image} is no longer on this Docker engine and cannot be pulled by digest: ${error.message}`, {
          hint: 'make its registry reachable (or push that image to it again), or deploy a version explicitly: cutover deploy <version>',
          cause: error,
        });
      }
    }
    const standby = observation.containers;
    const images =
      previous.images ??
      (plan.start.length > 0 ? await resolveServiceImages(runtime, project, toColor) : await identitiesOfContainers(runtime, standby, project, toColor, undefined));
    const fromImages = liveColor === undefined ? undefined : await identitiesOfContainers(runtime, observation.containers, project, liveColor, state?.active?.color === liveColor ? state.active.images : undefined);
    return await applyCutover(runtime, project, observation, { ...plan, pull: [], images, ...(fromImages === undefined ? {} : { fromImages }) }, { verifyUrl: request.verifyUrl, signal: request.signal });
  } finally {
    await lock?.release();
  }
}
