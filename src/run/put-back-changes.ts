import { RollbackFailedError, SwitchOutcomeUnknownError } from '../errors.js';
import type { Logger } from '../log.js';
import type { InstanceChange } from './switch-traffic.js';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The error, its message now saying what happened on the other instances; same class, same exit code. */
function withNote(error: unknown, note: string): unknown {
  if (!(error instanceof Error)) return error;
  const failed = (error as { failedInstance?: unknown }).failedInstance;
  const where = typeof failed === 'string' && !error.message.includes(failed) ? ` (Caddy at ${failed})` : '';
  Object.defineProperty(error, 'message', { value: `${error.message}${where}; ${note}`, configurable: true, writable: true });
  return error;
}

/**
 * A step over several Caddy instances failed after some of them applied it:
 * puts each of those back exactly (the value before, guarded by the ETag
 * read after the change), so that no instance is left alone on the new
 * upstreams. Returns the error to throw: the original one (its class and exit
 * code), saying which instance failed and which were put back; a
 * RollbackFailedError when one could not be put back. When the failure is an
 * answer lost with nobody able to tell whether it applied, nothing is put
 * back on a guess: the journal stays open and the next command decides by
 * what every instance does (as for one Caddy).
 */
export async function putBackAfterFailure(error: unknown, applied: ReadonlyArray<InstanceChange<unknown>>, logger: Logger): Promise<unknown> {
  if (applied.length === 0) return error;
  const names = applied.map((i) => `Caddy at ${i.admin.address.text}`).join(', ');
  if (error instanceof SwitchOutcomeUnknownError) return withNote(error, `${names} applied the change and keep it until then`);
  logger.warn({ event: 'switch.put-back', instances: applied.map((i) => i.admin.address.text), err: messageOf(error) }, `a Caddy instance failed the change (${messageOf(error)}); putting back ${names}`);
  const results = await Promise.allSettled(
    applied.map(async (i) => {
      if (i.etagAfter === '') throw new Error('its config could not be read back after the change, so there is no ETag to guard an exact undo');
      await i.admin.changeConfig('PATCH', i.change.path, i.change.before, { ifMatch: i.etagAfter });
    }),
  );
  const failed = results.flatMap((r, index) => (r.status === 'rejected' ? [`Caddy at ${(applied[index] as InstanceChange<unknown>).admin.address.text}: ${messageOf(r.reason)}`] : []));
  const restored = results.flatMap((r, index) => (r.status === 'fulfilled' ? [`Caddy at ${(applied[index] as InstanceChange<unknown>).admin.address.text}`] : []));
  if (failed.length > 0) {
    logger.error({ event: 'switch.put-back.failed', failed }, `could not put back ${failed.join('; ')}`);
    return new RollbackFailedError(`${messageOf(withNote(error, restored.length > 0 ? `put back: ${restored.join(', ')}` : 'nothing was put back'))}; then putting back failed: ${failed.join('; ')}`, {
      cause: error,
      hint: 'the Caddy instances disagree now: cutover status shows each one; cutover reconcile points them all at the recorded color',
    });
  }
  logger.warn({ event: 'switch.put-back.done', instances: restored }, `put back as they were: ${restored.join(', ')}`);
  return withNote(error, `the other instances were put back as they were (${restored.join(', ')}); no Caddy instance changed`);
}
