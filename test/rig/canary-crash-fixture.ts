import assert from 'node:assert/strict';
import { killCli, startCli, untilLogged } from './cli-until.js';
import type { RecordedState } from './crash-harness.js';
import { faultProjectFixture } from './fault-project-fixture.js';

/**
 * Canary flags for fault tests: latency and errors are not what they judge. A
 * busy machine makes a fresh container slow, and a canary aborted by its own
 * analysis would never reach the phase to kill.
 */
export const LENIENT = ['--max-latency-p99', '60s', '--latency-margin', '60s', '--max-error-rate', '50%'];

/** Color and version of a recorded color (its other fields, such as since, move with every change). */
export const cv = (c: { color: string; version: string } | null | undefined) => (c === null || c === undefined ? null : { color: c.color, version: c.version });

/**
 * What the canary fault-test files share, registered as the file's hooks: a
 * host-mode project (Caddy 2.6.2 on the host, web and api) with v1 and v2
 * deployed (a warm standby), `versions` more images, a crash harness, and the
 * checks every case ends with.
 */
export function canaryCrashFixture(tag: string, versions: number) {
  const { h, project: current } = faultProjectFixture(tag, { versions: Array.from({ length: versions + 2 }, (_, i) => `v${i + 1}`), project: { drainTimeout: '10' } });
  let next = 3;

  return {
    h,
    project: current,
    /** The next unused version. */
    take: (): string => `v${next++}`,
    /**
     * A canary of `version` killed in its first step, once Caddy splits traffic (a canary whose process
     * died). Killed before its analysis judges: on a busy machine a fresh container's latency can abort
     * it, and the relative p99 rule cannot be relaxed from the command line.
     */
    async deadCanary(version: string): Promise<void> {
      const canary = startCli(current(), ['deploy', version, '--canary', '20,50', '--step-interval', '60s', ...LENIENT]);
      await untilLogged(canary, /"event":"canary\.step"/);
      await killCli(canary);
    },
    /** The invariant, and the killed canary's history entry as expected. */
    async settled(version: string, context: string, expected: { outcome: string; direction: string; by?: string }): Promise<RecordedState> {
      const recorded = await h.assertSettled(context);
      const entry = recorded.history.find((e) => e.version === version && e.kind === 'canary');
      assert.ok(entry !== undefined, `${context}: the canary to ${version} is in the history\n${JSON.stringify(recorded.history.slice(-3))}`);
      assert.deepEqual([entry.outcome, entry.recovered?.direction], [expected.outcome, expected.direction], `${context}: ${JSON.stringify(entry)}`);
      if (expected.by !== undefined) assert.equal(entry.recovered?.by, expected.by, context);
      return recorded;
    },
    /** After an undo: the old color live and the standby recorded before (the parked one is back). */
    assertUndone(recorded: RecordedState, before: RecordedState, context: string): void {
      assert.deepEqual([cv(recorded.active), cv(recorded.standby)], [cv(before.active), cv(before.standby)], `${context}: the old color live, the previous standby back`);
    },
  };
}
