import type { SwarmServices } from '../adapters/swarm/swarm-services.js';
import type { ProjectConfig } from '../config/model.js';
import { planSwarmRecovery, type SwarmRecoveryPlan } from '../domain/plan-swarm-recovery.js';
import { DriftError, RollbackFailedError } from '../errors.js';
import { readState } from '../state/state-store.js';
import type { Operation, State } from '../state/state-schema.js';
import { finishOperation } from '../state/state-transitions.js';
import { caddyInstances, type Runtime } from './runtime.js';
import { StateKeeper } from './state-keeper.js';
import { stopSwarmColor } from './stop-swarm-color.js';
import { readInstanceSwarmTraffic, swarmTaskAddresses, switchSwarmColor } from './swarm-switch.js';
import { swarmCanarySwitchExtras } from './swarm-canary.js';

export interface SwarmRecovery {
  operation: Operation;
  plan: SwarmRecoveryPlan;
}

function describe(operation: Operation): string {
  return `${operation.kind} to ${operation.toVersion} (${operation.toColor}, phase ${operation.phase}, pid ${operation.pid} on ${operation.host}, started ${operation.startedAt})`;
}

/**
 * Reads what decides (every Caddy instance's live color, the project's Swarm
 * services with their `cutover.operation` labels) and plans the settling of
 * the open operation (pure, plan-swarm-recovery.ts). undefined: nothing is
 * open. A case it cannot decide throws (DriftError), nothing changed.
 * Changes nothing itself: `--dry-run` shows this.
 */
export async function planOpenSwarmOperation(runtime: Runtime, project: ProjectConfig, swarm: SwarmServices, state: State | null): Promise<SwarmRecovery | undefined> {
  const operation = state?.operation ?? null;
  if (operation === null) return undefined;
  // A canary's steps point handlers at task addresses: recognised by the project's task addresses.
  const taskAddresses = operation.canary === undefined ? undefined : await swarmTaskAddresses(swarm, project);
  const instances = [];
  for (const admin of caddyInstances(runtime)) instances.push({ address: admin.address.text, ...(await readInstanceSwarmTraffic(admin, project, taskAddresses)) });
  const colored = new Set(project.colored.map((s) => s.name));
  const services = (await swarm.listColorServices(project.projectName)).filter((s) => colored.has(s.service));
  const planned = planSwarmRecovery({ operation, instances, services, coloredCount: colored.size });
  // Caddy on neither color (or disagreeing): drift that cutover will not guess about (exit 13, as status).
  if (!planned.ok) throw new DriftError(planned.message, { hint: planned.hint });
  return { operation, plan: planned.plan };
}

/**
 * Settles a Swarm operation whose process died (SIGKILL, crash, reboot)
 * before the command that meets it does its own job. The caller holds the
 * lock: a live process would hold it, so the open operation is a dead one's
 * (a stale lock of a dead pid on this host was taken over; one held on
 * another host is never judged). Caddy decides: finished when it already
 * sends traffic to the operation's color (recorded as live, the old color the
 * standby), undone when it does not (the services that operation created
 * removed); an interrupted cleanup removes the rest. Says so in one log line;
 * the history records it as interrupted and by whom it was settled. Returns
 * what was settled; undefined when nothing was open.
 */
export async function settleSwarmOperation(runtime: Runtime, project: ProjectConfig, swarm: SwarmServices, by: string): Promise<SwarmRecovery | undefined> {
  const state = await readState(runtime.stateDir);
  const recovery = await planOpenSwarmOperation(runtime, project, swarm, state);
  if (state === null || recovery === undefined) return undefined;
  const { operation, plan } = recovery;
  runtime.logger.warn(
    { event: 'recovery.start', operation: operation.id, kind: operation.kind, phase: operation.phase, direction: plan.direction, remove: plan.remove },
    `an interrupted ${describe(operation)} is recorded; ${plan.direction === 'finish' ? 'finishing' : 'undoing'} it first: ${plan.reason.replace(/: (finished|undone|put back on).*$/, '')}${plan.remove.length === 0 ? '' : `; removing ${plan.remove.join(', ')}`}`,
  );
  const journal = new StateKeeper(runtime.stateDir, state);
  try {
    // A canary caught in a weighted step: back to the old color's tasks. name (its load balancing too) before its services go.
    if (plan.revertTo !== undefined && operation.canary !== undefined) {
      await switchSwarmColor(runtime, swarm, project, plan.revertTo, operation.toColor, new AbortController().signal, await swarmCanarySwitchExtras(swarm, project, operation.canary));
    }
    for (const name of plan.remove) await swarm.remove(name);
  } catch (error) {
    throw new RollbackFailedError(`could not settle the interrupted ${describe(operation)}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
      hint: 'the state file still records it; fix what the message names, then run cutover --engine swarm reconcile',
    });
  }
  const recovered = { by, phase: operation.phase, direction: plan.direction === 'finish' ? 'finished' : 'undone' } as const;
  // A cleanup that is finished succeeded; a deploy or rollback settled after its process died is recorded as such.
  const outcome = plan.direction === 'finish' ? 'succeeded' : 'interrupted';
  const standby = state.standby;
  await journal.update((s) => {
    const next = finishOperation(s, { outcome, reason: plan.reason, recovered }, runtime.now());
    return { ...next, engine: 'swarm', swarmServices: plan.swarmServices, ...(plan.keepStandby && standby !== null ? { standby } : {}) };
  });
  // A deploy --stop-old finished for a dead process: its old color is scaled to 0 as that process would have.
  if (plan.direction === 'finish' && operation.kind === 'deploy' && operation.stopOld && operation.fromColor !== null) await stopSwarmColor(runtime, swarm, project, plan.swarmServices[operation.fromColor] ?? []);
  runtime.logger.info({ event: 'recovery.done', operation: operation.id, direction: plan.direction, outcome }, `the interrupted ${operation.kind} is ${plan.direction === 'finish' ? 'finished' : 'undone'}`);
  return recovery;
}
