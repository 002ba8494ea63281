/**
 * `cutover reset` on real Docker and Caddy (on the host): back to plain
 * Compose mode without an outage. The plain services (compose.yml alone,
 * publishing their own host port) start next to the live color, Caddy is
 * switched to them in one change under load with no failed request, the
 * colors are drained and removed, and status says plain Compose mode. A deploy
 * starts from there. A reset killed (SIGKILL) before its switch is undone by
 * the next command, one killed after it is finished.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { caddyDials as caddyDialsOf } from '../rig/caddy-dials.js';
import { reset } from '../../src/run/reset.js';
import { sleep } from '../../src/sleep.js';
import { assertCleanSwitch, stopLoadAfter } from '../rig/assert-clean-switch.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { startLoad } from '../rig/load-client.js';
import { runCli, spawnCli } from '../rig/run-cli.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';
import { testRuntime } from '../rig/test-runtime.js';
import { waitUntil } from '../rig/wait-until.js';

const scope = testScope('reset');
const docker = rigDockerClient();
let project: HostModeProject;

interface RecordedState {
  active: { color: string; version: string } | null;
  standby: { color: string; version: string } | null;
  operation: { kind: string; phase: string } | null;
  targets: Record<string, unknown>;
  history: Array<{ kind: string; version: string; outcome: string; recovered?: { by: string; phase: string; direction: string } }>;
}

const cli = (args: string[], env: Record<string, string> = {}) => runCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, ...args], { env });
const state = async (): Promise<RecordedState> => JSON.parse(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8')) as RecordedState;

async function containers(): Promise<Array<{ id: string; name: string; color: string | undefined; version: string | undefined; state: string }>> {
  const list = await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.name}`] } });
  return list
    .map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').slice(1), color: c.Labels['cutover.color'], version: c.Labels['cutover.version'], state: c.State }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const caddyDials = () => caddyDialsOf(project.caddy.adminAddress);

const plainDials = (): string[] => project.services.map((s) => `127.0.0.1:${project.plainPorts[s]}`).sort();

/** Plain mode, as reset leaves it: only plain containers, answering through Caddy, recorded, and said by status. */
async function assertPlainMode(version: string, context: string): Promise<void> {
  const all = await containers();
  assert.deepEqual(
    all.map((c) => [c.name, c.color, c.version, c.state]),
    project.services.map((s) => [`${project.name}-${s}-1`, undefined, version, 'running']).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    `${context}: only the plain containers are left`,
  );
  const plainIds = all.map((c) => c.id.slice(0, 12));
  for (const url of [project.caddy.url('/version'), project.caddy.url('/api/version')]) {
    const answer = await httpGet(url);
    assert.deepEqual([answer.status, answer.body], [200, version], `${context}: ${url}`);
    assert.ok(plainIds.includes(String(answer.headers['x-app-instance'])), `${context}: ${url} is answered by a plain container`);
  }
  assert.deepEqual(await caddyDials(), { dials: plainDials(), previews: false }, `${context}: Caddy uses the plain services' ports, no preview route is left`);
  const recorded = await state();
  assert.deepEqual([recorded.active, recorded.standby, recorded.operation, recorded.targets], [null, null, null, {}], `${context}: no color recorded, nothing open`);
  await assert.rejects(readFile(path.join(project.dir, 'caddy', 'cutover.lock')), { code: 'ENOENT' }, `${context}: the lock is released`);
  const status = await cli(['status']);
  assert.equal(status.code, 0, `${context}: ${status.stdout}\n${status.stderr}`);
  assert.match(status.stdout, /plain Compose mode/);
  const json = JSON.parse((await cli(['status', '--json'])).stdout) as { traffic: { kind: string } };
  assert.equal(json.traffic.kind, 'plain');
}

/** Starts `cutover reset --yes` with the journal held right after `phase`, and SIGKILLs it there. */
async function killResetAt(phase: string): Promise<void> {
  const run = spawnCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, '--log-format', 'json', 'reset', '--yes'], { env: { CUTOVER_TEST_HANG_AFTER_PHASE: phase } });
  const marker = `hanging after the journal recorded phase ${phase}`;
  try {
    await waitUntil(`reset to record phase ${phase}`, 60_000, () => (run.stderr().includes(marker) ? true : undefined));
  } catch (error) {
    run.child.kill('SIGKILL');
    throw new Error(`${String(error)}\n${run.stderr()}`);
  }
  run.child.kill('SIGKILL');
  await run.done;
}

describe('cutover reset returns to plain Compose mode without an outage', { concurrency: false }, () => {
  before(async () => {
    await Promise.all(['v1', 'v2', 'v3', 'v4'].map((v) => buildTestImage(docker, scope, v)));
    project = await createHostModeProject(docker, scope, { plainPorts: true, drainTimeout: '20' });
    for (const version of ['v1', 'v2']) {
      const run = await cli(['deploy', version]);
      assert.equal(run.code, 0, run.stderr);
    }
  });
  after(async () => {
    await project?.remove();
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('--dry-run prints each step and changes nothing', async () => {
    const before = { containers: await containers(), state: await state(), caddy: await caddyDials() };
    const run = await cli(['reset', '--dry-run']);
    assert.equal(run.code, 0, run.stderr);
    const live = before.state.active?.color ?? '';
    assert.match(run.stdout, new RegExp(`reset returns to plain Compose mode without an outage \\(traffic is on ${live}, v2\\)`));
    assert.match(run.stdout, /1\. start web, api as compose\.yml alone defines them \(no color overlay\), running v2/);
    assert.match(run.stdout, /2\. wait until they are healthy \(at most HEALTH_CHECK_TIMEOUT, 1 min\)/);
    assert.match(run.stdout, new RegExp(`3\\. switch Caddy in one change: web -> 127\\.0\\.0\\.1:${project.plainPorts.web}, api -> 127\\.0\\.0\\.1:${project.plainPorts.api}`));
    assert.match(run.stdout, new RegExp(`4\\. drain ${live} \\(at most DRAIN_TIMEOUT, 20\\.0 s\\)`));
    assert.match(run.stdout, /5\. remove 4 blue\/green container\(s\)/);
    assert.match(run.stdout, /keeps its history and records no active color: cutover status says plain Compose mode/);
    assert.deepEqual({ containers: await containers(), state: await state(), caddy: await caddyDials() }, before);
  });

  test('under load: the plain services take over in one change with no failed request, then the colors are removed', async () => {
    const { runtime, log } = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
    const load = startLoad({ baseUrl: project.caddy.url('/'), keepAliveClients: 4, freshClients: 2, slowClients: 2, slowMs: 2000, postEvery: 5, maxDurationMs: 180_000 });
    try {
      while (load.samples.filter((s) => s.kind === 'slow').length < 2 && !load.ended) await sleep(50);
      await reset(runtime, { dryRun: false, confirm: async () => true, signal: new AbortController().signal });
    } catch (error) {
      await load.stop();
      throw new Error(`${String(error)}\n${log.text()}`);
    } finally {
      await runtime.close();
    }
    const samples = await stopLoadAfter(load, 50);
    const { summary, ack } = assertCleanSwitch(samples, log.events, 'v2', log.text());
    console.log(`load during reset: ${JSON.stringify(summary)}`);
    // Slow requests in flight to the color at the switch were drained, not cut.
    const slowAcross = samples.filter((s) => s.kind === 'slow' && s.startedAt < ack.time && s.endedAt > ack.time);
    assert.ok(slowAcross.length > 0, 'a slow request was in flight at the switch');
    for (const s of slowAcross) assert.deepEqual([s.status, s.version], [200, 'v2']);
    const phases = log.events('phase.start').map((r) => r.phase);
    assert.deepEqual(phases.filter((p) => p !== 'preflight'), ['starting', 'waiting-healthy', 'switching', 'draining'], log.text());
    assert.ok(log.events('health.healthy').length >= 2, 'it waited until the plain services were healthy');
    await assertPlainMode('v2', 'after reset');
    const entry = (await state()).history.at(-1);
    assert.deepEqual([entry?.kind, entry?.version, entry?.outcome], ['reset', 'v2', 'succeeded']);
  });

  test('a deploy starts from plain mode', async () => {
    const run = await cli(['deploy', 'v3']);
    assert.equal(run.code, 0, run.stderr);
    const recorded = await state();
    assert.deepEqual([recorded.active?.version, recorded.standby], ['v3', null]);
    for (let i = 0; i < 5; i += 1) assert.deepEqual([(await httpGet(project.caddy.url('/version'))).body, (await httpGet(project.caddy.url('/api/version'))).body], ['v3', 'v3']);
    const status = await cli(['status', '--json']);
    assert.equal(status.code, 0, status.stdout);
  });

  test('a reset killed before its switch is undone by the next command: the plain containers it started are removed', async () => {
    const before = await state();
    await killResetAt('waiting-healthy');
    assert.equal((await state()).operation?.kind, 'reset', 'the kill left the reset open in the journal');
    assert.ok((await containers()).some((c) => c.color === undefined), 'it had started plain containers');

    const settle = await cli(['reconcile']);
    assert.equal(settle.code, 0, settle.stderr);
    assert.match(settle.stderr, /an interrupted reset to v3 .*undoing it first/);
    const settled = await state();
    assert.equal(settled.operation, null);
    assert.deepEqual([settled.active, settled.standby], [before.active, before.standby], 'nothing else changed');
    const entry = settled.history.at(-1);
    assert.deepEqual([entry?.kind, entry?.outcome, entry?.recovered?.direction, entry?.recovered?.phase], ['reset', 'interrupted', 'undone', 'waiting-healthy']);
    const all = await containers();
    assert.deepEqual(all.filter((c) => c.color === undefined), [], 'no plain container is left');
    assert.ok(all.every((c) => c.color === before.active?.color && c.version === 'v3' && c.state === 'running'), JSON.stringify(all));
    for (let i = 0; i < 5; i += 1) assert.deepEqual([(await httpGet(project.caddy.url('/version'))).body, (await httpGet(project.caddy.url('/api/version'))).body], ['v3', 'v3']);
    assert.equal((await cli(['status', '--json'])).code, 0);
  });

  test('a reset killed after its switch is finished by the next command: drained, the colors removed, plain mode', async () => {
    await killResetAt('draining');
    assert.deepEqual((await state()).operation?.phase, 'draining');
    assert.deepEqual((await caddyDials()).dials.filter((d) => plainDials().includes(d)), plainDials(), 'Caddy had been switched to the plain services');

    const settle = await cli(['reconcile']);
    assert.equal(settle.code, 0, settle.stderr);
    assert.match(settle.stderr, /an interrupted reset to v3 .*finishing it first/);
    await assertPlainMode('v3', 'after the killed reset was finished');
    const entry = (await state()).history.at(-1);
    assert.deepEqual([entry?.kind, entry?.outcome, entry?.recovered?.direction, entry?.recovered?.phase], ['reset', 'succeeded', 'finished', 'draining']);

    // And from there, again a deploy.
    const run = await cli(['deploy', 'v4']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v4');
  });
});

describe('cutover reset refuses, before any change, a service Caddy could not reach in plain mode', () => {
  const refusalScope = testScope('reset-refuse');
  let bare: HostModeProject;
  before(async () => {
    await buildTestImage(docker, refusalScope, 'v1');
    // compose.yml's web publishes no port of its own: Caddy on the host would have no address for it.
    bare = await createHostModeProject(docker, refusalScope, { services: ['web'] });
    const run = await runCli(['-C', bare.dir, '--caddy-admin', bare.caddy.adminAddress, 'deploy', 'v1']);
    assert.equal(run.code, 0, run.stderr);
  });
  after(async () => {
    await bare?.remove();
    assert.deepEqual(await cleanUpScope(docker, refusalScope), NOTHING_LEFT);
  });

  test('one line naming the service and what to add, exit 3, nothing changed', async () => {
    const snapshot = async () => ({
      containers: (await docker.listContainers({ all: true, filters: { label: [`cutover.project=${bare.name}`] } })).map((c) => [c.Names[0], c.State]).sort(),
      state: await readFile(path.join(bare.dir, 'caddy', 'cutover-state.json'), 'utf8'),
      caddy: await (await fetch(`${bare.caddy.adminAddress}/config/`)).text(),
    });
    const before = await snapshot();
    for (const args of [['reset', '--yes'], ['reset', '--dry-run']]) {
      const run = await runCli(['-C', bare.dir, '--caddy-admin', bare.caddy.adminAddress, ...args]);
      assert.equal(run.code, 3, `${args.join(' ')}: ${run.stderr}`);
      const errors = run.stderr.split('\n').filter((line) => line.startsWith('error:'));
      assert.deepEqual(errors.length, 1, run.stderr);
      assert.match(errors[0] ?? '', /^error: compose\.yml: services\.web\.ports: Caddy reaches web on a host port, but compose\.yml publishes none for its port 3000: add ports: \["127\.0\.0\.1:<free port>:3000"\] to web in compose\.yml/);
      assert.equal(run.stdout, '', 'no plan is printed for a reset that cannot run');
    }
    assert.deepEqual(await snapshot(), before);
    assert.equal((await httpGet(bare.caddy.url('/version'))).body, 'v1');
  });
});
