/**
 * Fault injection on real Docker and Caddy: a deploy, rollback or cleanup is
 * killed with SIGKILL at each phase (the moment is taken from its JSON log
 * events, never from a sleep), then the next command runs. Whatever the phase,
 * the invariant must hold afterwards:
 * - one live color, answering every request with the recorded active version;
 * - the state file consistent: no open operation, active = what Caddy does,
 *   the standby recorded only when its containers serve that version;
 * - no orphans: no parked container, no container of an unrecorded version;
 * - the history says what happened (the settled operation, with `recovered`);
 * - the lock released.
 * The cases are split over three files (crash-recovery-*.test.ts) so that the
 * test runner's workers share them; the cases and their project are in
 * test/rig/crash-deploy-kills.ts.
 *
 * This file: a second Ctrl-C during the undo, a killed rollback, a killed cleanup.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crashProject, versionsFor } from '../rig/crash-deploy-kills.js';
import { spawnCli } from '../rig/run-cli.js';
import { waitUntil } from '../rig/wait-until.js';

describe('an interrupted undo, rollback or cleanup is settled by the next command', { concurrency: false }, () => {
  const crash = crashProject('crash-undo', versionsFor([], 1));
  const { h } = crash;
  test('a second Ctrl-C during the undo exits at once, says what is left, and the next command settles it', async () => {
    const before = await h.state();
    const version = crash.nextVersion();
    const run = spawnCli(['-C', crash.project().dir, '--caddy-admin', crash.project().caddy.adminAddress, '--log-format', 'json', 'deploy', version], { env: { START_DELAY_MS: '5000' } });
    await waitUntil('the deploy to wait for health', 60_000, () => {
      if (run.child.exitCode !== null) throw new Error(`the deploy ended early:\n${run.stderr()}`);
      return run.stderr().includes('"phase":"waiting-healthy"') ? true : undefined;
    });
    run.child.kill('SIGINT');
    await waitUntil('the first interrupt to be taken', 10_000, () => (run.stderr().includes('"event":"interrupt"') ? true : undefined));
    run.child.kill('SIGINT');
    await run.done;
    const again = run.stderr().split('\n').find((line) => line.includes('"event":"interrupt.again"'));
    // The undo brings the parked standby back and waits until it is healthy: the second signal lands before that ends.
    assert.ok(again !== undefined, run.stderr());
    assert.match(again, new RegExp(`before undoing the deploy to ${version} in phase [a-z-]+; .*next cutover command \\(or cutover reconcile\\) finishes or undoes it`));
    assert.notEqual((await h.state()).operation, null, 'the journal still holds the deploy');
    const settle = await h.cli(['reconcile']);
    assert.equal(settle.code, 0, settle.stderr);
    const settled = await h.assertSettled('a second Ctrl-C');
    assert.deepEqual([settled.active?.version, settled.standby?.version], [before.active?.version, before.standby?.version]);
  });

  test('a rollback killed right after the switch is finished by the next command', async () => {
    const before = await h.state();
    await h.killAt(['rollback'], /"event":"switch.acknowledged"/);
    const run = await h.cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    const settled = await h.assertSettled('rollback killed after the switch');
    assert.deepEqual(settled.active?.version, before.standby?.version);
    assert.deepEqual(settled.standby && { color: settled.standby.color, version: settled.standby.version }, before.active && { color: before.active.color, version: before.active.version });
  });

  test('a cleanup killed while removing is done again by the next command', async () => {
    await h.killAt(['cleanup'], /"event":"cleanup.start"/);
    assert.notEqual((await h.state()).operation, null, 'the kill left the cleanup open in the journal');
    const again = await h.cli(['reconcile']);
    assert.equal(again.code, 0, again.stderr);
    const settled = await h.assertSettled('cleanup killed');
    assert.equal(settled.standby, null);
    assert.deepEqual((await h.containers()).map((c) => c.color).filter((c) => c !== settled.active?.color), []);
  });
});

