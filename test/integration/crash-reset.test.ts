/**
 * `cutover reset` killed (SIGKILL) before its switch on real Docker and Caddy
 * 2.6.2, the moment read from its JSON log (or held there by the test seam
 * CUTOVER_TEST_HANG_AFTER_PHASE), then the next command runs: killed while
 * starting the plain services, or right before its switch, it is undone (the
 * plain containers it started removed, the colors as they were).
 * crash-reset-finish.test.ts has the kills after the switch; reset.test.ts
 * the kills in waiting-healthy and draining.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { killAtMarker } from '../rig/cli-until.js';
import { assertLastReset } from '../rig/assert-last-reset.js';
import { faultProjectFixture } from '../rig/fault-project-fixture.js';

const { h, project } = faultProjectFixture('crash-reset', { versions: ['v1', 'v2', 'v3'], project: { plainPorts: true, drainTimeout: '10' } });

describe('a reset killed at each phase is settled by the next command', { concurrency: false }, () => {
  const hang = (phase: string): [RegExp, Record<string, string>] => [new RegExp(`hanging after the journal recorded phase ${phase}`), { CUTOVER_TEST_HANG_AFTER_PHASE: phase }];

  test('killed while starting the plain services; then reconcile removes them, the colors as they were', async () => {
    const before = await h.state();
    await killAtMarker(project(), ['reset', '--yes'], /"event":"container\.started"/);
    // The kill follows the first started container; on a loaded host the reset may have started the
    // other one and entered waiting-healthy by then: either way it is before the switch.
    const killedIn = ((await h.state()).operation as { phase: string } | null)?.phase;
    assert.ok(killedIn === 'starting' || killedIn === 'waiting-healthy', `the kill left the reset open in the journal before its switch: ${killedIn}`);
    const run = await h.cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /an interrupted reset to v2 .*undoing it first/);
    const settled = await h.assertSettled('reset killed while starting');
    assert.deepEqual([settled.active, settled.standby], [before.active, before.standby]);
    await assertLastReset(h.state, 'starting', ['interrupted', 'undone', killedIn]);
  });

  test('killed right before its switch is sent; then rollback undoes it and rolls back', async () => {
    const before = await h.state();
    await killAtMarker(project(), ['reset', '--yes'], ...hang('switching'));
    assert.equal(((await h.state()).operation as { phase: string } | null)?.phase, 'switching');
    const run = await h.cli(['rollback']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /an interrupted reset to v2 .*undoing it first/);
    const settled = await h.assertSettled('reset killed before its switch');
    const pair = (s: { active: { color: string; version: string } | null; standby: { color: string; version: string } | null }) => [s.active && { color: s.active.color, version: s.active.version }, s.standby && { color: s.standby.color, version: s.standby.version }];
    assert.deepEqual(pair(settled), pair(before).reverse(), 'undone, then rolled back');
    const entry = [...settled.history].reverse().find((e) => e.kind === 'reset');
    assert.deepEqual([entry?.outcome, entry?.recovered?.direction, entry?.recovered?.phase, entry?.recovered?.by], ['interrupted', 'undone', 'switching', 'rollback']);
  });
});
