/**
 * deploy --migrate on a real engine and a real Caddy on the host: a migration
 * that fails (its output shown, exit 15, traffic and containers untouched), one
 * that succeeds (its effect on a volume the new color mounts, written with the
 * new image and the new color's environment), and a deploy killed after its
 * migration whose next attempt does not run it again. Flag mistakes change
 * nothing.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { crashHarness } from '../rig/crash-harness.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { runInContainer } from '../rig/run-in-container.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';

const scope = testScope('migrate');
const docker = rigDockerClient();
const volume = scope.name('data');
let project: HostModeProject;
const h = crashHarness(docker, () => project);
const MIGRATE = 'sh -c "echo migrated $APP_VERSION $MIGRATE_COLOR >> /data/migrations; echo wrote the migration"';

before(async () => {
  for (const version of ['v1', 'v2', 'v3']) await buildTestImage(docker, scope, version);
  await docker.createVolume({ Name: volume, Labels: scope.labels });
  project = await createHostModeProject(docker, scope, { drainTimeout: '10' });
  // The web service mounts a shared volume; each overlay gives its color an environment variable of its own.
  const compose = path.join(project.dir, 'compose.yml');
  const text = await readFile(compose, 'utf8');
  const withVolume = text
    .replace(/(\n {2}web:\n(?: {4}.*\n)*?) {4}networks: \[net\]/, '$1    volumes:\n      - data:/data\n    networks: [net]')
    .concat(`volumes:\n  data:\n    external: true\n    name: ${volume}\n`);
  assert.notEqual(withVolume.indexOf('- data:/data'), -1, 'the volume was added to web');
  await writeFile(compose, withVolume);
  for (const color of ['blue', 'green'] as const) {
    const overlay = path.join(project.dir, `compose.${color}.yml`);
    const o = await readFile(overlay, 'utf8');
    await writeFile(overlay, o.replace(`container_name: ${project.name}-web-${color}\n`, `container_name: ${project.name}-web-${color}\n    environment:\n      MIGRATE_COLOR: ${color}\n`));
  }
  const first = await h.cli(['deploy', 'v1']);
  assert.equal(first.code, 0, first.stderr);
});

after(async () => {
  await project?.remove();
  assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
});

async function migrations(): Promise<string[]> {
  const read = await runInContainer(docker, { image: `${scope.prefix}-app:v1`, cmd: ['sh', '-c', 'cat /data/migrations 2>/dev/null; true'], name: scope.name(`read-${Date.now()}`), labels: scope.labels, binds: [`${volume}:/data:ro`] });
  return read.output.split('\n').filter((line) => line !== '');
}

async function migrationContainers(): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`cutover.migration.project=${project.name}`] } });
  return list.map((c) => c.Names[0] ?? '');
}

/** The color the next deploy starts: the one not active. */
async function nextColor(): Promise<string> {
  return (await h.state()).active?.color === 'blue' ? 'green' : 'blue';
}

async function liveVersion(): Promise<string> {
  return (await httpGet(project.caddy.url('/version'))).body;
}

describe('deploy --migrate', { concurrency: false }, () => {
  test('flag mistakes are refused before anything changes (exit 2)', async () => {
    const stateBefore = await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8');
    const cases: Array<[string[], RegExp]> = [
      [['--migrate', 'true'], /--migrate needs --migrate-service <service>.*web, api|api, web/],
      [['--migrate', 'true', '--migrate-service', 'db'], /--migrate-service "db" is not a colored service/],
      [['--migrate-service', 'web'], /--migrate-service needs --migrate/],
      [['--migrate', 'sh -c "unclosed', '--migrate-service', 'web'], /quote that is not closed/],
    ];
    for (const [flags, message] of cases) {
      const run = await h.cli(['deploy', 'v2', ...flags]);
      assert.equal(run.code, 2, `${flags.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr.split('\n')[0] ?? '', message);
    }
    assert.equal(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8'), stateBefore, 'the state file is unchanged');
    const active = (await h.state()).active?.color;
    assert.deepEqual((await h.containers()).map((c) => c.color), [active, active], 'only the active color runs');
  });

  test('a failing migration stops the deploy: output shown, exit 15, traffic and containers untouched', async () => {
    const containersBefore = await h.containers();
    const run = await h.cli(['deploy', 'v2', '--migrate', 'sh -c "echo the table is locked >&2; exit 3"', '--migrate-service', 'web']);
    assert.equal(run.code, 15, run.stderr);
    assert.match(run.stderr, /\| the table is locked/, 'the output is shown');
    assert.match(run.stderr, /error: the migration .* exited with code 3: the table is locked/);
    assert.equal(await liveVersion(), 'v1');
    assert.deepEqual(await h.containers(), containersBefore, 'no container of the new color was started');
    assert.deepEqual(await migrationContainers(), [], 'the migration container is removed');
    const state = await h.state();
    assert.equal(state.operation, null);
    const last = state.history.at(-1) as { outcome: string; migration?: { status: string; exitCode?: number } };
    assert.deepEqual([last.outcome, last.migration?.status, last.migration?.exitCode], ['failed', 'failed', 3]);
    assert.deepEqual(await migrations(), []);
  });

  test('a migration that succeeds ran once, on the new image with the new color\'s environment, before the switch', async () => {
    const to = await nextColor();
    const run = await h.cli(['deploy', 'v2', '--migrate', MIGRATE, '--migrate-service', 'web']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /\| wrote the migration/);
    assert.ok(run.stderr.indexOf('migration done') < run.stderr.indexOf('started '), 'the migration ran before the new color started');
    assert.deepEqual(await migrations(), [`migrated v2 ${to}`]);
    assert.equal(await liveVersion(), 'v2');
    assert.deepEqual(await migrationContainers(), []);
  });

  test('a deploy killed after its migration: the next attempt settles it and does not migrate again', async () => {
    const earlier = await migrations();
    const to = await nextColor();
    await h.killAt(['deploy', 'v3', '--migrate', MIGRATE, '--migrate-service', 'web'], /hanging after the journal recorded phase starting/, { CUTOVER_TEST_HANG_AFTER_PHASE: 'starting' });
    assert.deepEqual(await migrations(), [...earlier, `migrated v3 ${to}`], 'the killed deploy had migrated');
    const again = await h.cli(['deploy', 'v3', '--migrate', MIGRATE, '--migrate-service', 'web']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already ran on these images/);
    assert.deepEqual(await migrations(), [...earlier, `migrated v3 ${to}`], 'not run a second time');
    assert.equal(await liveVersion(), 'v3');
    const settled = await h.assertSettled('after the retry');
    const [interrupted, retried] = settled.history.slice(-2) as Array<{ outcome: string; recovered?: unknown; migration?: { status: string; ranIn?: string } }>;
    assert.equal(interrupted?.outcome, 'interrupted');
    assert.equal(interrupted?.migration?.status, 'succeeded');
    assert.equal(retried?.outcome, 'succeeded');
    assert.equal(retried?.migration?.status, 'skipped');
    assert.deepEqual(await migrationContainers(), []);
  });
});
