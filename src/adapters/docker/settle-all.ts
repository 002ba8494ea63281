import { DockerOperationError, type CutoverError } from '../../errors.js';

/**
 * Runs one operation per container in parallel and waits for all of them, so
 * one failure does not leave the others unattempted; then reports the
 * failures as one error (the single failure itself when there is only one).
 */
export async function settleAll(ids: readonly string[], what: string, run: (id: string) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(ids.map(run));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as CutoverError] : []));
  const [first] = failures;
  if (first === undefined) return;
  if (failures.length === 1) throw first;
  throw new DockerOperationError(`${what} failed for ${failures.length} containers; first: ${first.message}`, {
    cause: new AggregateError(failures),
    hint: first.hint,
  });
}
