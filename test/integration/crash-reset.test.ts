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
import { after, before, describe, test } from 'node:test';
import { killAtMarker } from '../rig/cli-until.js';
import { crashHarness } from '../rig/crash-harness.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { prepareFaultProject } from '../rig/project-env.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';

const scope = testScope('crash-reset');
const docker = rigDockerClient();

before(async () => {
  await Promise.all(['v1', 'v2', 'v3'].map((v) => buildTestImage(docker, scope, v)));
});
after(async () => {
  assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
});

describe('a reset killed at each phase is settled by the next command', { concurrency: false }, () => {
  let project: HostModeProject;
  const h = crashHarness(docker, () => project);
  const hang = (phase: string): [RegExp, Record<string, string>] => [new RegExp(`hanging after the journal recorded phase ${phase}`), { CUTOVER_TEST_HANG_AFTER_PHASE: phase }];

  /** The reset's history entry, as the last one. */
  async function lastReset(context: string, expected: [string, string, string]): Promise<void> {
    const entry = (await h.state()).history.at(-1);
    assert.deepEqual([entry?.kind, entry?.outcome, entry?.recovered?.direction, entry?.recovered?.phase], ['reset', ...expected], `${context}: ${JSON.stringify(entry)}`);
  }

  before(async () => {
    project = await createHostModeProject(docker, scope, { plainPorts: true, drainTimeout: '10' });
    await prepareFaultProject(project.dir, h.cli);
  });
  after(async () => {
    await project?.remove();
  });

  test('killed while starting the plain services; then reconcile removes them, the colors as they were', async () => {
    const before = await h.state();
    await killAtMarker(project, ['reset', '--yes'], /"event":"container\.started"/);
    assert.notEqual((await h.state()).operation, null, 'the kill left the reset open in the journal');
    const run = await h.cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /an interrupted reset to v2 .*undoing it first/);
    const settled = await h.assertSettled('reset killed while starting');
    assert.deepEqual([settled.active, settled.standby], [before.active, before.standby]);
    await lastReset('starting', ['interrupted', 'undone', 'starting']);
  });

  test('killed right before its switch is sent; then rollback undoes it and rolls back', async () => {
    const before = await h.state();
    await killAtMarker(project, ['reset', '--yes'], ...hang('switching'));
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
