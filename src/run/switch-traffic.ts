import type { CaddyAdmin } from '../adapters/caddy/caddy-admin.js';
import { type JsonObject, type JsonValue, SERVERS_PATH, sameJson, serversOf } from '../domain/caddy-json.js';
import { CaddyConflictError, CaddyUnavailableError, ConfigInvalidError, SwitchOutcomeUnknownError } from '../errors.js';
import type { Logger } from '../log.js';

/** What one planning round over Caddy's current config yields. */
export type SwitchRound<P> = { ok: true; servers: JsonObject; unchanged: boolean; plan: P } | { ok: false; problems: string[] };

export interface SwitchOutcome<P> {
  plan: P;
  /** Caddy's config before our change (the whole `apps.http.servers`), for an exact undo. */
  previousServers: JsonObject;
  /** ETag after our change; an undo guarded by it fails if anyone changed Caddy since. */
  etagAfter: string;
  attempts: number;
  changed: boolean;
}

// Re-exported for the modules that import them from here (canary-step.ts); new code imports domain/caddy-json.ts.
const MAX_ATTEMPTS = 5;

/**
 * Reads Caddy's config, plans over it and sends the result as ONE PATCH of
 * `apps.http.servers`, guarded by the ETag of the whole config: Caddy applies
 * it as one reload, all services at once, or refuses with 412 when anyone
 * changed anything since our read. On 412 it reads again and plans again, so
 * the other change is kept; it never overwrites a config it has not seen.
 */
export async function switchTraffic<P>(
  admin: CaddyAdmin,
  planOver: (config: JsonValue) => SwitchRound<P>,
  options: { logger: Logger; what: string; beforeWrite?: (plan: P) => Promise<void> },
): Promise<SwitchOutcome<P>> {
  for (let attempt = 1; ; attempt += 1) {
    const read = await admin.readConfig('/config/');
    const round = planOver(read.value as JsonValue);
    if (!round.ok) {
      throw new ConfigInvalidError(
        round.problems.map((message) => ({ file: `Caddy config (${admin.address.text})`, path: '', message })),
        { hint: "Caddy's config changed in a way cutover cannot switch; nothing was changed. cutover status shows what Caddy does now." },
      );
    }
    const previousServers = serversOf(read.value);
    if (round.unchanged) {
      options.logger.info({ event: 'switch.unchanged', what: options.what }, `Caddy already ${options.what}; nothing to change`);
      return { plan: round.plan, previousServers, etagAfter: read.etag, attempts: attempt, changed: false };
    }
    try {
      await options.beforeWrite?.(round.plan);
      await admin.changeConfig('PATCH', SERVERS_PATH, round.servers, { ifMatch: read.etag });
    } catch (error) {
      if (error instanceof CaddyUnavailableError && error.changeMayHaveApplied) {
        const applied = await wasApplied(admin, round.servers, previousServers, error);
        if (!applied) throw error;
        options.logger.warn({ event: 'switch.answer-lost', what: options.what }, `Caddy's answer to the switch was lost (${error.message}), but its config shows the switch applied`);
        const after = await admin.readConfig('/config/');
        options.logger.info({ event: 'switch.acknowledged', what: options.what, attempts: attempt }, `Caddy acknowledged: ${options.what}`);
        return { plan: round.plan, previousServers, etagAfter: after.etag, attempts: attempt, changed: true };
      }
      if (!(error instanceof CaddyConflictError) || attempt >= MAX_ATTEMPTS) throw error;
      options.logger.warn(
        { event: 'switch.conflict', attempt },
        "Caddy's config changed while cutover was planning (412); reading it again and planning over the new config",
      );
      continue;
    }
    const after = await admin.readConfig('/config/');
    options.logger.info({ event: 'switch.acknowledged', what: options.what, attempts: attempt }, `Caddy acknowledged: ${options.what}`);
    return { plan: round.plan, previousServers, etagAfter: after.etag, attempts: attempt, changed: true };
  }
}

/**
 * After a change whose answer was lost (reset connection, timeout): reads
 * Caddy again to tell whether it was applied. True when Caddy's servers are the
 * ones sent, false when they are still the ones before; when Caddy cannot be
 * read, or shows something else, nobody can tell: SwitchOutcomeUnknownError.
 */
async function wasApplied(admin: CaddyAdmin, sent: JsonObject, before: JsonObject, lost: CaddyUnavailableError): Promise<boolean> {
  let now: JsonObject;
  try {
    now = serversOf((await admin.readConfig('/config/')).value);
  } catch (error) {
    throw new SwitchOutcomeUnknownError(`${lost.message}; Caddy could not be read again to tell whether the switch was applied (${error instanceof Error ? error.message : String(error)})`, {
      cause: lost,
      hint: 'nothing was undone: the state file keeps the operation. Once Caddy answers, cutover reconcile (or any cutover command) finishes it or undoes it, going by where Caddy sends traffic',
    });
  }
  if (sameJson(now, sent)) return true;
  if (sameJson(now, before)) return false;
  throw new SwitchOutcomeUnknownError(`${lost.message}; Caddy's config is now neither the one before the switch nor the one sent (someone else changed it too)`, {
    cause: lost,
    hint: 'nothing was undone: the state file keeps the operation. cutover status shows where traffic goes; cutover reconcile settles it',
  });
}

/**
 * Puts `apps.http.servers` back exactly as it was before a switch, guarded by
 * the ETag read right after that switch: if someone changed Caddy since, this
 * refuses (412) instead of undoing their change too.
 */
export async function restoreServers(admin: CaddyAdmin, outcome: SwitchOutcome<unknown>): Promise<void> {
  if (!outcome.changed) return;
  await admin.changeConfig('PATCH', SERVERS_PATH, outcome.previousServers, { ifMatch: outcome.etagAfter });
}
