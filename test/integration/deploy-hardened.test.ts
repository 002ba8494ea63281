/**
 * A hardened service, written the way production compose files are, deploys
 * v1 → v2 behind Caddy (in a container on the compose network), serves, and is
 * rolled back; every container cutover starts carries its settings: a user,
 * a read-only root with tmpfs, all capabilities dropped, no new privileges,
 * an init process, ulimits, extra_hosts with host-gateway, a pids limit, and a
 * secret readable at /run/secrets/<name> by that user with
 * the declared mode. Reuses the container-mode project of the rig. (CPU limits
 * and sysctls are compared with docker-compose in compose-fidelity.test.ts; a
 * CPU quota here would only make the health probes slow on a loaded machine.)
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { loadProject } from '../../src/config/load-project.js';
import { deploy } from '../../src/run/deploy.js';
import { rollback } from '../../src/run/rollback.js';
import type { Runtime } from '../../src/run/runtime.js';
import { startSharedServices } from '../../scripts/demo/start-shared-services.js';
import { appComposeService } from '../rig/app-compose-service.js';
import { buildTestCaddyImage } from '../rig/caddy-image.js';
import { createContainerModeProject, type ContainerModeProject } from '../rig/container-mode-project.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { httpGet, waitForHttp } from '../rig/http-get.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { testRuntime } from '../rig/test-runtime.js';
import { buildTestImage } from '../rig/test-image.js';

const run = promisify(execFile);
const scope = testScope('hardened');
const docker = rigDockerClient();
let project: ContainerModeProject | undefined;

function current(): ContainerModeProject {
  if (project === undefined) throw new Error('the project was not created (see before())');
  return project;
}

/** The hardening, appended to the rig's `web` service. */
const HARDENING = `
    user: "1000:1000"
    read_only: true
    tmpfs: ["/tmp:size=8m"]
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    init: true
    ulimits:
      nofile: {soft: 4096, hard: 8192}
    extra_hosts: ["host.docker.internal:host-gateway"]
    pids_limit: 200
    secrets:
      - source: api_token
        uid: "1000"
        gid: "1000"
        mode: 0400`;

async function withRuntime<T>(fn: (runtime: Runtime) => Promise<T>): Promise<T> {
  const { runtime, log } = testRuntime({ dir: current().dir, adminAddress: current().adminAddress });
  try {
    return await fn(runtime);
  } catch (error) {
    throw new Error(`${String(error)}\n${log.text()}`);
  } finally {
    await runtime.close();
  }
}

const signal = new AbortController().signal;

async function colorContainer(color: string): Promise<string> {
  const list = await docker.listContainers({ all: true, filters: { label: [`cutover.project=${current().name}`, `cutover.color=${color}`, 'cutover.service=web'] } });
  const [only] = list;
  assert.ok(only !== undefined && list.length === 1, `one ${color} web container, got ${list.length}`);
  return only.Id;
}

/** Runs a command in the running container as its own user (docker exec). */
async function execIn(id: string, cmd: string[]): Promise<string> {
  const { stdout } = await run('docker', ['exec', id, ...cmd], { timeout: 30_000 });
  return stdout;
}

async function assertHardened(id: string): Promise<void> {
  const info = await docker.getContainer(id).inspect();
  const host = info.HostConfig as Record<string, unknown>;
  assert.deepEqual(
    {
      User: info.Config.User,
      ReadonlyRootfs: host.ReadonlyRootfs,
      Tmpfs: host.Tmpfs,
      CapDrop: host.CapDrop,
      SecurityOpt: host.SecurityOpt,
      Init: host.Init,
      Ulimits: host.Ulimits,
      ExtraHosts: host.ExtraHosts,
      PidsLimit: host.PidsLimit,
    },
    {
      User: '1000:1000',
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'size=8m' },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      Init: true,
      Ulimits: [{ Name: 'nofile', Soft: 4096, Hard: 8192 }],
      ExtraHosts: ['host.docker.internal:host-gateway'],
      PidsLimit: 200,
    },
  );
  // The secret: readable by the service's user, with the declared owner and mode; the root file system refuses writes.
  assert.equal(await execIn(id, ['cat', '/run/secrets/api_token']), 'token-for-hardened\n');
  assert.match(await execIn(id, ['ls', '-ln', '/run/secrets/api_token']), /^-r-------- +1 1000 +1000 /);
  assert.equal((await execIn(id, ['sh', '-c', 'touch /app/x 2>/dev/null && echo writable || echo read-only'])).trim(), 'read-only');
  assert.equal((await execIn(id, ['sh', '-c', 'touch /tmp/x && echo writable'])).trim(), 'writable');
  assert.equal((await execIn(id, ['sh', '-c', 'id -u 2>/dev/null || echo $(cat /proc/self/status | grep ^Uid)'])).includes('1000'), true);
}

describe('a hardened service deploys, serves through Caddy and rolls back with every setting', () => {
  before(async () => {
    await Promise.all([buildTestImage(docker, scope, 'v1'), buildTestImage(docker, scope, 'v2'), buildTestCaddyImage(docker, scope)]);
    project = await createContainerModeProject(docker, scope, { services: ['web'] });
    // The rig's compose.yml, with the hardening added to web and the secret it names.
    const composePath = path.join(project.dir, 'compose.yml');
    const written = await readFile(composePath, 'utf8');
    const plainWeb = appComposeService(scope, 'web', { startPeriod: '30s' });
    assert.ok(written.includes(plainWeb), 'the rig writes web as appComposeService does');
    await writeFile(composePath, `${written.replace(plainWeb, `${plainWeb}${HARDENING}`)}secrets:\n  api_token:\n    file: ./api-token.txt\n`);
    await writeFile(path.join(project.dir, 'api-token.txt'), 'token-for-hardened\n', { mode: 0o600 });
    await withRuntime(async (runtime) => {
      const loaded = await loadProject({ projectDir: current().dir, env: runtime.env, variables: { VERSION: 'v1' } });
      await startSharedServices(runtime, loaded);
    });
    await waitForHttp(`${project.adminAddress}/config/`, 30_000);
  });

  after(async () => {
    await project?.remove();
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('v1 then v2: each color runs hardened and serves through Caddy', async () => {
    await withRuntime((runtime) => deploy(runtime, { version: 'v1', pull: 'never', stopOld: false, dryRun: false, verifyUrl: undefined, signal }));
    const v1 = await httpGet(current().url('/version'));
    assert.deepEqual([v1.status, v1.body, v1.headers['x-app-color']], [200, 'v1', 'blue']);
    await assertHardened(await colorContainer('blue'));

    await withRuntime((runtime) => deploy(runtime, { version: 'v2', pull: 'never', stopOld: false, dryRun: false, verifyUrl: undefined, signal }));
    const v2 = await httpGet(current().url('/version'));
    assert.deepEqual([v2.status, v2.body, v2.headers['x-app-color']], [200, 'v2', 'green']);
    await assertHardened(await colorContainer('green'));
  });

  test('rollback: traffic back on the hardened blue v1, which still has its secret', async () => {
    await withRuntime((runtime) => rollback(runtime, { pull: 'never', dryRun: false, verifyUrl: undefined, signal }));
    const back = await httpGet(current().url('/version'));
    assert.deepEqual([back.status, back.body, back.headers['x-app-color']], [200, 'v1', 'blue']);
    await assertHardened(await colorContainer('blue'));
  });
});
