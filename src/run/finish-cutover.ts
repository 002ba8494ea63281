import type { ProjectConfig } from '../config/model.js';
import type { HistoryEntry } from '../state/state-schema.js';
import { enterPhase, finishOperation, recordTargets } from '../state/state-transitions.js';
import { drainOldColor } from './drain-old-color.js';
import { removeParked } from './park-standby.js';
import { caddyInstances, type Runtime } from './runtime.js';
import { withCaddyAdmins } from './with-caddy-admins.js';
import { stopAndRemove } from './start-color.js';
import type { StateKeeper } from './state-keeper.js';

export interface FinishOptions {
  signal: AbortSignal;
  /** Set when another command finishes the operation after its own process died. */
  recovered?: HistoryEntry['recovered'];
  reason?: string;
}

export interface FinishResult {
  drained: boolean;
  drainMs: number;
}

/**
 * The one way an operation that moved all traffic to its new color ends, in
 * its own process (deploy, rollback, a canary's last step, promote) and in the
 * next command after a kill: drain the old color by Caddy's in-flight counts,
 * remove the parked containers, keep the old color as warm standby or stop it
 * (--stop-old, only once drained), then record the result and the dials Caddy
 * now uses. Each part is idempotent and the journal's phase is written before
 * it, so a kill anywhere in here is finished again by the next command.
 */
export async function finishCutover(runtime: Runtime, project: ProjectConfig, journal: StateKeeper, options: FinishOptions): Promise<FinishResult> {
  const { logger } = runtime;
  const operation = journal.state.operation;
  if (operation === null) throw new Error('bug: finishCutover called with no operation in progress');
  const from = operation.fromColor;

  const containers = await runtime.docker.listContainers({ project: project.projectName });
  const { drained, drainMs, dials } = await drainOldColor(runtime, project, journal, { from, containers, signal: options.signal });

  await journal.update((s) => enterPhase(s, 'finishing', runtime.now()));
  await removeParked(runtime, operation);
  const colored = new Set(project.colored.map((s) => s.name));
  const old = from === null ? [] : containers.filter((c) => c.color === from && colored.has(c.service));
  const stopOld = operation.stopOld && old.length > 0;
  if (stopOld && drained) {
    await stopAndRemove(runtime, project, old);
    logger.info({ event: 'old.stopped', containers: old.map((c) => c.name) }, `stopped ${from}: ${old.map((c) => c.name).join(', ')}`);
  } else if (stopOld) {
    logger.warn({ event: 'old.kept' }, `kept ${from} running because requests were still in flight; run cutover cleanup later`);
  } else if (from !== null && old.length > 0) {
    logger.info({ event: 'standby.kept', color: from }, `${from} stays running as warm standby (cutover rollback switches back at once)`);
  }

  await journal.update((s) => {
    let next = finishOperation(s, { outcome: 'succeeded', ...(options.reason === undefined ? {} : { reason: options.reason }), ...(options.recovered === undefined ? {} : { recovered: options.recovered }) }, runtime.now());
    if ((stopOld && drained) || old.length === 0) next = { ...next, standby: null };
    for (const service of dials) next = recordTargets(next, service.service, { caddyAdmin: runtime.admin.address.text, ...service.byColor });
    return withCaddyAdmins(next, caddyInstances(runtime).map((admin) => admin.address.text));
  });
  return { drained, drainMs };
}
