/**
 * Bad input is refused with one clear line and a non-zero exit code, and
 * leaves traffic, containers and the state file exactly as they were. Also:
 * a change to Caddy made by someone else while a deploy runs is detected (412),
 * re-planned over, and kept.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CaddyAdmin } from '../../src/adapters/caddy/caddy-admin.js';
import { DockerEngine } from '../../src/adapters/docker/docker-engine.js';
import { deploy } from '../../src/run/deploy.js';
import type { Runtime } from '../../src/run/runtime.js';
import { silentLogger } from '../../src/log.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { freePort } from '../rig/free-port.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { recordingLogger } from '../rig/recording-logger.js';
import { runCli, type CliRun } from '../rig/run-cli.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTestImage } from '../rig/test-image.js';

const scope = testScope('refusals');
const docker = rigDockerClient();
let project: HostModeProject;
let admin: CaddyAdmin;

function runtimeFor(logger = silentLogger()): Runtime {
  const client = new CaddyAdmin(project.caddy.adminAddress, { logger });
  return {
    projectDir: project.dir,
    stateDir: path.join(project.dir, 'caddy'),
    env: { ...process.env },
    logger,
    admin: client,
    docker: DockerEngine.fromEnvironment(logger),
    now: () => new Date(),
    close: () => client.close(),
  };
}

interface Snapshot {
  etag: string;
  containers: string;
  state: string;
}

async function snapshot(): Promise<Snapshot> {
  const list = await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.name}`] } });
  return {
    etag: (await admin.readConfig()).etag,
    containers: JSON.stringify(list.map((c) => [c.Names[0], c.State, c.Image]).sort()),
    state: await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8'),
  };
}

function cli(args: string[]): Promise<CliRun> {
  return runCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, ...args]);
}

/**
 * The error is one line starting with `error:`, maybe followed by one `hint:`
 * line, and nothing after it; progress lines may come before it.
 */
function assertOneLineError(run: CliRun, code: number, pattern: RegExp): void {
  assert.equal(run.code, code, `exit code; stderr: ${run.stderr}`);
  const lines = run.stderr.trim().split('\n');
  const at = lines.findIndex((line) => line.startsWith('error: '));
  assert.ok(at >= 0, `no error line: ${run.stderr}`);
  assert.equal(lines.filter((line) => line.startsWith('error: ')).length, 1, run.stderr);
  assert.match(lines[at] ?? '', pattern);
  const rest = lines.slice(at + 1);
  assert.ok(rest.length <= 1 && (rest[0] === undefined || rest[0].startsWith('hint: ')), `more than an error and a hint: ${run.stderr}`);
  assert.equal(run.stdout, '');
}

describe('refusals and concurrent changes', () => {
  before(async () => {
    await Promise.all(['v1', 'v2', 'v3'].map((v) => buildTestImage(docker, scope, v)));
    project = await createHostModeProject(docker, scope);
    admin = new CaddyAdmin(project.caddy.adminAddress, { logger: silentLogger() });
    const runtime = runtimeFor();
    try {
      await deploy(runtime, { version: 'v1', pull: 'never', stopOld: false, dryRun: false, verifyUrl: undefined, signal: new AbortController().signal });
    } finally {
      await runtime.close();
    }
  });
  after(async () => {
    await admin?.close();
    await project?.remove();
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('a version with shell characters', async () => {
    const before = await snapshot();
    assertOneLineError(await cli(['deploy', 'v2;rm -rf /']), 2, /version "v2;rm -rf \/" is not a valid image tag/);
    assert.deepEqual(await snapshot(), before);
  });

  test('an overlay naming a service that exists nowhere else', async () => {
    const before = await snapshot();
    const file = path.join(project.dir, 'compose.green.yml');
    const original = await readFile(file, 'utf8');
    await writeFile(file, `${original}  ghost:\n    container_name: ghost-green\n`);
    try {
      const run = await cli(['deploy', 'v2']);
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /ghost/);
    } finally {
      await writeFile(file, original);
    }
    assert.deepEqual(await snapshot(), before);
  });

  test('a shared service without a container that cutover could not start as written', async () => {
    const before = await snapshot();
    const file = path.join(project.dir, 'compose.yml');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('services:\n', `services:\n  db:\n    image: ${scope.prefix}-app:v1\n    privileged: true\n`));
    try {
      assertOneLineError(await cli(['deploy', 'v2']), 3, /services\.db: has no container, and cutover cannot start it as written: it uses privileged/);
    } finally {
      await writeFile(file, original);
    }
    assert.deepEqual(await snapshot(), before);
  });

  test('a missing overlay', async () => {
    const before = await snapshot();
    const file = path.join(project.dir, 'compose.green.yml');
    await rename(file, `${file}.away`);
    try {
      assertOneLineError(await cli(['deploy', 'v2']), 3, /compose\.green\.yml: not found in .*: cutover needs both color overlays/);
    } finally {
      await rename(`${file}.away`, file);
    }
    assert.deepEqual(await snapshot(), before);
  });

  // A name under .invalid never resolves (RFC 2606): even a broken refusal could send nothing anywhere.
  const REMOTE_ADMIN = 'http://cutover-remote-admin.invalid:2019';

  test('a plain-http admin address that is not loopback, by flag or by CADDY_ADMIN', async () => {
    const before = await snapshot();
    const byFlag = await runCli(['-C', project.dir, '--caddy-admin', REMOTE_ADMIN, 'deploy', 'v2']);
    assertOneLineError(byFlag, 2, /refusing Caddy admin address http:\/\/cutover-remote-admin\.invalid:2019 is plain HTTP .* no authentication: whoever can reach it controls Caddy/);
    assert.match(byFlag.stderr, /hint: .*--allow-remote-admin/);
    const byEnv = await runCli(['-C', project.dir, 'rollback'], { env: { CADDY_ADMIN: REMOTE_ADMIN } });
    assertOneLineError(byEnv, 2, /refusing Caddy admin address .* no authentication/);
    assert.deepEqual(await snapshot(), before);
    // Allowed, it is a warning; `config` never talks to Caddy, so nothing is sent to that address.
    const allowed = await runCli(['-C', project.dir, '--caddy-admin', REMOTE_ADMIN, '--allow-remote-admin', 'config', '--version', 'v2']);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stderr, /^warn: Caddy admin address http:\/\/cutover-remote-admin\.invalid:2019 is plain HTTP .* \(allowed by --allow-remote-admin\)$/m);
  });

  test('an unreachable Caddy', async () => {
    const before = await snapshot();
    const nobody = `127.0.0.1:${await freePort()}`;
    const run = await runCli(['-C', project.dir, '--caddy-admin', nobody, 'deploy', 'v2']);
    assertOneLineError(run, 4, new RegExp(`${nobody.replace(/\./g, '\\.')}.*connection refused`));
    assert.deepEqual(await snapshot(), before);
  });

  test("a Caddy config without a handler for one service", async () => {
    // Point the api route somewhere that is not api: now nothing in Caddy serves it.
    const read = await admin.readConfig();
    const text = JSON.stringify(read.value);
    const apiDial = `127.0.0.1:${project.ports.green.api}`;
    assert.ok(text.includes(apiDial), text);
    const servers = JSON.parse(text.split(apiDial).join('127.0.0.1:9')).apps.http.servers;
    await admin.changeConfig('PATCH', '/config/apps/http/servers', servers, { ifMatch: read.etag });
    const before = await snapshot();
    try {
      assertOneLineError(await cli(['deploy', 'v2']), 3, /no reverse_proxy handler in Caddy's config serves api/);
      assert.deepEqual(await snapshot(), before);
    } finally {
      const now = await admin.readConfig();
      await admin.changeConfig('PATCH', '/config/apps/http/servers', read.value && (read.value as { apps: { http: { servers: unknown } } }).apps.http.servers, { ifMatch: now.etag });
    }
  });

  test('a corrupt state file', async () => {
    const file = path.join(project.dir, 'caddy', 'cutover-state.json');
    const original = await readFile(file, 'utf8');
    await writeFile(file, '{"schemaVersion": 1, "project": ');
    try {
      const before = await snapshot();
      assertOneLineError(await cli(['deploy', 'v2']), 11, /cutover-state\.json/);
      assert.deepEqual(await snapshot(), before);
    } finally {
      await writeFile(file, original);
    }
  });

  test('--dry-run prints the plan and changes nothing', async () => {
    const before = await snapshot();
    const run = await cli(['deploy', 'v2', '--dry-run']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^deploy to v2: traffic moves from green \(v1\) to blue/);
    assert.match(run.stdout, /switch all 2 services to blue in one Caddy change/);
    assert.deepEqual(await snapshot(), before);
  });

  test("someone else's change during the deploy is detected, planned over, and kept", async () => {
    const log = recordingLogger();
    const runtime = runtimeFor(log.logger);
    let interfered = 0;
    runtime.beforeSwitchWrite = async () => {
      if (interfered > 0) return;
      interfered += 1;
      // A real change through the real admin API, between cutover's read and its write.
      const read = await admin.readConfig();
      await admin.changeConfig('PUT', '/config/apps/http/servers/srv0/routes/0', { match: [{ path: ['/someone'] }], handle: [{ handler: 'static_response', body: 'theirs' }] }, { ifMatch: read.etag });
    };
    try {
      await deploy(runtime, { version: 'v2', pull: 'never', stopOld: false, dryRun: false, verifyUrl: undefined, signal: new AbortController().signal });
    } finally {
      await runtime.close();
    }
    assert.equal(log.events('switch.conflict').length, 1, log.text());
    assert.equal((await httpGet(project.caddy.url('/someone'))).body, 'theirs');
    assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v2');
    assert.equal((await httpGet(project.caddy.url('/api/version'))).body, 'v2');
  });

  test('cleanup removes the standby only; reset refuses when Caddy could not reach the plain services, and changes nothing', async () => {
    const dry = await cli(['cleanup', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`would remove: ${project.name}-api-green \\(v1\\), ${project.name}-web-green \\(v1\\)`));
    const run = await cli(['cleanup']);
    assert.equal(run.code, 0, run.stderr);
    const names = (await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.name}`] } })).map((c) => c.Names[0]).sort();
    assert.deepEqual(names, [`/${project.name}-api-blue`, `/${project.name}-web-blue`]);
    assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v2');

    const refused = await cli(['reset']);
    assertOneLineError(refused, 2, /needs confirmation/);
    // compose.yml alone publishes no host port here: a reset would leave Caddy (on the host) nothing to reach.
    const stateBefore = await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8');
    const reset = await cli(['reset', '--yes']);
    assert.equal(reset.code, 3, reset.stderr);
    assert.match(reset.stderr, /compose\.yml: services\.web\.ports: Caddy reaches web on a host port, but compose\.yml publishes none/);
    const after = (await docker.listContainers({ all: true, filters: { label: [`cutover.project=${project.name}`] } })).map((c) => c.Names[0]).sort();
    assert.deepEqual(after, names);
    assert.equal(await readFile(path.join(project.dir, 'caddy', 'cutover-state.json'), 'utf8'), stateBefore);
    assert.equal((await httpGet(project.caddy.url('/version'))).body, 'v2');
  });
});
