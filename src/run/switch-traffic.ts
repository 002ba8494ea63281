import type { CaddyAdmin } from '../adapters/caddy/caddy-admin.js';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue, SERVERS_PATH, sameJson, serversOf } from '../domain/caddy-json.js';
import { CaddyConflictError, CaddyUnavailableError, SwitchOutcomeUnknownError } from '../errors.js';
import type { Logger } from '../log.js';
import { putBackAfterFailure } from './put-back-changes.js';
import { applyRound, prepareRound, type PreparedChange } from './switch-round.js';

/** What one planning round over Caddy's current config yields. */
export type SwitchRound<P> = { ok: true; servers: JsonObject; unchanged: boolean; plan: P } | { ok: false; problems: string[] };

/**
 * What one round sends to one Caddy: `apps.http.servers` alone when nothing
 * else changes (the usual switch), else the whole config root, when the same
 * change also puts cutover's traffic log in or takes it out. Either way ONE
 * request, guarded by the ETag of the whole config. `before` is the value at
 * `path` that was read: what an exact undo puts back.
 */
export interface ConfigChange {
  path: string;
  body: JsonObject;
  before: JsonObject;
  /** Nothing to send: Caddy already has it. */
  unchanged: boolean;
}

export interface SwitchOutcome<P> {
  plan: P;
  /** Caddy's config before our change (the whole `apps.http.servers`), for an exact undo. */
  previousServers: JsonObject;
  /** The change sent (or that would have been): its `path` and `before` are what an exact undo PATCHes back. */
  change: ConfigChange;
  /** ETag after our change; an undo guarded by it fails if anyone changed Caddy since. */
  etagAfter: string;
  attempts: number;
  /** True when at least one instance was changed. */
  changed: boolean;
  /** Per Caddy instance, in the order given: what was sent (or found already there). */
  instances: Array<InstanceChange<P>>;
}

/** One Caddy instance's part of a step. */
export interface InstanceChange<P> {
  admin: CaddyAdmin;
  /** The plan over this instance's own config. */
  plan: P;
  change: ConfigChange;
  /** ETag after the change (or of the read, when nothing was sent). */
  etagAfter: string;
  changed: boolean;
}

const MAX_ATTEMPTS = 5;

export interface SwitchTrafficOptions<P> {
  logger: Logger;
  what: string;
  beforeWrite?: (plan: P) => Promise<void>;
  /**
   * A change outside `apps.http.servers` that goes in the SAME request as the
   * switch (cutover's traffic log in or out): given the config root with the
   * planned servers in it, returns the root to send. Never a reload of its own.
   * `admin` is the instance the root goes to (each Caddy writes its own traffic log).
   */
  rewriteRoot?: (root: JsonObject, admin: CaddyAdmin) => JsonObject;
}

/** The config root with `apps.http.servers` replaced by `servers`: a new object. */
function withServers(root: JsonObject, servers: JsonObject): JsonObject {
  const result = cloneJson(root);
  const apps: JsonObject = isJsonObject(result.apps) ? result.apps : {};
  const http: JsonObject = isJsonObject(apps.http) ? apps.http : {};
  http.servers = servers;
  apps.http = http;
  result.apps = apps;
  return result;
}

/**
 * Pure: what to send to one Caddy whose config is `config`, for planned
 * `servers` and an optional root rewrite. The servers alone when the rest of
 * the config stays the same (as every switch did before), else the root.
 */
export function planConfigChange(config: JsonValue, servers: JsonObject, serversUnchanged: boolean, rewriteRoot?: (root: JsonObject) => JsonObject): ConfigChange {
  const previousServers = serversOf(config);
  const serversOnly: ConfigChange = { path: SERVERS_PATH, body: servers, before: previousServers, unchanged: serversUnchanged };
  if (rewriteRoot === undefined || !isJsonObject(config)) return serversOnly;
  const next = rewriteRoot(withServers(config, servers));
  // Compare everything but the servers: when only they differ, the narrower PATCH does it.
  const placeholder = {};
  if (sameJson(withServers(next, placeholder), withServers(config, placeholder))) return serversOnly;
  return { path: ROOT_PATH, body: next, before: config, unchanged: false };
}

const ROOT_PATH = '/config/';

/** The value at a change's path in a config read from `/config/`. */
function valueAt(config: JsonValue, path: string): JsonObject {
  return path === ROOT_PATH ? (isJsonObject(config) ? config : {}) : serversOf(config);
}

/**
 * Sends one planned change to one Caddy, guarded by `etag`. An answer lost on
 * the way is settled by reading Caddy back (`wasApplied`): returns the lost
 * answer's error when Caddy shows the change applied, throws it when not.
 */
export async function sendChange(admin: CaddyAdmin, change: ConfigChange, etag: string): Promise<{ answerLost?: CaddyUnavailableError }> {
  try {
    await admin.changeConfig('PATCH', change.path, change.body, { ifMatch: etag });
    return {};
  } catch (error) {
    if (!(error instanceof CaddyUnavailableError && error.changeMayHaveApplied)) throw error;
    if (!(await wasApplied(admin, change, error))) throw error;
    return { answerLost: error };
  }
}

/**
 * Reads Caddy's config, plans over it and sends the result as ONE PATCH of
 * `apps.http.servers`, guarded by the ETag of the whole config: Caddy applies
 * it as one reload, all services at once, or refuses with 412 when anyone
 * changed anything since our read. On 412 it reads again and plans again, so
 * the other change is kept; it never overwrites a config it has not seen.
 * With `rewriteRoot` (the traffic log in or out) the PATCH is of the config
 * root instead, still one request under the same ETag (planConfigChange).
 *
 * Several Caddy instances are switched as one (docs/multi-instance.md): every
 * instance is read and planned over its OWN config first (prepareRound); only
 * when all of them answered and can be switched is the change sent, one request
 * per instance with its own If-Match (applyRound). An instance that answers 412
 * is read and planned again; the others keep their change. When an instance
 * fails after others changed, those are put back exactly (putBackAfterFailure) and
 * the error says which instance failed and what was put back.
 */
export async function switchTraffic<P>(admins: CaddyAdmin | readonly CaddyAdmin[], planOver: (config: JsonValue) => SwitchRound<P>, options: SwitchTrafficOptions<P>): Promise<SwitchOutcome<P>> {
  const all: readonly CaddyAdmin[] = Array.isArray(admins) ? (admins as readonly CaddyAdmin[]) : [admins as CaddyAdmin];
  const settled = new Map<CaddyAdmin, InstanceChange<P>>();
  for (let attempt = 1; ; attempt += 1) {
    try {
      const pending = all.filter((admin) => !settled.has(admin));
      const prepared = await prepareRound(pending, planOver, options.rewriteRoot);
      for (const p of prepared) if (p.change.unchanged) settled.set(p.admin, { admin: p.admin, plan: p.plan, change: p.change, etagAfter: p.etag, changed: false });
      const toSend = prepared.filter((p) => !p.change.unchanged);
      if (toSend.length > 0) {
        await options.beforeWrite?.((toSend[0] as PreparedChange<P>).plan);
        const conflicts = await applyRound(toSend, settled, options.logger, options.what);
        if (conflicts.length > 0) {
          if (attempt >= MAX_ATTEMPTS) throw conflicts[0];
          options.logger.warn(
            { event: 'switch.conflict', attempt },
            `Caddy's config changed while cutover was planning (412); reading it again and planning over the new config${all.length > 1 ? ` (${conflicts.map((c) => c.address).join(', ')})` : ''}`,
          );
          continue;
        }
      }
    } catch (error) {
      throw await putBackAfterFailure(error, [...settled.values()].filter((c) => c.changed), options.logger);
    }
    return outcomeOf(all, settled, attempt, options);
  }
}

/** The outcome of a step over every instance, logged as a single Caddy's was. */
function outcomeOf<P>(all: readonly CaddyAdmin[], settled: Map<CaddyAdmin, InstanceChange<P>>, attempts: number, options: SwitchTrafficOptions<P>): SwitchOutcome<P> {
  const instances = all.map((admin) => settled.get(admin) as InstanceChange<P>);
  const first = instances[0] as InstanceChange<P>;
  const changed = instances.some((i) => i.changed);
  // One Caddy: the very lines it always printed.
  if (!changed) options.logger.info({ event: 'switch.unchanged', what: options.what }, `${all.length === 1 ? 'Caddy' : `every Caddy instance (${all.length})`} already ${options.what}; nothing to change`);
  else options.logger.info({ event: 'switch.acknowledged', what: options.what, attempts }, `${all.length === 1 ? 'Caddy' : `all ${all.length} Caddy instances`} acknowledged: ${options.what}`);
  return { plan: first.plan, previousServers: first.change.path === ROOT_PATH ? serversOf(first.change.before) : first.change.before, change: first.change, etagAfter: first.etagAfter, attempts, changed, instances };
}

/**
 * After a change whose answer was lost (reset connection, timeout): reads
 * Caddy again to tell whether it was applied. True when Caddy's servers are the
 * ones sent, false when they are still the ones before; when Caddy cannot be
 * read, or shows something else, nobody can tell: SwitchOutcomeUnknownError.
 */
async function wasApplied(admin: CaddyAdmin, change: ConfigChange, lost: CaddyUnavailableError): Promise<boolean> {
  const { body: sent, before } = change;
  let now: JsonObject;
  try {
    now = valueAt((await admin.readConfig('/config/')).value as JsonValue, change.path);
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
 * Puts back exactly what a switch changed (`apps.http.servers`, or the whole
 * root when the switch also changed the traffic log), on every instance it
 * changed, each guarded by the ETag read right after that switch: if someone
 * changed an instance since, this refuses (412) instead of undoing their
 * change too (the caller then plans the way back over Caddy as it is).
 */
export async function restoreServers(outcome: SwitchOutcome<unknown>): Promise<void> {
  const results = await Promise.allSettled(outcome.instances.filter((i) => i.changed).map((i) => i.admin.changeConfig('PATCH', i.change.path, i.change.before, { ifMatch: i.etagAfter })));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const conflict = failures.find((f) => f instanceof CaddyConflictError);
  if (conflict !== undefined) throw conflict;
  if (failures.length > 0) throw failures[0];
}
