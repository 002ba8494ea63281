import type { CaddyAdmin } from '../adapters/caddy/caddy-admin.js';
import type { JsonObject, JsonValue } from '../domain/caddy-json.js';
import { CaddyConflictError, type ConfigProblem, ConfigInvalidError } from '../errors.js';
import type { Logger } from '../log.js';
import { type ConfigChange, type InstanceChange, planConfigChange, sendChange, type SwitchRound } from './switch-traffic.js';

/** One instance read and planned over its own config, ready to send. */
export interface PreparedChange<P> {
  admin: CaddyAdmin;
  plan: P;
  change: ConfigChange;
  /** The ETag of the read the plan was made over: the change's If-Match. */
  etag: string;
}

/** An instance that answered 412 in a round: read and planned again in the next. */
export interface RoundConflict extends CaddyConflictError {
  address: string;
}

/**
 * The "prepare" half of a step over several Caddy instances: reads every
 * instance's config with its ETag (all at once) and plans over each one's own
 * config (instances may hold other sites). Throws, having sent nothing, when
 * any instance cannot be read or cannot be switched: then none changes.
 */
export async function prepareRound<P>(
  admins: readonly CaddyAdmin[],
  planOver: (config: JsonValue) => SwitchRound<P>,
  rewriteRoot: ((root: JsonObject, admin: CaddyAdmin) => JsonObject) | undefined,
): Promise<Array<PreparedChange<P>>> {
  const reads = await Promise.all(admins.map(async (admin) => ({ admin, read: await admin.readConfig('/config/') })));
  const problems: ConfigProblem[] = [];
  const prepared: Array<PreparedChange<P>> = [];
  for (const { admin, read } of reads) {
    const round = planOver(read.value as JsonValue);
    if (!round.ok) {
      problems.push(...round.problems.map((message) => ({ file: `Caddy config (${admin.address.text})`, path: '', message })));
      continue;
    }
    prepared.push({ admin, plan: round.plan, change: planConfigChange(read.value as JsonValue, round.servers, round.unchanged, rewriteRoot === undefined ? undefined : (root) => rewriteRoot(root, admin)), etag: read.etag });
  }
  if (problems.length > 0) {
    const which = admins.length === 1 ? '' : ` on ${[...new Set(problems.map((p) => p.file))].join(', ')}`;
    throw new ConfigInvalidError(problems, {
      hint: `Caddy's config changed in a way cutover cannot switch${which}; nothing was changed. cutover status shows what Caddy does now.`,
    });
  }
  return prepared;
}

/**
 * The "apply" half: sends each prepared change to its instance with its own
 * If-Match, all at once (one request per instance), then reads each changed
 * instance back for the ETag an exact undo is guarded by. Applied instances go
 * into `settled`; the 412s are returned for another round; any other failure
 * is thrown (after every request of the round has ended, so `settled` holds
 * everything that changed, for the caller to put back).
 */
export async function applyRound<P>(toSend: ReadonlyArray<PreparedChange<P>>, settled: Map<CaddyAdmin, InstanceChange<P>>, logger: Logger, what: string): Promise<RoundConflict[]> {
  const results = await Promise.allSettled(
    toSend.map(async (p) => {
      const sent = await sendChange(p.admin, p.change, p.etag);
      if (sent.answerLost !== undefined) {
        logger.warn({ event: 'switch.answer-lost', what, caddyAdmin: p.admin.address.text }, `Caddy's answer to the switch was lost (${sent.answerLost.message}), but its config shows the switch applied`);
      }
      // Applied: recorded before the read back, so that a failing read still leaves it to be put back.
      settled.set(p.admin, { admin: p.admin, plan: p.plan, change: p.change, etagAfter: '', changed: true });
      const after = await p.admin.readConfig('/config/');
      settled.set(p.admin, { admin: p.admin, plan: p.plan, change: p.change, etagAfter: after.etag, changed: true });
    }),
  );
  const conflicts: RoundConflict[] = [];
  let failure: { error: unknown; address: string } | undefined;
  results.forEach((result, index) => {
    if (result.status === 'fulfilled') return;
    const address = (toSend[index] as PreparedChange<P>).admin.address.text;
    if (result.reason instanceof CaddyConflictError && !settled.has((toSend[index] as PreparedChange<P>).admin)) conflicts.push(Object.assign(result.reason, { address }));
    else failure ??= { error: result.reason, address };
  });
  if (failure !== undefined) throw Object.assign(failure.error as object, { failedInstance: failure.address });
  return conflicts;
}
