/**
 * Fault injection on real Docker and Caddy 2.6.2 for weighted canaries, part
 * one: the canary's own process killed with SIGKILL in a step right after its
 * weights were applied, during a step's analysis, while paused between steps,
 * and right after its final switch (the moment read from its JSON log, never
 * a sleep), then the next command runs. Afterwards, whatever the phase: one
 * live color answering every request with the recorded version, no operation
 * open, no parked container, no container of an unrecorded version, the lock
 * released, `status` clean, and the killed canary in the history saying
 * whether it was finished or undone (docs/crash-safety.md). Part two,
 * crash-canary-control.test.ts: promote and abort killed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canaryCrashFixture, cv, LENIENT } from '../rig/canary-crash-fixture.js';
import { killAtMarker, killCli, startCli, untilLogged } from '../rig/cli-until.js';

const f = canaryCrashFixture('crash-canary', 6);

describe('a canary killed at each of its phases is settled by the next command', { concurrency: false }, () => {
  test('killed in step 1 right after its weights were applied; then reconcile undoes it', async () => {
    const before = await f.h.state();
    const version = f.take();
    await killAtMarker(f.project(), ['deploy', version, '--canary', '20,50', '--step-interval', '30s', ...LENIENT], /"event":"canary\.step"/);
    assert.equal((await f.h.state()).operation !== null, true, 'the kill left the canary open');
    const run = await f.h.cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`an interrupted canary to ${version} .*phase canary-step.*undoing it first: .*Caddy splits traffic`));
    f.assertUndone(await f.settled(version, 'step 1', { outcome: 'interrupted', direction: 'undone', by: 'reconcile' }), before, 'step 1');
  });

  test('killed during the analysis of step 2; then a deploy undoes it and runs', async () => {
    const before = await f.h.state();
    const version = f.take();
    await killAtMarker(f.project(), ['deploy', version, '--canary', '10,40', '--step-interval', '3s', ...LENIENT], /"step":2[\s\S]*"event":"canary\.analysis\.figures"/, { CUTOVER_LOG_LEVEL: 'debug' });
    const killed = await f.h.state();
    assert.deepEqual([killed.operation !== null, (killed.operation as { canary?: { stepIndex: number } }).canary?.stepIndex], [true, 1], 'killed in step 2');
    const after = f.take();
    const run = await f.h.cli(['deploy', after]);
    assert.equal(run.code, 0, run.stderr);
    const recorded = await f.settled(version, 'analysis of step 2', { outcome: 'interrupted', direction: 'undone' });
    assert.equal(recorded.active?.version, after, 'then the deploy ran');
    assert.equal(recorded.standby?.version, before.active?.version, 'the old color is the standby of the new deploy');
  });

  test('killed in step 1 (its process gone); then promote finishes it on the new color', async () => {
    const before = await f.h.state();
    const version = f.take();
    await f.deadCanary(version);
    const run = await f.h.cli(['promote']);
    assert.equal(run.code, 0, run.stderr);
    const recorded = await f.settled(version, 'dead canary, then promote', { outcome: 'succeeded', direction: 'finished', by: 'promote' });
    assert.equal(recorded.active?.version, version);
    assert.deepEqual(cv(recorded.standby), cv(before.active), 'the old color is the standby');
  });

  test('the canary killed right after its final switch, promoted by cutover promote; then reconcile finishes it', async () => {
    const before = await f.h.state();
    const version = f.take();
    const canary = startCli(f.project(), ['deploy', version, '--canary', '20,pause', '--step-interval', '3s', ...LENIENT]);
    try {
      await untilLogged(canary, /"event":"canary\.paused"/);
      const promote = await f.h.cli(['promote']);
      assert.equal(promote.code, 0, promote.stderr);
      await untilLogged(canary, /"event":"canary\.promoted"[\s\S]*"event":"switch\.acknowledged"/);
    } finally {
      await killCli(canary);
    }
    const run = await f.h.cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    const recorded = await f.settled(version, 'final switch', { outcome: 'succeeded', direction: 'finished', by: 'reconcile' });
    assert.equal(recorded.active?.version, version);
    assert.deepEqual(cv(recorded.standby), cv(before.active));
  });
});
