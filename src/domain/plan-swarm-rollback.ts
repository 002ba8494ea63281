import type { SwarmColorService } from './plan-swarm-deploy.js';

/** One standby service as the engine shows it now. */
export interface StandbyServiceNow {
  name: string;
  /** False: the service is gone. */
  exists: boolean;
  /** Its spec's replicas (0: scaled down). */
  replicas: number;
  /** Its tasks running and wanted running. */
  running: number;
  /** The replicas the compose files give its colored service: what a scaled-down one is brought back to. */
  planned: number;
}

export interface SwarmRollbackPlan {
  /** Standby services at 0 replicas, scaled up to these. */
  scale: Array<{ name: string; replicas: number }>;
  /** Standby services that are gone, created again from the record (the standby's version, its pinned images). */
  create: SwarmColorService[];
}

export type PlanSwarmRollbackResult = ({ ok: true } & SwarmRollbackPlan) | { ok: false; message: string; hint: string };

/**
 * Pure: what a Swarm rollback must do to the standby's services before the
 * switch. A service at 0 replicas (`deploy --stop-old`, or scaled down by
 * hand) is scaled to the replicas the compose files give it; one that is gone
 * (`cleanup`, or removed by hand) is created again from `recreate`, the
 * standby color's services planned from the state file's record (its version,
 * each image pinned to its recorded identity); both are waited for until
 * healthy. One that runs is switched to as it is. Refused, changing nothing:
 * a gone service with no planned spec (`recreateProblems` says why), or one
 * that should run (replicas above 0) but has no running task (Swarm cannot
 * start it: its reason is in `docker service ps`).
 */
export function planSwarmRollback(input: { version: string; services: readonly StandbyServiceNow[]; recreate?: readonly SwarmColorService[]; recreateProblems?: readonly string[] }): PlanSwarmRollbackResult {
  const scale: SwarmRollbackPlan['scale'] = [];
  const create: SwarmColorService[] = [];
  for (const service of input.services) {
    if (!service.exists) {
      const spec = input.recreate?.find((s) => s.name === service.name);
      if (spec === undefined) {
        const why = (input.recreateProblems ?? []).length > 0 ? `: ${(input.recreateProblems ?? []).join('; ')}` : '';
        return { ok: false, message: `the standby service ${service.name} is gone and cannot be created again${why}; nothing was changed`, hint: `deploy ${input.version} again instead` };
      }
      create.push(spec);
    } else if (service.replicas === 0) scale.push({ name: service.name, replicas: Math.max(1, service.planned) });
    else if (service.running === 0) return { ok: false, message: `the standby service ${service.name} has no running task; nothing was changed`, hint: `docker service ps ${service.name} says why; deploy ${input.version} again instead` };
  }
  return { ok: true, scale, create };
}
