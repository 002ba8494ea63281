/**
 * Where the user's Caddy config checks a health path actively (health_uri),
 * a deploy asks that path on each new container too before traffic moves:
 * healthy for Docker is not enough.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HealthTimeoutError } from '../../src/errors.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';
import { deployInProcess } from '../rig/run-operation.js';
import { testRuntime } from '../rig/test-runtime.js';

const scope = testScope('healthpath');
const docker = rigDockerClient();
let project: HostModeProject;

before(async () => {
  await Promise.all(['v1', 'v2'].map((v) => buildTestImage(docker, scope, v)));
  // The app has no /ready: 404 there, while Docker's healthcheck (/health) passes.
  project = await createHostModeProject(docker, scope, { handlerLines: ['health_uri /ready', 'health_interval 30s'] });
});
after(async () => {
  await project?.remove();
  assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
});

const deployVersion = (version: string, env: Record<string, string> = {}) => deployInProcess({ dir: project.dir, adminAddress: project.caddy.adminAddress }, version, env);

test("a container healthy for Docker but failing the handler's health_uri never gets traffic", async () => {
  const { error, log } = await deployVersion('v1', { HEALTH_CHECK_TIMEOUT: '4' });
  assert.ok(error instanceof HealthTimeoutError, `${String(error)}\n${log.text()}`);
  assert.match(error.message, /healthy for Docker, but GET \/ready on its port 3000 \(the health_uri of its Caddy handler\) still answers: 404/);
  assert.equal((await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.name}`] } })).length, 0);
  assert.notEqual((await httpGet(project.caddy.url('/version'))).body, 'v1');
});

test('with a health_uri the app answers, the deploy asks it and goes on', async () => {
  const { runtime } = testRuntime({ dir: project.dir, adminAddress: project.caddy.adminAddress });
  try {
    const read = await runtime.admin.readConfig();
    const servers = JSON.parse(JSON.stringify((read.value as { apps: { http: { servers: unknown } } }).apps.http.servers).split('"/ready"').join('"/health"'));
    await runtime.admin.changeConfig('PATCH', '/config/apps/http/servers', servers, { ifMatch: read.etag });
  } finally {
    await runtime.close();
  }
  const { error, log } = await deployVersion('v2');
  assert.equal(error, undefined, log.text());
  assert.equal(log.events('health.path').length, 2, log.text());
  assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v2');
});
