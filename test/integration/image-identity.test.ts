/**
 * Image identity end to end, with a real registry (Debian's docker-registry on
 * 127.0.0.1), a real Caddy on the host and real containers: a moving tag
 * (`latest`) is pulled on every deploy, each release is recorded by digest,
 * a rollback starts exactly the previous release by digest (even when the tag
 * has moved and the host has lost the image), a deploy of what already runs
 * changes nothing, and bad input is refused with one line, changing nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CaddyAdmin } from '../../src/adapters/caddy/caddy-admin.js';
import { silentLogger } from '../../src/log.js';
import type { State } from '../../src/state/state-schema.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { startLocalRegistry, type LocalRegistry } from '../rig/local-registry.js';
import { assertOneLineError } from '../rig/assert-one-line-error.js';
import { runCli, type CliRun } from '../rig/run-cli.js';
import { runTempPrefix, testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage, followJsonStream } from '../rig/test-image.js';

const scope = testScope('imageid');
const docker = rigDockerClient();
let registry: LocalRegistry;
let project: HostModeProject;
let admin: CaddyAdmin;
let dockerConfigDir = '';
/** `127.0.0.1:<port>/<prefix>-app` */
let repo = '';
/** The repository digests of v1 and v2 as pushed under `latest`. */
const digest: Record<'v1' | 'v2', string> = { v1: '', v2: '' };

function cli(args: string[]): Promise<CliRun> {
  // A docker config of our own, so the user's credentials never take part.
  return runCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, ...args], { env: { DOCKER_CONFIG: dockerConfigDir } });
}

function assertOk(run: CliRun): void {
  assert.equal(run.code, 0, `exit code ${run.code}; stderr:\n${run.stderr}`);
}

async function readStateFile(): Promise<State> {
  return JSON.parse(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8')) as State;
}

/** Caddy's config (by ETag), the project's containers with their images, and the state file: what "nothing changed" compares. */
async function snapshot(): Promise<{ etag: string; containers: string; state: string }> {
  const list = await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.name}`] } });
  return {
    etag: (await admin.readConfig()).etag,
    containers: JSON.stringify(list.map((c) => [c.Names[0], c.State, c.Image, c.ImageID]).sort()),
    state: await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8'),
  };
}

/** Pushes local image `from` as `<repo>:<tag>` and returns the repository digest the registry gave it. */
async function pushAs(from: string, tag: string): Promise<string> {
  await docker.getImage(from).tag({ repo, tag });
  const events: Array<{ aux?: { Digest?: string } }> = [];
  const stream = await docker.getImage(`${repo}:${tag}`).push({ authconfig: { serveraddress: registry.host } });
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.includes('"aux"')) events.push(JSON.parse(line) as { aux?: { Digest?: string } });
  });
  await followJsonStream(stream, `pushing ${repo}:${tag}`);
  const pushed = events.find((e) => e.aux?.Digest !== undefined)?.aux?.Digest;
  assert.ok(pushed !== undefined && /^sha256:[0-9a-f]{64}$/.test(pushed), 'the push reported a digest');
  return pushed;
}

async function imageIdOf(ref: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch {
    return undefined;
  }
}

/** Per service, the image reference and image ID of the containers of `color`. */
async function runningImages(color: 'blue' | 'green'): Promise<Array<{ name: string; image: string; imageId: string }>> {
  const list = await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.name}`, `cutover.color=${color}`] } });
  return list.map((c) => ({ name: (c.Names[0] ?? '').slice(1), image: c.Image, imageId: c.ImageID })).sort((a, b) => a.name.localeCompare(b.name));
}

async function liveVersion(): Promise<string> {
  return (await httpGet(project.caddy.url('/version'))).body;
}

describe('image identity: moving tags, digests, rollback by digest', () => {
  let v1Id = '';
  let v2Id = '';

  before(async () => {
    dockerConfigDir = await mkdtemp(path.join(os.tmpdir(), `${runTempPrefix()}docker-config-`));
    await writeFile(path.join(dockerConfigDir, 'config.json'), '{}');
    registry = await startLocalRegistry();
    repo = `${registry.host}/${scope.prefix}-app`;
    await Promise.all(['v1', 'v2'].map((v) => buildTestImage(docker, scope, v)));
    v1Id = (await imageIdOf(`${scope.prefix}-app:v1`)) ?? '';
    v2Id = (await imageIdOf(`${scope.prefix}-app:v2`)) ?? '';
    project = await createHostModeProject(docker, scope, { image: `${repo}:\${VERSION}` });
    admin = new CaddyAdmin(project.caddy.adminAddress, { logger: silentLogger() });
  });
  after(async () => {
    await admin?.close();
    await project?.remove();
    await registry?.stop();
    await rm(dockerConfigDir, { recursive: true, force: true });
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('deploy latest (v1 pushed as latest): recorded by digest, shown by status', async () => {
    digest.v1 = await pushAs(`${scope.prefix}-app:v1`, 'latest');
    assertOk(await cli(['deploy', 'latest']));
    assert.equal(await liveVersion(), 'v1');
    const state = await readStateFile();
    assert.equal(state.active?.version, 'latest');
    for (const service of ['web', 'api']) {
      assert.deepEqual(state.active?.images?.[service], { ref: `${repo}:latest`, id: v1Id, digest: digest.v1 });
    }
    // The containers are created from the pinned reference, whatever the tag says later.
    for (const c of await runningImages('green')) assert.deepEqual([c.image, c.imageId], [`${repo}@${digest.v1}`, v1Id]);

    const status = await cli(['status', '--json']);
    assertOk(status);
    const report = JSON.parse(status.stdout);
    assert.deepEqual(report.active.images.web, { ref: `${repo}:latest`, id: v1Id, digest: digest.v1 });
    const container = report.services.find((s: { name: string }) => s.name === 'web').containers[0];
    assert.deepEqual([container.image.ref, container.image.id, container.image.digest], [`${repo}:latest`, v1Id, digest.v1]);
    const human = await cli(['status']);
    assertOk(human);
    assert.match(human.stdout, new RegExp(`${repo.replace(/[.]/g, '\\.')}:latest@${digest.v1.slice(0, 19)}`));
  });

  test('v2 pushed as latest while the host still holds the old latest: deploy latest pulls v2 and makes it live', async () => {
    digest.v2 = await pushAs(`${scope.prefix}-app:v2`, 'latest');
    // Put the host's `latest` back on v1: the host now holds the old build under the moving tag.
    await docker.getImage(`${scope.prefix}-app:v1`).tag({ repo, tag: 'latest' });
    assert.equal(await imageIdOf(`${repo}:latest`), v1Id);
    assert.notEqual(digest.v1, digest.v2);

    const run = await cli(['--log-format', 'json', 'deploy', 'latest']);
    assertOk(run);
    assert.ok(run.stderr.split('\n').some((line) => line.includes('"event":"pull.done"') && line.includes(`${repo}:latest`)), 'latest was pulled although the host had a latest');
    assert.equal(await liveVersion(), 'v2');
    assert.equal(await imageIdOf(`${repo}:latest`), v2Id);
    for (const c of await runningImages('blue')) assert.deepEqual([c.image, c.imageId], [`${repo}@${digest.v2}`, v2Id]);

    const state = await readStateFile();
    assert.deepEqual(state.active?.images?.web, { ref: `${repo}:latest`, id: v2Id, digest: digest.v2 });
    assert.deepEqual(state.standby?.images?.web, { ref: `${repo}:latest`, id: v1Id, digest: digest.v1 });
    const entry = state.history.at(-1);
    assert.deepEqual([entry?.version, entry?.images?.web?.digest, entry?.fromImages?.web?.digest], ['latest', digest.v2, digest.v1]);
    // History shows tag and digest.
    const human = await cli(['status']);
    assert.match(human.stdout, new RegExp(`latest@${digest.v2.slice(0, 19)}`));
  });

  test('deploy latest again: the live color already runs it, so nothing changes (exit 0)', async () => {
    const before = await snapshot();
    const run = await cli(['deploy', 'latest']);
    assertOk(run);
    assert.match(run.stdout, /^unchanged: blue already runs .*; nothing was changed \(--force deploys them again\)\n$/);
    assert.deepEqual(await snapshot(), before);
  });

  test('cleanup keeps the images; rollback starts v1 by digest even after the host lost it, while latest means v2', async () => {
    assertOk(await cli(['cleanup']));
    assert.deepEqual(await runningImages('green'), []);
    assert.equal(await imageIdOf(v1Id), v1Id, 'cleanup removed no image');
    // Now the host loses v1 entirely (as a prune would): the rollback must fetch it by digest.
    await docker.getImage(v1Id).remove({ force: true });
    assert.equal(await imageIdOf(v1Id), undefined);

    const run = await cli(['--log-format', 'json', 'rollback']);
    assertOk(run);
    assert.ok(run.stderr.split('\n').some((line) => line.includes('"event":"pull.done"') && line.includes(`${repo}@${digest.v1}`)), `pulled by digest:\n${run.stderr}`);
    assert.ok(!run.stderr.includes(`"image":"${repo}:latest"`), 'the tag was not resolved again');
    assert.equal(await liveVersion(), 'v1');
    assert.equal((await httpGet(project.caddy.url('/api/version'))).body, 'v1');
    for (const c of await runningImages('green')) assert.deepEqual([c.image, c.imageId], [`${repo}@${digest.v1}`, v1Id]);
    const state = await readStateFile();
    assert.deepEqual(state.active?.images?.api, { ref: `${repo}:latest`, id: v1Id, digest: digest.v1 });
    assert.equal(state.history.at(-1)?.kind, 'rollback');
  });

  test('deploy of the live digest (image: repo@${VERSION}): nothing changes (exit 0)', async () => {
    const compose = path.join(project.dir, 'compose.yml');
    await writeFile(compose, (await readFile(compose, 'utf8')).replaceAll(`${repo}:\${VERSION}`, `${repo}@\${VERSION}`));
    const before = await snapshot();
    const run = await cli(['deploy', digest.v1]);
    assertOk(run);
    assert.match(run.stdout, /^unchanged: green already runs /);
    assert.deepEqual(await snapshot(), before);
  });

  test('a digest that does not exist: one line, nothing changed', async () => {
    const before = await snapshot();
    const missing = `sha256:${'0'.repeat(64)}`;
    assertOneLineError(await cli(['deploy', missing]), 8, new RegExp(`^error: pulling ${repo.replace(/[.]/g, '\\.')}@${missing}: .*(not found|unknown).*; nothing was changed$`, 'i'));
    assert.deepEqual(await snapshot(), before);
  });

  test('a digest where the compose file writes name:${VERSION}: one line, nothing changed', async () => {
    const compose = path.join(project.dir, 'compose.yml');
    await writeFile(compose, (await readFile(compose, 'utf8')).replaceAll(`${repo}@\${VERSION}`, `${repo}:\${VERSION}`));
    const before = await snapshot();
    assertOneLineError(await cli(['deploy', digest.v2]), 3, /is a digest, but the image of web, api puts it where a tag goes .*: write the image as name@\$\{VERSION\}/);
    assert.deepEqual(await snapshot(), before);
  });

  test('a tag that vanished from the registry: one line, nothing changed', async () => {
    await rm(path.join(registry.storageDir, 'docker/registry/v2/repositories', `${scope.prefix}-app`, '_manifests/tags/latest'), { recursive: true });
    const before = await snapshot();
    assertOneLineError(await cli(['deploy', 'latest']), 8, new RegExp(`^error: pulling ${repo.replace(/[.]/g, '\\.')}:latest: .*(not found|unknown).*; nothing was changed$`, 'i'));
    assert.deepEqual(await snapshot(), before);
  });

  test('the registry down during a deploy of a moving tag: one line, nothing changed', async () => {
    await registry.stop();
    const before = await snapshot();
    const run = await cli(['deploy', 'latest']);
    assertOneLineError(run, 8, new RegExp(`^error: pulling ${repo.replace(/[.]/g, '\\.')}:latest: .*; nothing was changed$`));
    assert.match(run.stderr, /hint: .*moving tag.*--pull missing/);
    assert.deepEqual(await snapshot(), before);
  });

  test('rollback whose image is gone and cannot be pulled by digest: refused before anything is touched', async () => {
    assertOk(await cli(['cleanup']));
    await docker.getImage(v2Id).remove({ force: true });
    const before = await snapshot();
    const run = await cli(['rollback']);
    assertOneLineError(run, 1, new RegExp(`^error: the previous release's image ${repo.replace(/[.]/g, '\\.')}@${digest.v2} is no longer on this Docker engine and cannot be pulled by digest: `));
    assert.deepEqual(await snapshot(), before);
    assert.equal(await liveVersion(), 'v1');
  });
});
