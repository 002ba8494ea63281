/**
 * The health wait as the CLI runs it, on real Docker and Caddy: a version that
 * Docker calls unhealthy is waited for (with progress showing each container's
 * health and last check output) and deployed once it turns healthy; with
 * --fail-fast the first "unhealthy" ends the deploy; a version that stays
 * unhealthy fails at HEALTH_CHECK_TIMEOUT with an error naming each container,
 * its health and its check output, and the hint for that case.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { rigDockerClient } from '../rig/docker-client.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { runCli, spawnCli } from '../rig/run-cli.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';
import { waitUntil } from '../rig/wait-until.js';

const scope = testScope('healthwait');
const docker = rigDockerClient();
let project: HostModeProject;

before(async () => {
  await Promise.all(['v1', 'v2', 'v3'].map((v) => buildTestImage(docker, scope, v)));
  project = await createHostModeProject(docker, scope, { services: ['web'], healthProbe: 'node' });
  const first = await cli(['deploy', 'v1']);
  assert.equal(first.code, 0, first.stderr);
});
after(async () => {
  await project?.remove();
  assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
});

function cli(args: string[], env: Record<string, string> = {}) {
  return runCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, ...args], { env });
}

async function names(): Promise<string[]> {
  return (await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.name}`] } })).map((c) => (c.Names[0] ?? '').slice(1)).sort();
}

/** POSTs to the test app's control route on its published loopback port. */
function postControl(port: number, route: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: route, method: 'POST', agent: false, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`POST ${route} answered ${response.statusCode}`))));
    });
    request.on('timeout', () => request.destroy(new Error(`POST ${route}: no answer`)));
    request.on('error', reject);
    request.end();
  });
}

function events(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

// v1 went to green (the Caddyfile starts at the blue ports), so v2 goes to blue and v3 to green.
test('with --fail-fast the first "unhealthy" ends the deploy at once, traffic untouched', async () => {
  const before = await names();
  const started = Date.now();
  // Unhealthy for a minute; the compose healthcheck (1 s, 3 retries) says so after about 3 s.
  const run = await cli(['deploy', 'v2', '--fail-fast'], { HEALTH_FAIL_MS: '60000', HEALTH_CHECK_TIMEOUT: '120' });
  const took = Date.now() - started;
  assert.equal(run.code, 9, run.stderr);
  assert.ok(took < 40_000, `took ${took} ms: fail-fast did not end the wait`);
  assert.match(run.stderr, /error: 1 of 1 blue container\(s\) did not become healthy .*: \S+-web-blue unhealthy \(last check exit 1: 500 unhealthy: v2 still booting\)/);
  assert.match(run.stderr, /hint: .*Fail-fast .* leave fail-fast off to wait up to HEALTH_CHECK_TIMEOUT/);
  assert.deepEqual(await names(), before);
  assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v1');
});

test('a version that Docker calls unhealthy is waited for, with progress, and deployed once it is healthy', async () => {
  // v2 fails its health check until told otherwise: the deploy must still be waiting when Docker calls it unhealthy.
  const run = spawnCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, '--log-format', 'json', 'deploy', 'v2'], {
    env: { HEALTH_FAIL: '1', HEALTH_CHECK_TIMEOUT: '300' },
  });
  await waitUntil('Docker to call v2 unhealthy and the deploy to report it with its check output', 120_000, () => {
    const logged = events(run.stderr());
    const unhealthy = logged.some((e) => e.event === 'health.changed' && e.health === 'unhealthy');
    const progress = logged.some((e) => e.event === 'health.progress' && JSON.stringify(e.containers).includes('"health":"unhealthy"') && JSON.stringify(e.containers).includes('500 unhealthy: v2 told to fail'));
    return unhealthy && progress ? true : undefined;
  });
  // The deploy is still waiting: heal the app through its control route.
  await postControl(project.ports.blue.web as number, '/control/health?fail=0');
  const code = await run.done;
  assert.equal(code, 0, run.stderr());
  assert.ok(events(run.stderr()).some((e) => e.event === 'health.healthy'), run.stderr());
  assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v2');
  const state = JSON.parse(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8'));
  assert.deepEqual([state.active.version, state.history.at(-1).outcome], ['v2', 'succeeded']);
});

test('a version that stays unhealthy fails at HEALTH_CHECK_TIMEOUT, naming its health and check output', async () => {
  const before = await names();
  const started = Date.now();
  // Long enough for Docker's three failed checks (retries 3) even on a loaded machine.
  const run = await cli(['deploy', 'v3'], { HEALTH_FAIL: '1', HEALTH_CHECK_TIMEOUT: '20' });
  const took = Date.now() - started;
  assert.equal(run.code, 9, run.stderr);
  assert.ok(took >= 20_000, `failed after ${took} ms, before HEALTH_CHECK_TIMEOUT`);
  assert.match(run.stderr, /error: 1 of 1 green container\(s\) did not become healthy .*: \S+-web-green unhealthy \(last check exit 1: 500 unhealthy: v3 told to fail\)/);
  assert.match(run.stderr, /hint: .*health check still failed when HEALTH_CHECK_TIMEOUT \(now 20\.0 s\) ran out/);
  // Human progress lines while it waited.
  assert.match(run.stderr, /waiting for green \(.* of 20\.0 s\): \S+-web-green unhealthy \(last check exit 1: 500 unhealthy: v3 told to fail\)/);
  // The previous standby (green, v1) was replaced by v3's attempt (issue 8, item 5); blue, live, stays as it was.
  assert.deepEqual((await names()).filter((n) => n.endsWith('-blue')), before.filter((n) => n.endsWith('-blue')));
  assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v2');
});
