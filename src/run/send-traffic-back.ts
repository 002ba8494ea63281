import type { ProjectConfig } from '../config/model.js';
import type { JsonObject } from '../domain/caddy-json.js';
import type { SwitchPlan } from '../domain/plan-switch.js';
import { CaddyConflictError } from '../errors.js';
import type { Operation } from '../state/state-schema.js';
import type { Runtime } from './runtime.js';
import { switchAll, switchAllToPlain } from './switch-all.js';
import { restoreServers, type SwitchOutcome } from './switch-traffic.js';
import { writeUpstreamSnippets } from './write-upstream-snippets.js';

/** Each service's load balancing as it was before a canary changed it (null: none), from the journal. */
export function originalLoadBalancing(operation: Operation): Record<string, JsonObject | null> {
  const recorded = operation.canary?.originalLoadBalancing ?? {};
  return Object.fromEntries(Object.entries(recorded).map(([service, lb]) => [service, lb === null ? null : (lb as JsonObject)]));
}

/**
 * The undo of every traffic move of an operation (canary steps, the switch):
 * all services back on the operation's old color, with the user's load
 * balancing, in one change. The process that made the switch passes it
 * (`exact`), and gets Caddy back exactly as it was, guarded by the ETag read
 * after its change; when someone changed Caddy since (412), or in crash
 * recovery where only the journal is left, the change is planned again over
 * Caddy's config as it is now. Sending it when Caddy is already there changes nothing.
 */
export async function sendTrafficBack(runtime: Runtime, project: ProjectConfig, operation: Operation, exact?: SwitchOutcome<SwitchPlan>): Promise<void> {
  if (exact !== undefined) {
    try {
      // The snippets first, as before every switch: a Caddy restart must come back on the old color too.
      const from = operation.fromColor;
      await writeUpstreamSnippets(
        runtime,
        exact.plan.byPort.map((s) => ({ service: s.service, port: s.port, dials: from === null ? [`${s.service}:${s.port}`] : s.byColor[from] })),
        from ?? 'the plain Compose names',
      );
      await restoreServers(exact);
      runtime.logger.info({ event: 'switch.undone' }, '  Caddy is back on the previous upstreams');
      return;
    } catch (error) {
      if (!(error instanceof CaddyConflictError)) throw error;
      runtime.logger.warn({ event: 'switch.conflict' }, "  Caddy's config changed since the switch; planning the way back over it");
    }
  }
  if (operation.fromColor === null) await switchAllToPlain(runtime, project, 'uses the plain Compose names again');
  else await switchAll(runtime, project, operation.fromColor, `sends everything back to ${operation.fromColor}`, { restoreLoadBalancing: originalLoadBalancing(operation) });
  runtime.logger.info({ event: 'switch.undone', color: operation.fromColor }, `  all traffic is back on ${operation.fromColor ?? 'the plain Compose names'}`);
}
