/**
 * Faults of the Docker engine during a deploy, on the real engine and Caddy
 * 2.6.2, without restarting dockerd (others use it): the new color's container
 * killed (`docker kill`) during the health wait and right after the switch
 * (docker-engine-cut.test.ts: the Docker API unreachable).
 * Each case: a clear error, traffic never lost by the old color, nothing left
 * behind once the engine answers, and the next command works.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCli, untilLogged } from '../rig/cli-until.js';
import { crashHarness } from '../rig/crash-harness.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { prepareFaultProject } from '../rig/project-env.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';

const scope = testScope('docker-faults');
const docker = rigDockerClient();

before(async () => {
  await Promise.all(['v1', 'v2', 'v3', 'v4', 'v5'].map((v) => buildTestImage(docker, scope, v)));
});
after(async () => {
  assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
});

describe('engine faults during a deploy', { concurrency: false }, () => {
  let project: HostModeProject;
  const h = crashHarness(docker, () => project);

  /** The error lines of a run (human or JSON log). */
  const errorLines = (stderr: string): string[] => stderr.split('\n').filter((line) => line.startsWith('error:') || line.includes('"level":50'));
  async function containerOf(version: string, service: string): Promise<string> {
    const list = await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.name}`, `cutover.version=${version}`, `cutover.service=${service}`] } });
    const id = list[0]?.Id;
    assert.ok(id !== undefined, `a ${service} container of ${version} exists`);
    return id;
  }
  async function assertServes(version: string, context: string): Promise<void> {
    for (let i = 0; i < 10; i += 1) {
      const answer = await httpGet(project.caddy.url('/version'));
      assert.deepEqual([answer.status, answer.body], [200, version], context);
    }
  }

  before(async () => {
    project = await createHostModeProject(docker, scope, { drainTimeout: '10' });
    await prepareFaultProject(project.dir, h.cli);
  });
  after(async () => {
    await project?.remove();
  });

  test('the new container killed during the health wait fails the deploy at once; the old color never stops serving; the next deploy works', async () => {
    const before = await h.state();
    const run = startCli(project, ['deploy', 'v3'], { START_DELAY_MS: '5000' });
    await untilLogged(run, /"phase":"waiting-healthy"/);
    await docker.getContainer(await containerOf('v3', 'web')).kill();
    const killedAt = Date.now();
    const code = await run.done;
    const tookMs = Date.now() - killedAt;
    assert.equal(code, 9, run.stderr());
    assert.ok(tookMs < 60_000, `it failed ${tookMs} ms after the kill, not at HEALTH_CHECK_TIMEOUT (180 s)`);
    assert.match(errorLines(run.stderr()).join('\n'), /web/, run.stderr());
    await assertServes('v2', 'after the failed deploy');
    const settled = await h.assertSettled('new container killed during the health wait');
    assert.deepEqual([settled.active, settled.standby], [before.active, before.standby], 'the project as it was, rollback target included');
    assert.equal(settled.history.at(-1)?.outcome, 'failed');

    const next = await h.cli(['deploy', 'v4']);
    assert.equal(next.code, 0, next.stderr);
    await h.assertSettled('the next deploy');
  });

  test('the new container killed right after the switch: status names it, a rollback brings the old version back at once', async () => {
    const before = await h.state();
    const run = startCli(project, ['deploy', 'v5']);
    await untilLogged(run, /"event":"switch\.acknowledged"/);
    await docker.getContainer(await containerOf('v5', 'web')).kill();
    const code = await run.done;
    assert.equal(code, 0, run.stderr());
    const status = await h.cli(['status', '--json']);
    assert.notEqual(status.code, 0, `status reports the dead container\n${status.stdout}`);
    assert.match(status.stdout, /web/);
    const rollback = await h.cli(['rollback']);
    assert.equal(rollback.code, 0, rollback.stderr);
    await assertServes(before.active?.version ?? '', 'after the rollback');
    // The dead color is the standby now: cleanup removes it, and nothing else is left.
    const cleanup = await h.cli(['cleanup']);
    assert.equal(cleanup.code, 0, cleanup.stderr);
    const settled = await h.assertSettled('a cleanup after the rollback');
    assert.deepEqual([settled.active?.version, settled.standby], [before.active?.version, null]);
  });
});
