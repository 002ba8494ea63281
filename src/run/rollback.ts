import { loadProject } from '../config/load-project.js';
import { otherColor } from '../config/model.js';
import type { PullPolicy } from '../domain/plan-deploy.js';
import { planRollback } from '../domain/plan-rollback.js';
import { ConfigInvalidError, OperationFailedError } from '../errors.js';
import type { State } from '../state/state-schema.js';
import { applyCutover } from './apply-cutover.js';
import { checkVerifyUrl, knownContainers, observeImagesAndShared, withFailFast, type DeployResult } from './deploy.js';
import { loadProjectForInspection } from './load-project-for-inspection.js';
import { preflight } from './preflight.js';
import type { Runtime } from './runtime.js';

export interface RollbackRequest {
  pull: PullPolicy;
  dryRun: boolean;
  verifyUrl: string | undefined;
  signal: AbortSignal;
  /** The first "unhealthy" ends the health wait (--fail-fast); otherwise HEALTH_FAIL_FAST decides. */
  failFast?: boolean | undefined;
}

/** The version that was live before the active one: the recorded standby, else the history. */
function previousVersionOf(state: State | null): string | undefined {
  if (state === null || state.active === null) return undefined;
  if (state.standby !== null && state.standby.color !== state.active.color) return state.standby.version;
  // The successful operation that made the active color live came from the previous version.
  const made = [...state.history]
    .reverse()
    .find((h) => h.kind !== 'cleanup' && h.kind !== 'reset' && h.outcome === 'succeeded' && h.color === state.active?.color && h.version === state.active.version);
  return made?.fromVersion ?? undefined;
}

/**
 * `cutover rollback`: points traffic back at the other color. When it still
 * runs the previous version, healthy, the switch is immediate (one Caddy
 * change); otherwise the previous version is started there first.
 */
export async function rollback(runtime: Runtime, request: RollbackRequest): Promise<DeployResult> {
  checkVerifyUrl(request.verifyUrl);
  // First settle what a killed operation left (it decides which version is live), then read the previous one.
  const { lock, observation } = await preflight(runtime, await loadProjectForInspection(runtime), { command: 'rollback', dryRun: request.dryRun, signal: request.signal });
  try {
    const previous = previousVersionOf(observation.state);
    if (previous === undefined) {
      throw new OperationFailedError('no previous version is known: the state file records no earlier successful deploy', {
        hint: 'deploy the version you want explicitly: cutover deploy <version>',
      });
    }
    // The images of the previous version are needed to load the compose files (${VERSION}).
    const project = withFailFast(await loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: previous } }), request.failFast);
    const live = observation.traffic.live;
    const liveColor = live.kind === 'color' ? live.color : undefined;
    const presence = await observeImagesAndShared(runtime, project, liveColor === undefined ? 'blue' : otherColor(liveColor));
    const planned = planRollback({
      project,
      live,
      previousVersion: previous,
      liveVersion: observation.containers.find((c) => c.color === liveColor)?.version ?? observation.state?.active?.version,
      containers: knownContainers(observation),
      ...presence,
      pull: request.pull,
    });
    if (!planned.ok) throw new ConfigInvalidError(planned.problems.map((message) => ({ file: 'rollback plan', path: '', message })));
    if (request.dryRun) return { plan: planned.plan };
    return await applyCutover(runtime, project, observation, planned.plan, { verifyUrl: request.verifyUrl, signal: request.signal });
  } finally {
    await lock?.release();
  }
}
