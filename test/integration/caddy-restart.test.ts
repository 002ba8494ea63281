/**
 * A Caddy killed and started again from its Caddyfile at each phase of a
 * deploy, a canary step, a rollback and a reset, on ONE project (Caddy 2.6.2 on
 * the host, web and api, a warm standby), the moments read from the command's
 * JSON log (never a sleep). Wired to caddy/cutover-upstreams.caddy, Caddy comes
 * back on the color of cutover's last full switch; not wired (the Caddyfile's
 * own upstreams, at the blue ports), it comes back on whatever those name. One
 * operation may take several restarts, one per phase, to keep the file short.
 * After each operation, or the next command when the operation could not
 * settle it itself: one live color answering every request with the recorded
 * version, no operation open, no orphan container, the lock released, `status`
 * clean, and the operation in the history (docs/crash-safety.md,
 * docs/caddy-restarts.md).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LENIENT } from '../rig/canary-crash-fixture.js';
import { startCli, untilLogged } from '../rig/cli-until.js';
import { crashHarness, type RecordedState } from '../rig/crash-harness.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { createHostModeProject, type OwnCaddyfileProject } from '../rig/host-mode-project.js';
import { heldGet, httpGet } from '../rig/http-get.js';
import { prepareFaultProject } from '../rig/project-env.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';

const scope = testScope('caddy-restart');
const docker = rigDockerClient();
const VERSIONS = 4;
let project: OwnCaddyfileProject | undefined;
const current = (): OwnCaddyfileProject => {
  if (project === undefined) throw new Error('the project is not set up');
  return project;
};
const h = crashHarness(docker, current);
let next = 3;
const take = (): string => {
  if (next > VERSIONS) throw new Error(`images were built up to v${VERSIONS} only`);
  return `v${next++}`;
};

before(async () => {
  await Promise.all(Array.from({ length: VERSIONS }, (_, i) => buildTestImage(docker, scope, `v${i + 1}`)));
  project = await createHostModeProject(docker, scope, { wired: true, plainPorts: true, drainTimeout: '10' });
  await prepareFaultProject(project.dir, h.cli);
});
after(async () => {
  await project?.remove();
  assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
});

/** One restart: at the first log line matching `marker`, Caddy restarted from the wired or the plain Caddyfile. */
interface Restart {
  marker: RegExp;
  wired: boolean;
  /** Then a slow request to the color that serves, so that a later drain has one in flight. */
  thenHoldRequest?: boolean;
}

const WAITING_HEALTHY = /"phase":"waiting-healthy"/;
const ACKNOWLEDGED = /"event":"switch\.acknowledged"/;
const DRAINING = /"event":"drain\.progress"/;

/**
 * Runs `cutover <args>` and restarts Caddy at each marker in turn. Hands back
 * the command's exit code and log.
 */
async function runWithRestarts(args: string[], restarts: Restart[], env: Record<string, string> = {}): Promise<{ code: number; log: string }> {
  const run = startCli(current(), args, env);
  const held: Array<Promise<unknown>> = [];
  for (const restart of restarts) {
    await untilLogged(run, restart.marker);
    await current().caddy.restart({ caddyfile: current().caddyfile(restart.wired) });
    if (restart.thenHoldRequest === true) {
      const slow = heldGet(current().caddy.url('/slow?ms=30000'), { timeoutMs: 60_000 });
      await slow.inFlight;
      // A later restart ends it: a proxy that crashes cuts its connections, no switch does.
      held.push(slow.answer.catch(() => undefined));
    }
  }
  const code = await run.done;
  await Promise.all(held);
  return { code, log: run.stderr() };
}

/** The invariant, and the operation's history entry with the outcome expected. */
async function assertSettledWith(context: string, version: string, kind: string, outcome: string): Promise<RecordedState> {
  const settled = await h.assertSettled(context);
  const entry = [...settled.history].reverse().find((e) => e.version === version && e.kind === kind);
  assert.equal(entry?.outcome, outcome, `${context}: the ${kind} to ${version} is in the history: ${JSON.stringify(settled.history.slice(-3))}`);
  return settled;
}

/** After a restart from the plain Caddyfile: status names the fix, reconcile puts the recorded color back. */
async function statusThenReconcile(context: string): Promise<void> {
  const status = await h.cli(['status', '--json']);
  // The plain Caddyfile names the blue ports: a restart while blue is the recorded color changes nothing.
  if ((await h.state()).active?.color === 'blue') {
    assert.equal(status.code, 0, `${context}: Caddy came back on blue, the recorded color: ${status.stdout}`);
    return;
  }
  assert.equal(status.code, 13, `${context}: ${status.stdout}`);
  assert.match(status.stdout, /Caddy went back to its own config/);
  assert.match(status.stdout, /cutover reconcile/);
  const run = await h.cli(['reconcile']);
  assert.equal(run.code, 0, `${context}: ${run.stderr}`);
}

/**
 * What follows an operation that lived through a restart. Either it ended by
 * itself (exit 0, or a canary aborted by its probes while Caddy was down, exit
 * 14, undone), and then status is clean, or, not wired, names the restart and
 * reconcile; or Caddy was down when it had to verify, undo or drain after its
 * switch, and then it left its journal open, and the next command settles it;
 * or Caddy was back, on its own config, when it checked its switch, and it
 * undid itself (a non-zero exit, the journal closed, the history says so).
 */
async function settleAfter(context: string, code: number, log: string, wired: boolean): Promise<'by itself' | 'by the next command'> {
  const journal = await h.state();
  if (code !== 0 && code !== 14 && journal.operation === null) {
    // Caddy was back up, on its own config, when the operation checked its switch: it undid itself and said so.
    const last = journal.history.at(-1);
    assert.ok(last !== undefined && ['failed', 'aborted'].includes(last.outcome), `${context}: exit ${code} with the journal closed, so the history must say it was undone: ${JSON.stringify(last)}\n${log}`);
    assert.match(log, /switch\.undone/, `${context}: exit ${code} with the journal closed, so it must have sent the traffic back:\n${log}`);
    // Its way back was written over the restarted config: Caddy is on the recorded color again, wired or not.
    const status = await h.cli(['status', '--json']);
    assert.equal(status.code, 0, `${context}: exit ${code}, undone, then status:\n${status.stdout}\n${log}`);
    return 'by itself';
  }
  if (code === 0 || code === 14) {
    if (wired) {
      const status = await h.cli(['status', '--json']);
      assert.equal(status.code, 0, `${context}: exit ${code}, then status:\n${status.stdout}\n${log}`);
    } else {
      await statusThenReconcile(context);
    }
    return 'by itself';
  }
  assert.notEqual((await h.state()).operation, null, `${context}: exit ${code} without leaving the journal open:\n${log}`);
  const status = await h.cli(['status', '--json']);
  assert.equal(status.code, 13, status.stdout);
  assert.match(status.stdout, /operation-interrupted/);
  const run = await h.cli(['reconcile']);
  assert.equal(run.code, 0, `${context}: ${run.stderr}`);
  assert.match(run.stderr, /an interrupted/);
  return 'by the next command';
}

describe('a Caddy restarted from its Caddyfile at each phase', { concurrency: false }, () => {
  test('a deploy through a restart in its health wait (wired) and one in its drain (not wired); status names the fix, rollback puts the recorded color back first', async () => {
    const before = await h.state();
    const version = take();
    const { code, log } = await runWithRestarts(
      ['deploy', version],
      [
        { marker: WAITING_HEALTHY, wired: true, thenHoldRequest: true },
        { marker: DRAINING, wired: false },
      ],
      { START_DELAY_MS: '3000' },
    );
    assert.equal(code, 0, log);
    // The plain Caddyfile names the blue ports: after a deploy to green the site serves the old version until cutover puts it back.
    assert.equal(before.active?.color, 'blue', 'the deploy goes to green, away from the Caddyfile');
    assert.equal((await httpGet(current().caddy.url('/version'))).body, before.active?.version, 'the restart went back to the old version');
    const status = await h.cli(['status', '--json']);
    assert.equal(status.code, 13, status.stdout);
    assert.match(status.stdout, /Caddy went back to its own config/);
    assert.match(status.stdout, /cutover reconcile/);
    const dry = await h.cli(['reconcile', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^would make Caddy send every service to/);
    // rollback means "back to the version before the recorded one": it first puts the recorded version back, then goes back.
    const rollback = await h.cli(['rollback']);
    assert.equal(rollback.code, 0, rollback.stderr);
    assert.match(rollback.stderr, new RegExp(`pointing it back at green \\(${version}\\) first`));
    const deployed = (await h.state()).history.find((e) => e.version === version && e.kind === 'deploy');
    assert.equal(deployed?.outcome, 'succeeded');
    const settled = await assertSettledWith('restarts in a deploy, then rollback', before.active?.version ?? '', 'rollback', 'succeeded');
    assert.deepEqual([settled.active?.version, settled.standby?.version], [before.active?.version, version]);
  });

  test('wired: a canary through a restart in its first step; it ends on one color', async () => {
    const before = await h.state();
    const version = take();
    const { code, log } = await runWithRestarts(['deploy', version, '--canary', '20,50', '--step-interval', '3s', ...LENIENT], [{ marker: /"event":"canary\.step"/, wired: true }]);
    const how = await settleAfter('canary', code, log, true);
    const settled = await h.assertSettled(`wired: a restart in a canary step, settled ${how}`);
    const entry = settled.history.find((e) => e.version === version && e.kind === 'canary');
    // Finished on the new color, or aborted (its probes failed while Caddy was down) and undone: the old color and its standby back.
    if (settled.active?.version === version) assert.equal(entry?.outcome, 'succeeded');
    else {
      assert.deepEqual([settled.active?.version, settled.standby?.version], [before.active?.version, before.standby?.version]);
      assert.ok(['aborted', 'interrupted'].includes(entry?.outcome ?? ''), JSON.stringify(entry));
    }
  });

  test('a rollback through a restart right after its switch, not wired, then wired', async () => {
    for (const wired of [false, true]) {
      const context = `rollback, restart ${wired ? 'wired' : 'not wired'}`;
      const before = await h.state();
      const { code, log } = await runWithRestarts(['rollback'], [{ marker: ACKNOWLEDGED, wired }]);
      const how = await settleAfter(context, code, log, wired);
      const settled = await h.assertSettled(`${context}, settled ${how}`);
      // Rolled back (the switch had been made; reconcile finishes it), or undone: never a third state.
      const pair = [settled.active?.version, settled.standby?.version];
      assert.ok(
        [JSON.stringify([before.standby?.version, before.active?.version]), JSON.stringify([before.active?.version, before.standby?.version])].includes(JSON.stringify(pair)),
        `${context}: ${JSON.stringify(pair)}`,
      );
      const entry = [...settled.history].reverse().find((e) => e.kind === 'rollback');
      assert.ok(entry !== undefined && entry.version === before.standby?.version, `${context}: the rollback is in the history: ${JSON.stringify(entry)}`);
    }
  });

  test('cutover killed right after a switch, then Caddy restarted (wired) before anyone runs cutover: still on the new color', async () => {
    const target = (await h.state()).standby?.version;
    await h.killAt(['rollback'], ACKNOWLEDGED);
    await current().caddy.restart({ caddyfile: current().caddyfile(true) });
    assert.equal((await httpGet(current().caddy.url('/version'))).body, target);
    const run = await h.cli(['reconcile']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await h.assertSettled('killed after the switch, restarted, reconciled')).active?.version, target);
  });

  test('wired: a reset through restarts in its health wait and right after its switch; plain mode', async () => {
    const version = (await h.state()).active?.version ?? '';
    const { code, log } = await runWithRestarts(
      ['reset', '--yes'],
      [
        { marker: WAITING_HEALTHY, wired: true },
        { marker: ACKNOWLEDGED, wired: true },
      ],
    );
    const how = await settleAfter('reset', code, log, true);
    const recorded = await h.state();
    assert.deepEqual([recorded.active, recorded.standby, recorded.operation], [null, null, null], `settled ${how}: plain mode recorded, nothing open`);
    assert.equal(recorded.history.at(-1)?.kind, 'reset');
    assert.equal(recorded.history.at(-1)?.outcome, 'succeeded');
    for (const url of [current().caddy.url('/version'), current().caddy.url('/api/version')]) {
      const answer = await httpGet(url);
      assert.deepEqual([answer.status, answer.body], [200, version], url);
    }
    assert.deepEqual(
      (await h.containers()).map((c) => [c.color, c.version, c.state]),
      current().services.map(() => [undefined, version, 'running']),
      'only the plain containers are left',
    );
    await assert.rejects(readFile(path.join(current().dir, 'caddy', 'cutover.lock')), { code: 'ENOENT' });
    // The snippets name the plain services too: one more restart keeps serving.
    await current().caddy.restart({ caddyfile: current().caddyfile(true) });
    assert.deepEqual([(await httpGet(current().caddy.url('/version'))).body, (await h.cli(['status', '--json'])).code], [version, 0]);
  });
});
