/**
 * The fault-injection cases of a deploy killed with SIGKILL at each phase (see
 * the crash-recovery-*.test.ts files and docs/crash-safety.md), and the project
 * they run on. The cases are split over files so that the test runner's
 * workers share them; each file has its own project (deployed v1, then v2).
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { crashHarness } from './crash-harness.js';
import { rigDockerClient } from './docker-client.js';
import { createHostModeProject, type HostModeProject } from './host-mode-project.js';
import { heldGet } from './http-get.js';
import { testScope } from './run-id.js';
import { cleanUpScope, NOTHING_LEFT } from './scope-cleanup.js';
import { buildTestImage } from './test-image.js';

export type CommandAfterKill = 'reconcile' | 'deploy' | 'rollback' | 'status-then-reconcile';

/** Where the kill lands, the marker in its log (and the env that holds it there), whether the switch had happened, the command run next. */
export interface DeployKill {
  where: string;
  marker: RegExp;
  env: Record<string, string>;
  switched: boolean;
  next: CommandAfterKill;
}

/** A phase that lasts milliseconds, held by the test seam CUTOVER_TEST_HANG_AFTER_PHASE so that the kill lands there. */
function hang(phase: string): Pick<DeployKill, 'marker' | 'env'> {
  return { marker: new RegExp(`hanging after the journal recorded phase ${phase}`), env: { CUTOVER_TEST_HANG_AFTER_PHASE: phase } };
}

/** Kills before the switch: the next command undoes the deploy. */
export const KILLS_BEFORE_SWITCH: DeployKill[] = [
  { where: 'right after the journal opened the deploy', ...hang('preflight'), switched: false, next: 'deploy' },
  { where: 'right after parking the old standby', marker: /"event":"standby.parked"/, env: {}, switched: false, next: 'reconcile' },
  { where: 'while starting the new color', marker: /"event":"container.started"/, env: {}, switched: false, next: 'deploy' },
  { where: 'while waiting for health', marker: /"phase":"waiting-healthy"/, env: { START_DELAY_MS: '3000' }, switched: false, next: 'rollback' },
  { where: 'right before the switch is sent', ...hang('switching'), switched: false, next: 'reconcile' },
];

/** Kills after Caddy took the switch: the next command finishes the deploy. */
export const KILLS_AFTER_SWITCH: DeployKill[] = [
  { where: 'right after Caddy acknowledged the switch', marker: /"event":"switch.acknowledged"/, env: {}, switched: true, next: 'status-then-reconcile' },
  { where: 'while verifying', ...hang('verifying'), switched: true, next: 'rollback' },
  { where: 'while draining', marker: /"event":"drain.progress"/, env: {}, switched: true, next: 'deploy' },
  { where: 'while finishing (standby kept)', ...hang('finishing'), switched: true, next: 'reconcile' },
];

/** Deploys that a file's cases take at most: one for the killed deploy, one for a deploy run next. */
export function versionsFor(kills: readonly DeployKill[], extra = 0): number {
  return 2 + kills.length + kills.filter((k) => k.next === 'deploy').length + extra;
}

export type CrashProject = ReturnType<typeof crashProject>;

/**
 * Registers the file's hooks: builds the test app's images v1..v<versions>,
 * makes a host-mode project that has deployed v1 then v2, removes all of it
 * afterwards. Hands back the harness and a counter of versions not deployed yet.
 */
export function crashProject(tag: string, versions: number) {
  const scope = testScope(tag);
  const docker = rigDockerClient();
  let project: HostModeProject | undefined;
  const h = crashHarness(docker, () => {
    if (project === undefined) throw new Error('the crash test project was not created');
    return project;
  });
  let next = 3;
  before(async () => {
    for (let i = 1; i <= versions; i += 1) await buildTestImage(docker, scope, `v${i}`);
    project = await createHostModeProject(docker, scope, { drainTimeout: '20' });
    for (const version of ['v1', 'v2']) {
      const run = await h.cli(['deploy', version]);
      assert.equal(run.code, 0, run.stderr);
    }
  });
  after(async () => {
    await project?.remove();
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });
  return {
    h,
    project: (): HostModeProject => {
      if (project === undefined) throw new Error('the crash test project was not created');
      return project;
    },
    /** The next version not deployed yet (v3, v4, ...). */
    nextVersion(): string {
      const version = `v${next}`;
      if (next > versions) throw new Error(`the file built images up to v${versions} only; raise its count`);
      next += 1;
      return version;
    },
  };
}

/**
 * One case: `deploy <next version>` killed at the marker, then the next
 * command; the deploy must be settled (undone before the switch, finished
 * after it) and the invariant hold.
 */
export async function killDeployThenSettle(crash: CrashProject, kill: DeployKill): Promise<void> {
  const { h } = crash;
  const before = await h.state();
  const version = crash.nextVersion();
  // A slow request to the old color keeps the drain busy for a few seconds.
  const slow = kill.marker.source.includes('drain') ? heldGet(crash.project().caddy.url('/slow?ms=25000'), { timeoutMs: 60_000 }) : undefined;
  if (slow !== undefined) await slow.inFlight;
  await h.killAt(['deploy', version], kill.marker, kill.env);

  const killed = await h.state();
  assert.notEqual(killed.operation, null, 'the kill left the operation open in the journal');
  const expected = kill.switched ? { color: killed.operation === null ? '' : (killed.operation as { toColor: string }).toColor, version } : before.active;

  if (kill.next === 'status-then-reconcile') {
    const status = await h.cli(['status', '--json']);
    assert.equal(status.code, 13, status.stderr);
    const report = JSON.parse(status.stdout) as { problems: Array<{ kind: string; severity: string; hint: string | null }> };
    const errors = report.problems.filter((p) => p.severity === 'error');
    assert.deepEqual(errors.map((p) => p.kind), ['operation-interrupted'], 'the kill is told apart from an outside change');
    assert.match(errors[0]?.hint ?? '', /cutover reconcile/);
  }
  const nextRun = kill.next === 'deploy' ? await h.cli(['deploy', crash.nextVersion()]) : kill.next === 'rollback' ? await h.cli(['rollback']) : await h.cli(['reconcile']);
  assert.equal(nextRun.code, 0, nextRun.stderr);
  assert.match(nextRun.stderr, /an interrupted deploy to /);
  if (slow !== undefined) assert.equal((await slow.answer).status, 200, 'the request in flight during the kill was answered');

  const settled = await h.state();
  const entry = settled.history.find((e) => e.version === version && e.kind === 'deploy');
  assert.ok(entry !== undefined, `the killed deploy of ${version} is in the history`);
  assert.deepEqual([entry.outcome, entry.recovered?.direction], kill.switched ? ['succeeded', 'finished'] : ['interrupted', 'undone']);
  if (kill.next === 'reconcile' || kill.next === 'status-then-reconcile') {
    assert.deepEqual(settled.active && { color: settled.active.color, version: settled.active.version }, expected && { color: expected.color, version: expected.version });
    if (!kill.switched) assert.deepEqual(settled.standby, before.standby, 'the parked standby is back, the rollback target kept (images included)');
  }
  await h.assertSettled(`killed ${kill.where}, then ${kill.next}`);
}
