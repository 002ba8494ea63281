/**
 * Fault injection on real Docker and Caddy 2.6.2 for weighted canaries, part
 * two: `cutover promote` and `cutover abort` killed while they finish a canary
 * whose process died, and a canary killed while it carries out an abort
 * (crash-canary.test.ts has the kills of the canary's own steps). Each case
 * ends with the invariant of docs/crash-safety.md after the next command.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canaryCrashFixture, cv, LENIENT } from '../rig/canary-crash-fixture.js';
import { killAtMarker, killCli, startCli, untilLogged } from '../rig/cli-until.js';

const f = canaryCrashFixture('crash-canary-ctl', 5);

describe('promote and abort killed are settled by the next command', { concurrency: false }, () => {
  test('cutover promote killed while finishing a dead canary (draining); then rollback finishes it and rolls back', async () => {
    const before = await f.h.state();
    const version = f.take();
    await f.deadCanary(version);
    await killAtMarker(f.project(), ['promote'], /hanging after the journal recorded phase draining/, { CUTOVER_TEST_HANG_AFTER_PHASE: 'draining' });
    assert.equal((await f.h.state()).operation !== null, true, 'the kill left the canary open');
    const run = await f.h.cli(['rollback']);
    assert.equal(run.code, 0, run.stderr);
    const recorded = await f.settled(version, 'promote killed', { outcome: 'succeeded', direction: 'finished', by: 'rollback' });
    assert.deepEqual(cv(recorded.active), cv(before.active), 'finished, then rolled back to the old color');
    assert.equal(recorded.standby?.version, version);
  });

  test('the canary killed while carrying out cutover abort (traffic already back); then reconcile undoes the rest', async () => {
    const before = await f.h.state();
    const version = f.take();
    // A long step: the abort is read during its analysis (the analysis may also abort it first on a busy
    // machine; either way the canary sends all traffic back, logs canary.reverted, and is killed there).
    const canary = startCli(f.project(), ['deploy', version, '--canary', '20,50', '--step-interval', '60s', ...LENIENT]);
    let abort: ReturnType<typeof startCli> | undefined;
    try {
      await untilLogged(canary, /"event":"canary\.step"/);
      abort = startCli(f.project(), ['abort']);
      await untilLogged(canary, /"event":"canary\.reverted"/);
    } finally {
      await killCli(canary);
      // The abort only waits for the canary to close its operation: it would wait in vain now.
      if (abort !== undefined) await killCli(abort);
    }
    const run = await f.h.cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`an interrupted canary to ${version} .*undoing it first`));
    f.assertUndone(await f.settled(version, 'abort carried out', { outcome: 'interrupted', direction: 'undone', by: 'reconcile' }), before, 'abort carried out');
  });

  test('cutover abort killed while undoing a dead canary (traffic back, containers left); then a deploy undoes the rest and runs', async () => {
    const before = await f.h.state();
    const version = f.take();
    await f.deadCanary(version);
    await killAtMarker(f.project(), ['abort'], /"event":"switch\.acknowledged"/);
    const after = f.take();
    const run = await f.h.cli(['deploy', after]);
    assert.equal(run.code, 0, run.stderr);
    const recorded = await f.settled(version, 'abort killed', { outcome: 'interrupted', direction: 'undone' });
    assert.equal(recorded.active?.version, after);
    assert.equal(recorded.standby?.version, before.active?.version);
  });
});
