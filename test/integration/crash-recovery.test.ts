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
 * The same for a Caddy that restarts from its Caddyfile: with the Caddyfile
 * wired to cutover's snippets it comes back on the switched color by itself;
 * without, the next command puts the recorded color back first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rigDockerClient } from '../rig/docker-client.js';
import { crashHarness } from '../rig/crash-harness.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { heldGet } from '../rig/http-get.js';
import { spawnCli } from '../rig/run-cli.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';
import { waitUntil } from '../rig/wait-until.js';
const scope = testScope('crash');
const docker = rigDockerClient();
const VERSIONS = Array.from({ length: 17 }, (_, i) => `v${i + 1}`);

before(async () => {
  for (const version of VERSIONS) await buildTestImage(docker, scope, version);
});
after(async () => {
  assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
});

describe('a deploy killed at each phase is settled by the next command', { concurrency: false }, () => {
  let project: HostModeProject;
  const h = crashHarness(docker, () => project);
  let next = 3;

  before(async () => {
    project = await createHostModeProject(docker, scope, { drainTimeout: '20' });
    for (const version of ['v1', 'v2']) {
      const run = await h.cli(['deploy', version]);
      assert.equal(run.code, 0, run.stderr);
    }
  });
  after(async () => {
    await project?.remove();
  });

  const hang = (phase: string): [RegExp, Record<string, string>] => [new RegExp(`hanging after the journal recorded phase ${phase}`), { CUTOVER_TEST_HANG_AFTER_PHASE: phase }];
  // [where the kill lands, the marker in its log (and the env that holds it there), whether the switch had happened, the command run next]
  const cases: Array<[string, [RegExp, Record<string, string>], boolean, 'reconcile' | 'deploy' | 'rollback' | 'status-then-reconcile']> = [
    ['right after the journal opened the deploy', hang('preflight'), false, 'deploy'],
    ['right after parking the old standby', [/"event":"standby.parked"/, {}], false, 'reconcile'],
    ['while starting the new color', [/"event":"container.started"/, {}], false, 'deploy'],
    ['while waiting for health', [/"phase":"waiting-healthy"/, { START_DELAY_MS: '3000' }], false, 'rollback'],
    ['right before the switch is sent', hang('switching'), false, 'reconcile'],
    ['right after Caddy acknowledged the switch', [/"event":"switch.acknowledged"/, {}], true, 'status-then-reconcile'],
    ['while verifying', hang('verifying'), true, 'rollback'],
    ['while draining', [/"event":"drain.progress"/, {}], true, 'deploy'],
    ['while finishing (standby kept)', hang('finishing'), true, 'reconcile'],
  ];

  for (const [where, [marker, env], switched, then] of cases) {
    test(`killed ${where}; then ${then}`, async () => {
      const before = await h.state();
      const version = `v${next}`;
      next += 1;
      // A slow request to the old color keeps the drain busy for a few seconds.
      const slow = marker.source.includes('drain') ? heldGet(project.caddy.url('/slow?ms=25000'), { timeoutMs: 60_000 }) : undefined;
      if (slow !== undefined) await slow.inFlight;
      await h.killAt(['deploy', version], marker, env);

      const killed = await h.state();
      assert.notEqual(killed.operation, null, 'the kill left the operation open in the journal');
      const expected = switched ? { color: killed.operation === null ? '' : (killed.operation as { toColor: string }).toColor, version } : before.active;

      if (then === 'status-then-reconcile') {
        const status = await h.cli(['status', '--json']);
        assert.equal(status.code, 13, status.stderr);
        const report = JSON.parse(status.stdout) as { problems: Array<{ kind: string; severity: string; hint: string | null }> };
        const errors = report.problems.filter((p) => p.severity === 'error');
        assert.deepEqual(errors.map((p) => p.kind), ['operation-interrupted'], 'the kill is told apart from an outside change');
        assert.match(errors[0]?.hint ?? '', /cutover reconcile/);
      }
      const nextRun =
        then === 'deploy' ? await h.cli(['deploy', `v${next++}`]) : then === 'rollback' ? await h.cli(['rollback']) : await h.cli(['reconcile']);
      assert.equal(nextRun.code, 0, nextRun.stderr);
      assert.match(nextRun.stderr, /an interrupted deploy to /);
      if (slow !== undefined) assert.equal((await slow.answer).status, 200, 'the request in flight during the kill was answered');

      const settled = await h.state();
      const entry = settled.history.find((e) => e.version === version && e.kind === 'deploy');
      assert.ok(entry !== undefined, `the killed deploy of ${version} is in the history`);
      assert.deepEqual([entry.outcome, entry.recovered?.direction], switched ? ['succeeded', 'finished'] : ['interrupted', 'undone']);
      if (then === 'reconcile' || then === 'status-then-reconcile') {
        assert.deepEqual(settled.active && { color: settled.active.color, version: settled.active.version }, expected && { color: expected.color, version: expected.version });
        if (!switched) assert.deepEqual(settled.standby, before.standby, 'the parked standby is back, the rollback target kept (images included)');
      }
      await h.assertSettled(`killed ${where}, then ${then}`);
    });
  }

  test('a second Ctrl-C during the undo exits at once, says what is left, and the next command settles it', async () => {
    const before = await h.state();
    const version = `v${next}`;
    next += 1;
    const run = spawnCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, '--log-format', 'json', 'deploy', version], { env: { START_DELAY_MS: '5000' } });
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

