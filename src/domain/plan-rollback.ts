import type { ProjectConfig } from '../config/model.js';
import type { DeployPlan, KnownContainer, PullPolicy } from './plan-deploy.js';
import { planDeploy, type PlanDeployResult } from './plan-deploy.js';
import type { LiveTraffic } from './read-traffic.js';
import { otherColor } from '../config/model.js';
import { isHealthy } from './is-healthy.js';
import { describeIdentity, pinnedReference, type ServiceImages } from './image-identity.js';

export interface RollbackInput {
  project: ProjectConfig;
  live: LiveTraffic;
  /** The version that was live before the current one (from the state file, else the standby's labels). */
  previousVersion: string;
  liveVersion: string | undefined;
  containers: readonly KnownContainer[];
  sharedPresent: ReadonlySet<string>;
  imagesPresent: ReadonlySet<string>;
  pull: PullPolicy | undefined;
  /**
   * What the previous release ran, per service, when recorded (state v2).
   * Then the standby counts as that release only when its containers run these
   * image IDs, and `project` must already start them pinned (pinImages): a
   * rollback never resolves a tag again.
   */
  previousImages?: ServiceImages | undefined;
}


/**
 * Pure: a rollback goes back to the other color. When that color still runs
 * the previous version, complete and healthy, traffic is switched to it as it
 * is (instant); otherwise the previous version is started there first, like a
 * deploy of it.
 */
export function planRollback(input: RollbackInput): PlanDeployResult {
  if (input.live.kind !== 'color') {
    return { ok: false, problems: [input.live.kind === 'plain' ? 'nothing was deployed with cutover yet: there is nothing to roll back to' : `Caddy does not send all services to one color (${input.live.detail}); point every service at one color first`] };
  }
  const toColor = otherColor(input.live.color);
  const standby = input.containers.filter((c) => c.color === toColor);
  const ready = input.project.colored.every((service) => {
    const mine = standby.filter((c) => c.service === service.name);
    const recorded = input.previousImages?.[service.name];
    const isPrevious = (c: KnownContainer): boolean => (recorded === undefined ? c.version === input.previousVersion : c.imageId === recorded.id);
    return mine.length >= service.byColor[toColor].replicas && mine.every((c) => isHealthy(c) && isPrevious(c));
  });
  if (!ready) {
    // An image known only by its local ID cannot be fetched again: refuse before anything is touched.
    const gone = Object.entries(input.previousImages ?? {}).filter(([, identity]) => identity.digest === null && !input.imagesPresent.has(pinnedReference(identity)));
    if (gone.length > 0) {
      return {
        ok: false,
        problems: gone.map(([service, identity]) => `the image ${service} ran in ${input.previousVersion}, ${describeIdentity(identity)}, is no longer on this Docker engine and has no registry digest to pull it by; nothing was changed`),
      };
    }
  }
  const planned = planDeploy({
    project: input.project,
    version: input.previousVersion,
    live: input.live,
    liveVersion: input.liveVersion,
    toColor,
    containers: input.containers,
    sharedPresent: input.sharedPresent,
    imagesPresent: input.imagesPresent,
    pull: input.pull,
    stopOld: false,
  });
  if (!planned.ok) return planned;
  const plan: DeployPlan = { ...planned.plan, kind: 'rollback', ...(input.previousImages === undefined ? {} : { images: input.previousImages }) };
  if (!ready) return { ok: true, plan };
  return { ok: true, plan: { ...plan, pull: [], startShared: [], replace: [], start: [], reuse: standby } };
}
