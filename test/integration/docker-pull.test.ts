/**
 * Pulling from a real registry (Debian's docker-registry on 127.0.0.1), and
 * finding registry credentials the way the docker CLI does.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DockerEngine } from '../../src/adapters/docker/docker-engine.js';
import type { PullProgress } from '../../src/adapters/docker/pull-progress.js';
import { registryHostOf, resolveRegistryAuth } from '../../src/adapters/docker/registry-auth.js';
import { DockerOperationError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { startLocalRegistry, type LocalRegistry } from '../rig/local-registry.js';
import { runTempPrefix, SCOPE_LABEL, testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTinyImage, followJsonStream } from '../rig/test-image.js';

const scope = testScope('pull');
const docker = rigDockerClient();
const engine = DockerEngine.fromEnvironment(silentLogger());
let registry: LocalRegistry | undefined;
let configDir = '';

/** The registry's blob files bigger than 100 kB: the layers (configs and manifests are small). */
async function findLargeBlobs(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && entry.name === 'data' && (await stat(file)).size > 100_000) found.push(file);
  }
  return found;
}

/** A docker config dir of our own, so the user's ~/.docker never takes part. */
async function writeDockerConfig(config: object): Promise<NodeJS.ProcessEnv> {
  await writeFile(path.join(configDir, 'config.json'), JSON.stringify(config));
  return { ...process.env, DOCKER_CONFIG: configDir, PATH: `${configDir}:${process.env.PATH ?? ''}` };
}

/** Builds a tiny image, pushes it to the local registry and removes it here, so only the registry has it; returns its name there. */
async function pushOnly(local: LocalRegistry, tag: string): Promise<string> {
  const built = await buildTinyImage(docker, scope, tag);
  const remote = `${local.host}/${scope.prefix}-tiny:${tag}`;
  await docker.getImage(built).tag({ repo: `${local.host}/${scope.prefix}-tiny`, tag });
  // An empty X-Registry-Auth is enough for a registry without auth.
  await followJsonStream(await docker.getImage(remote).push({ authconfig: { serveraddress: local.host } }), `pushing ${remote}`);
  await docker.getImage(remote).remove();
  await docker.getImage(built).remove();
  return remote;
}

describe('docker adapter: pulling images', () => {
  before(async () => {
    configDir = await mkdtemp(path.join(os.tmpdir(), `${runTempPrefix()}docker-config-`));
    registry = await startLocalRegistry();
  });

  after(async () => {
    await registry?.stop();
    await rm(configDir, { recursive: true, force: true });
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('pulls an image pushed to a local registry, reporting progress to the end', async () => {
    assert.ok(registry);
    const remote = await pushOnly(registry, 'pushed-1');
    assert.equal(await engine.imageExists(remote), false);

    const seen: PullProgress[] = [];
    const final = await engine.pullImage(remote, { env: await writeDockerConfig({}), onProgress: (p) => seen.push(p) });
    assert.ok(seen.length > 0, 'progress was reported');
    assert.deepEqual({ layers: final.layers, layersDone: final.layersDone, layersPresent: final.layersPresent }, { layers: 1, layersDone: 1, layersPresent: 0 });
    assert.ok(final.bytesDownloaded > 500_000, `downloaded ${final.bytesDownloaded} bytes (busybox, compressed)`);
    assert.ok(seen.some((p) => p.bytesDownloaded > 0 && p.layersDone === 0), 'progress while downloading, before the end');
    assert.match(final.status, /Downloaded newer image/);
    assert.equal(await engine.imageExists(remote), true);
    // The pulled image is the one pushed, test labels included (so the sweep finds it).
    const info = await docker.getImage(remote).inspect();
    assert.equal(info.Config.Labels?.[SCOPE_LABEL], scope.prefix);
    assert.deepEqual(info.Config.Cmd, ['/bin/busybox', 'cat', '/etc/tiny-version']);
  });

  test('a tag the registry does not have is a DockerOperationError with Docker’s message and a hint', async () => {
    assert.ok(registry);
    const missing = `${registry.host}/${scope.prefix}-tiny:no-such-tag`;
    await assert.rejects(engine.pullImage(missing, { env: await writeDockerConfig({}) }), (err: unknown) => {
      assert.ok(err instanceof DockerOperationError);
      assert.match(err.message, new RegExp(`^pulling ${missing.replace(/[.]/g, '\\.')}: .*(not found|unknown)`, 'i'));
      assert.match(err.hint ?? '', /tag exists/);
      return true;
    });
  });

  test('a pull that fails after it started (a layer gone from the registry) is a DockerOperationError from the stream', async () => {
    assert.ok(registry);
    const remote = await pushOnly(registry, 'broken-1');
    // Docker answers 200 and starts the progress stream (the manifest is fine); the layer download then fails inside it.
    const blobs = path.join(registry.storageDir, 'docker/registry/v2/blobs/sha256');
    const layerBlobs = await findLargeBlobs(blobs);
    assert.ok(layerBlobs.length >= 1);
    for (const blob of layerBlobs) await rm(blob);

    const seen: PullProgress[] = [];
    await assert.rejects(engine.pullImage(remote, { env: await writeDockerConfig({}), onProgress: (p) => seen.push(p) }), (err: unknown) => {
      assert.ok(err instanceof DockerOperationError);
      assert.match(err.message, /^pulling .*: unknown blob/);
      assert.match(err.hint ?? '', /push the image again/);
      return true;
    });
    assert.ok(seen.some((p) => p.layers === 1), 'the stream had started');
    assert.equal(await engine.imageExists(remote), false);
  });

  test('credentials come from auths, a credential helper, or a clear error when the helper is missing', async () => {
    assert.ok(registry);
    const ref = `${registry.host}/team/app:v1`;
    assert.equal(registryHostOf(ref), registry.host);
    assert.equal(registryHostOf('ghcr.io/tale-project/tale/tale-platform:v1'), 'ghcr.io');
    assert.equal(registryHostOf('library/postgres:16'), 'docker.io');

    const basic = Buffer.from('deploy:s3cr:et').toString('base64');
    let env = await writeDockerConfig({ auths: { [`http://${registry.host}`]: { auth: basic } } });
    assert.deepEqual(await resolveRegistryAuth(ref, env), { serveraddress: registry.host, username: 'deploy', password: 's3cr:et' });
    assert.equal(await resolveRegistryAuth('ghcr.io/x/y:1', env), undefined, 'no entry: anonymous');
    // The registry has no auth configured, so a pull with these credentials still works.
    await engine.pullImage(`${registry.host}/${scope.prefix}-tiny:pushed-1`, { env });

    // A fake helper speaking the docker-credential-helpers protocol (server URL on stdin, JSON out).
    const helper = path.join(configDir, 'docker-credential-cutover-test');
    await writeFile(
      helper,
      '#!/bin/sh\nread server\nif [ "$server" = "ghcr.io" ]; then echo "credentials not found in native keychain"; exit 1; fi\n' +
        'printf \'{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}\' "$server"\n',
    );
    await chmod(helper, 0o755);
    env = await writeDockerConfig({ credHelpers: { [registry.host]: 'cutover-test' }, credsStore: 'cutover-test' });
    assert.deepEqual(await resolveRegistryAuth(ref, env), { serveraddress: registry.host, username: 'helper-user', password: 'helper-secret' });
    assert.equal(await resolveRegistryAuth('ghcr.io/x/y:1', env), undefined, 'not stored: anonymous');

    env = await writeDockerConfig({ credsStore: 'absent-helper' });
    await assert.rejects(resolveRegistryAuth(ref, env), (err: unknown) => {
      assert.ok(err instanceof DockerOperationError);
      assert.match(err.message, /docker-credential-absent-helper .* is not installed/);
      assert.match(err.hint ?? '', /credsStore/);
      return true;
    });
  });
});
