/**
 * test/rig/sweep.ts, as scripts/test.sh runs it at the end of a run: everything
 * labelled with the run id goes (containers even when running), nothing else.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { rigDockerClient } from '../rig/docker-client.js';
import { findLabelled } from '../rig/labelled-objects.js';
import { prefixOfRun, RUN_LABEL, runTempPrefix, SCOPE_LABEL, testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';

const scope = testScope('sweep');
const docker = rigDockerClient();
const SWEEP = fileURLToPath(new URL('../rig/sweep.ts', import.meta.url));

describe('test rig: the sweep', () => {
  after(async () => {
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('removes every container, network, volume and image of a run id, and only those', async () => {
    // A pretend run; the scope label stays on everything so after() cleans up even if the sweep fails.
    const doomedRun = `${scope.prefix}-interrupted`;
    const doomed = { [RUN_LABEL]: doomedRun, [SCOPE_LABEL]: scope.prefix };
    const image = await buildTestImage(docker, scope, 'v1');

    const network = await docker.createNetwork({ Name: scope.name('net'), Labels: doomed });
    await docker.createVolume({ Name: scope.name('vol'), Labels: doomed });
    const running = await docker.createContainer({ name: scope.name('running'), Image: image, Labels: doomed, HostConfig: { NetworkMode: scope.name('net') } });
    await running.start();
    await running.commit({ repo: scope.name('committed'), tag: 'v1', changes: [`LABEL ${RUN_LABEL}=${doomedRun}`] });
    const bystander = await docker.createContainer({ name: scope.name('bystander'), Image: image, Labels: scope.labels });
    const leftDir = await mkdtemp(path.join(os.tmpdir(), `${runTempPrefix(prefixOfRun(doomedRun))}rootfs-`));

    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', SWEEP, doomedRun]);
    assert.match(stdout, new RegExp(`removed 1 containers: ${scope.name('running')}`));
    assert.match(stdout, new RegExp(`removed 1 networks: ${scope.name('net')}`));
    assert.match(stdout, new RegExp(`removed 1 volumes: ${scope.name('vol')}`));
    assert.match(stdout, new RegExp(`removed 1 images: ${scope.name('committed')}:v1`));
    assert.match(stdout, new RegExp(`removed 1 temp files: ${path.basename(leftDir)}`));
    assert.deepEqual(await findLabelled(docker, `${RUN_LABEL}=${doomedRun}`), NOTHING_LEFT);
    await assert.rejects(stat(leftDir), { code: 'ENOENT' });
    await assert.rejects(network.inspect(), /no such network|not found/i);
    assert.equal((await bystander.inspect()).State.Status, 'created', 'objects of other runs are left alone');

    const again = await promisify(execFile)(process.execPath, ['--import', 'tsx', SWEEP, doomedRun]);
    assert.match(again.stdout, /nothing left behind/);
  });
});
