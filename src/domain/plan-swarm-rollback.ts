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

export type PlanSwarmRollbackResult =
  | { ok: true; scale: Array<{ name: string; replicas: number }> }
  | { ok: false; message: string; hint: string };

/**
 * Pure: what a Swarm rollback must do to the standby's services before the
 * switch. A service at 0 replicas (scaled down by hand, or a later
 * `--stop-old`) is scaled to the replicas the compose files give it, and
 * waited for until healthy; one that runs is switched to as it is. Refused,
 * changing nothing: a service that is gone, or one that should run (replicas
 * above 0) but has no running task (Swarm cannot start it: its reason is in
 * `docker service ps`).
 */
export function planSwarmRollback(input: { version: string; services: readonly StandbyServiceNow[] }): PlanSwarmRollbackResult {
  const scale: Array<{ name: string; replicas: number }> = [];
  for (const service of input.services) {
    if (!service.exists) return { ok: false, message: `the standby service ${service.name} is gone; nothing was changed`, hint: `deploy ${input.version} again instead` };
    if (service.replicas === 0) scale.push({ name: service.name, replicas: Math.max(1, service.planned) });
    else if (service.running === 0) return { ok: false, message: `the standby service ${service.name} has no running task; nothing was changed`, hint: `docker service ps ${service.name} says why; deploy ${input.version} again instead` };
  }
  return { ok: true, scale };
}
