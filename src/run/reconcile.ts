import { hasPreviewRoutes } from '../domain/rewrite-caddy-config.js';
import { trafficDrifts } from '../domain/status-drift.js';
import type { Active } from '../state/state-schema.js';
import { loadProjectForInspection } from './load-project-for-inspection.js';
import { preflight } from './preflight.js';
import { reconcileTraffic } from './reconcile-traffic.js';
import type { Runtime } from './runtime.js';

export interface ReconcileResult {
  /** What is recorded as live after reconciling; null: nothing was ever deployed (or after reset). */
  active: Active | null;
  /** Caddy already did what the state file records (after settling an interrupted operation, if any). */
  inSync: boolean;
  dryRun: boolean;
}

/**
 * `cutover reconcile`: makes Caddy do what the state file records, in one
 * If-Match change. First an interrupted operation is settled (finished or
 * undone, as every command does); then, when Caddy sends traffic elsewhere
 * (restarted from its Caddyfile, reloaded, or changed through the admin API)
 * or lost cutover's preview routes, the recorded active color is put back.
 */
export async function reconcile(runtime: Runtime, options: { dryRun: boolean; signal: AbortSignal }): Promise<ReconcileResult> {
  const project = await loadProjectForInspection(runtime);
  const { lock, observation } = await preflight(runtime, project, { command: 'reconcile', dryRun: options.dryRun, signal: options.signal, reconcile: 'any' });
  try {
    const active = observation.state?.active ?? null;
    if (active === null) return { active, inSync: true, dryRun: options.dryRun };
    // Traffic is on the recorded color now; the preview routes (drain visibility, Cutover-Color) may still be missing.
    // On every Caddy instance: one restarted from its Caddyfile lost them alone, and is the only one changed.
    const previews = observation.caddyInstances.every((each) => hasPreviewRoutes(each.config));
    // A dry run changed nothing: what preflight would have put right is still there to see.
    const pending = observation.state?.operation != null || trafficDrifts(active, observation.traffic.live, false);
    if (options.dryRun && pending) return { active, inSync: false, dryRun: true };
    if (previews) return { active, inSync: true, dryRun: options.dryRun };
    if (options.dryRun) {
      runtime.logger.info({ event: 'reconcile.pending', color: active.color }, `would put cutover's preview routes back (Caddy reloaded its own config); traffic stays on ${active.color}`);
      return { active, inSync: false, dryRun: true };
    }
    await reconcileTraffic(runtime, project, observation, active);
    return { active, inSync: false, dryRun: false };
  } finally {
    await lock?.release();
  }
}
