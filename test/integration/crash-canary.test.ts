/**
 * Fault injection on real Docker and Caddy 2.6.2 for weighted canaries: the
 * canary's process, or the `promote` / `abort` that acts on it, is killed with
 * SIGKILL at each phase (the moment is read from its JSON log, never from a
 * sleep), then the next command runs. Whatever the phase, afterwards: one live
 * color answering every request with the recorded version, no operation open,
 * no parked container, no container of an unrecorded version, the lock
 * released, `status` clean, and the killed canary in the history saying
 * whether it was finished or undone (see docs/crash-safety.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { crashHarness, type RecordedState } from '../rig/crash-harness.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { spawnCli } from '../rig/run-cli.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';
import { waitUntil } from '../rig/wait-until.js';

const scope = testScope('crash-canary');
const docker = rigDockerClient();
const VERSIONS = Array.from({ length: 11 }, (_, i) => `v${i + 1}`);

before(async () => {
  await Promise.all(VERSIONS.map((version) => buildTestImage(docker, scope, version)));
});
after(async () => {
  assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
});

describe('a canary killed at each phase is settled by the next command', { concurrency: false }, () => {
  let project: HostModeProject;
  const h = crashHarness(docker, () => project);
  let next = 3;
  const take = (): string => `v${next++}`;

  /** A CLI process left running (a canary, or an abort waiting for it); killed by the test. */
  function start(args: string[], env: Record<string, string> = {}) {
    return spawnCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, '--log-format', 'json', ...args], { env });
  }
  async function logged(run: ReturnType<typeof start>, marker: RegExp, what: string): Promise<void> {
    try {
      await waitUntil(what, 60_000, () => {
        if (marker.test(run.stderr())) return true;
        if (run.child.exitCode !== null) throw new Error(`it ended (exit ${run.child.exitCode}) before logging ${marker}`);
        return undefined;
      });
    } catch (error) {
      run.child.kill('SIGKILL');
      throw new Error(`${String(error)}\n${run.stderr()}`);
    }
  }
  async function kill(run: ReturnType<typeof start>): Promise<void> {
    run.child.kill('SIGKILL');
    await run.done;
  }
  /** A canary of `version` killed while paused at its first step (the state of a canary whose process died). */
  async function deadPausedCanary(version: string): Promise<void> {
    const canary = start(['deploy', version, '--canary', '20,pause,50', '--step-interval', '1s']);
    await logged(canary, /"event":"canary\.paused"/, 'the canary to pause');
    await kill(canary);
  }
  /** The history entry of the killed canary, and the invariant. */
  async function settled(version: string, context: string, expected: { outcome: string; direction: string; by?: string }): Promise<RecordedState> {
    const recorded = await h.assertSettled(context);
    const entry = recorded.history.find((e) => e.version === version && e.kind === 'canary');
    assert.ok(entry !== undefined, `${context}: the canary to ${version} is in the history\n${JSON.stringify(recorded.history.slice(-3))}`);
    assert.deepEqual([entry.outcome, entry.recovered?.direction], [expected.outcome, expected.direction], `${context}: ${JSON.stringify(entry)}`);
    if (expected.by !== undefined) assert.equal(entry.recovered?.by, expected.by, context);
    return recorded;
  }
  /** After an undo: the old color live and the standby recorded before (the parked one is back). */
  function assertUndone(recorded: RecordedState, before: RecordedState, context: string): void {
    assert.deepEqual([recorded.active, recorded.standby], [before.active, before.standby], `${context}: the old color live, the previous standby back`);
  }

  before(async () => {
    project = await createHostModeProject(docker, scope, { drainTimeout: '10' });
    for (const version of ['v1', 'v2']) {
      const run = await h.cli(['deploy', version]);
      assert.equal(run.code, 0, run.stderr);
    }
  });
  after(async () => {
    await project?.remove();
  });

  test('killed in step 1 right after its weights were applied; then reconcile undoes it', async () => {
    const before = await h.state();
    const version = take();
    await h.killAt(['deploy', version, '--canary', '20,50', '--step-interval', '30s'], /"event":"canary\.step"/);
    assert.equal((await h.state()).operation !== null, true, 'the kill left the canary open');
    const run = await h.cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`an interrupted canary to ${version} .*phase canary-step.*undoing it first: .*Caddy splits traffic`));
    assertUndone(await settled(version, 'step 1', { outcome: 'interrupted', direction: 'undone', by: 'reconcile' }), before, 'step 1');
  });

  test('killed during the analysis of step 2; then a deploy undoes it and runs', async () => {
    const before = await h.state();
    const version = take();
    await h.killAt(['deploy', version, '--canary', '10,40', '--step-interval', '3s'], /"step":2[\s\S]*"event":"canary\.analysis\.figures"/, { CUTOVER_LOG_LEVEL: 'debug' });
    const killed = await h.state();
    assert.deepEqual([killed.operation !== null, (killed.operation as { canary?: { stepIndex: number } }).canary?.stepIndex], [true, 1], 'killed in step 2');
    const after = take();
    const run = await h.cli(['deploy', after]);
    assert.equal(run.code, 0, run.stderr);
    const recorded = await settled(version, 'analysis of step 2', { outcome: 'interrupted', direction: 'undone' });
    assert.equal(recorded.active?.version, after, 'then the deploy ran');
    assert.equal(recorded.standby?.version, before.active?.version, 'the old color is the standby of the new deploy');
  });

  test('killed while paused between steps; then promote finishes it on the new color', async () => {
    const before = await h.state();
    const version = take();
    await deadPausedCanary(version);
    const run = await h.cli(['promote']);
    assert.equal(run.code, 0, run.stderr);
    const recorded = await settled(version, 'paused, then promote', { outcome: 'succeeded', direction: 'finished', by: 'promote' });
    assert.equal(recorded.active?.version, version);
    assert.deepEqual(recorded.standby, before.active, 'the old color is the standby');
  });

  test('the canary killed right after its final switch, promoted by cutover promote; then reconcile finishes it', async () => {
    const before = await h.state();
    const version = take();
    const canary = start(['deploy', version, '--canary', '20,pause', '--step-interval', '1s']);
    try {
      await logged(canary, /"event":"canary\.paused"/, 'the canary to pause');
      const promote = await h.cli(['promote']);
      assert.equal(promote.code, 0, promote.stderr);
      await logged(canary, /"event":"canary\.promoted"[\s\S]*"event":"switch\.acknowledged"/, 'the final switch');
    } finally {
      await kill(canary);
    }
    const run = await h.cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    const recorded = await settled(version, 'final switch', { outcome: 'succeeded', direction: 'finished', by: 'reconcile' });
    assert.equal(recorded.active?.version, version);
    assert.deepEqual(recorded.standby, before.active);
  });

  test('cutover promote killed while finishing a dead canary (draining); then rollback finishes it and rolls back', async () => {
    const before = await h.state();
    const version = take();
    await deadPausedCanary(version);
    await h.killAt(['promote'], /hanging after the journal recorded phase draining/, { CUTOVER_TEST_HANG_AFTER_PHASE: 'draining' });
    assert.equal((await h.state()).operation !== null, true, 'the kill left the canary open');
    const run = await h.cli(['rollback']);
    assert.equal(run.code, 0, run.stderr);
    const recorded = await settled(version, 'promote killed', { outcome: 'succeeded', direction: 'finished', by: 'rollback' });
    assert.deepEqual(recorded.active, before.active, 'finished, then rolled back to the old color');
    assert.equal(recorded.standby?.version, version);
  });

  test('the canary killed while carrying out cutover abort (traffic already back); then reconcile undoes the rest', async () => {
    const before = await h.state();
    const version = take();
    const canary = start(['deploy', version, '--canary', '20,pause', '--step-interval', '1s']);
    let abort: ReturnType<typeof start> | undefined;
    try {
      await logged(canary, /"event":"canary\.paused"/, 'the canary to pause');
      abort = start(['abort']);
      await logged(canary, /"event":"canary\.reverted"/, 'the canary to send all traffic back');
    } finally {
      await kill(canary);
      // The abort only waits for the canary to close its operation: it would wait in vain now.
      if (abort !== undefined) await kill(abort);
    }
    const run = await h.cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`an interrupted canary to ${version} .*undoing it first`));
    assertUndone(await settled(version, 'abort carried out', { outcome: 'interrupted', direction: 'undone', by: 'reconcile' }), before, 'abort carried out');
  });

  test('cutover abort killed while undoing a dead canary (traffic back, containers left); then a deploy undoes the rest and runs', async () => {
    const before = await h.state();
    const version = take();
    await deadPausedCanary(version);
    await h.killAt(['abort'], /"event":"switch\.acknowledged"/);
    const after = take();
    const run = await h.cli(['deploy', after]);
    assert.equal(run.code, 0, run.stderr);
    const recorded = await settled(version, 'abort killed', { outcome: 'interrupted', direction: 'undone', });
    assert.equal(recorded.active?.version, after);
    assert.equal(recorded.standby?.version, before.active?.version);
  });
});
