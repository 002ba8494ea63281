/**
 * Every refusal we can produce (a bad flag, environment variable, version,
 * compose file, state file, lock, Docker or Caddy answer), one table: each is
 * one clear line with a non-zero exit code, and leaves everything exactly as it
 * was: Caddy's config and ETag, the containers, the state file's bytes, the
 * lock, the files next to the state file. All input is validated before the
 * first side effect, so even a project with a shared service that has no
 * container (a deploy would start it) is refused before that service starts.
 * Also: a change to Caddy made by someone else while a deploy runs is
 * detected (412), re-planned over, and kept.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { CaddyAdmin } from '../../src/adapters/caddy/caddy-admin.js';
import { DockerEngine } from '../../src/adapters/docker/docker-engine.js';
import { deploy } from '../../src/run/deploy.js';
import type { Runtime } from '../../src/run/runtime.js';
import { silentLogger } from '../../src/log.js';
import { assertOneLineError } from '../rig/assert-one-line-error.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { freePort } from '../rig/free-port.js';
import { createHostModeProject, type HostModeProject } from '../rig/host-mode-project.js';
import { httpGet } from '../rig/http-get.js';
import { recordingLogger } from '../rig/recording-logger.js';
import { runCli, type CliRun } from '../rig/run-cli.js';
import { SCOPE_LABEL, testScope } from '../rig/run-id.js';
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
  config: string;
  containers: string;
  state: string;
  lock: string | null;
  stateDir: string[];
}

/** Everything a refusal must leave as it was. */
async function snapshot(): Promise<Snapshot> {
  // By the test's scope label: cutover's containers and any shared service it might start carry it.
  const list = await docker.listContainers({ all: true, filters: { label: [`${SCOPE_LABEL}=${scope.prefix}`] } });
  const read = await admin.readConfig();
  const stateDir = path.join(project.dir, 'caddy');
  return {
    etag: read.etag,
    config: JSON.stringify(read.value),
    containers: JSON.stringify(list.map((c) => [c.Id, c.Names[0], c.State, c.Image]).sort()),
    state: await readFile(path.join(stateDir, 'cutover-state.json'), 'utf8'),
    lock: await readFile(path.join(stateDir, 'cutover.lock'), 'utf8').catch(() => null),
    stateDir: (await readdir(stateDir)).sort(),
  };
}

function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(['-C', project.dir, '--caddy-admin', project.caddy.adminAddress, ...args], { env });
}

/** Rewrites one project file for a case; hands back the undo. */
async function editFile(name: string, edit: (text: string) => string): Promise<() => Promise<void>> {
  const file = path.join(project.dir, name);
  const original = await readFile(file, 'utf8');
  await writeFile(file, edit(original));
  return () => writeFile(file, original);
}

/**
 * A shared service (compose.yml only) that has no container: a deploy starts
 * such a service before it reads Caddy, so a refusal that came after that
 * would leave it running. It carries the scope's labels, so the snapshot sees it.
 */
function withAbsentSharedService(compose: string): string {
  const labels = Object.entries(scope.labels).map(([k, v]) => `      ${k}: "${v}"`).join('\n');
  return compose.replace('services:\n', `services:\n  cache:\n    image: ${scope.prefix}-app:v1\n    labels:\n${labels}\n    networks: [net]\n`);
}

// A name under .invalid never resolves (RFC 2606): even a broken refusal could send nothing anywhere.
const REMOTE_ADMIN = 'http://cutover-remote-admin.invalid:2019';
const MISSING_DIGEST = `sha256:${'0'.repeat(64)}`;

interface Refusal {
  name: string;
  /** The command line; unless `own`, after -C <project> --caddy-admin <its Caddy>. */
  args: string[];
  own?: boolean;
  env?: Record<string, string>;
  /** Prepares the bad input (a file, Caddy's config, a lock); hands back the undo. */
  arrange?: () => Promise<() => Promise<void>>;
  code: number;
  error: RegExp;
}

const REFUSALS: Refusal[] = [
  // Flags and arguments.
  { name: 'a version with shell characters', args: ['deploy', 'v2;rm -rf /'], code: 2, error: /version "v2;rm -rf \/" is not a valid image tag/ },
  { name: 'a malformed digest', args: ['deploy', 'sha256:abc'], code: 2, error: /version "sha256:abc" is not a valid digest/ },
  { name: 'no version', args: ['deploy'], code: 2, error: /missing required argument 'version'/ },
  { name: 'an unknown flag', args: ['deploy', 'v2', '--bogus'], code: 2, error: /unknown option '--bogus'/ },
  { name: 'an unknown --pull policy', args: ['deploy', 'v2', '--pull', 'sometimes'], code: 2, error: /argument 'sometimes' is invalid\. Allowed choices are always, missing, never/ },
  { name: '--verify-url that is not a URL', args: ['deploy', 'v2', '--verify-url', 'ftp://x'], code: 2, error: /--verify-url ftp:\/\/x is not an http:\/\/ or https:\/\/ URL/ },
  { name: 'rollback --verify-url that is not a URL', args: ['rollback', '--verify-url', 'localhost/health'], code: 2, error: /--verify-url localhost\/health is not an http:\/\/ or https:\/\/ URL/ },
  { name: '--probe-url that is not a URL', args: ['deploy', 'v2', '--canary', '10', '--probe-url', 'nope'], code: 2, error: /--probe-url nope is not an http:\/\/ or https:\/\/ URL/ },
  { name: 'canary steps that do not rise', args: ['deploy', 'v2', '--canary', '50,10'], code: 2, error: /--canary 50,10: steps must rise/ },
  { name: 'a canary step of 100%', args: ['deploy', 'v2', '--canary', '10,100'], code: 2, error: /"100" is not a percentage from 1 to 99/ },
  { name: 'a canary flag without --canary', args: ['deploy', 'v2', '--step-interval', '5s'], code: 2, error: /--step-interval applies only to a canary/ },
  { name: 'a step interval under a second', args: ['deploy', 'v2', '--canary', '10', '--step-interval', '10ms'], code: 2, error: /--step-interval 10ms is not a duration of at least 1s/ },
  { name: 'an error rate that is no rate', args: ['deploy', 'v2', '--canary', '10', '--max-error-rate', 'lots'], code: 2, error: /--max-error-rate lots is not an error rate/ },
  { name: 'an unknown --log-format', args: ['deploy', 'v2', '--log-format', 'xml'], code: 2, error: /argument 'xml' is invalid/ },
  { name: 'reset without --yes', args: ['reset'], code: 2, error: /needs confirmation/ },
  // The Caddy admin address, by flag or by environment.
  { name: 'a plain-http admin address that is not loopback', args: ['-C', '{dir}', '--caddy-admin', REMOTE_ADMIN, 'deploy', 'v2'], own: true, code: 2, error: /refusing Caddy admin address http:\/\/cutover-remote-admin\.invalid:2019 is plain HTTP .* no authentication: whoever can reach it controls Caddy/ },
  { name: 'CADDY_ADMIN naming a remote plain-http address', args: ['-C', '{dir}', 'rollback'], own: true, env: { CADDY_ADMIN: REMOTE_ADMIN }, code: 2, error: /refusing Caddy admin address .* no authentication/ },
  // Settings from the environment.
  { name: 'a DRAIN_TIMEOUT that is no duration', args: ['deploy', 'v2'], env: { DRAIN_TIMEOUT: 'soon' }, code: 3, error: /DRAIN_TIMEOUT: "soon"/ },
  // Compose files.
  {
    name: 'an overlay naming a service that exists nowhere else',
    args: ['deploy', 'v2'],
    arrange: () => editFile('compose.green.yml', (text) => `${text}  ghost:\n    container_name: ghost-green\n`),
    code: 3,
    error: /ghost/,
  },
  {
    name: 'a missing overlay',
    args: ['deploy', 'v2'],
    arrange: async () => {
      const file = path.join(project.dir, 'compose.green.yml');
      await rename(file, `${file}.away`);
      return () => rename(`${file}.away`, file);
    },
    code: 3,
    error: /compose\.green\.yml: not found in .*: cutover needs both color overlays/,
  },
  {
    name: 'a shared service without a container that cutover could not start as written',
    args: ['deploy', 'v2'],
    arrange: () => editFile('compose.yml', (text) => text.replace('services:\n', `services:\n  db:\n    image: ${scope.prefix}-app:v1\n    volumes_from: [web]\n`)),
    code: 3,
    error: /services\.db: has no container, and cutover cannot start it as written: it uses volumes_from/,
  },
  {
    name: 'an image that does not use ${VERSION} (with a shared service to start)',
    args: ['deploy', 'v2'],
    arrange: () => editFile('compose.yml', (text) => withAbsentSharedService(text.replace(`${scope.prefix}-app:\${VERSION}`, `${scope.prefix}-app:v1`))),
    code: 3,
    error: /does not use \$\{VERSION\}, so deploying a version cannot change it/,
  },
  {
    name: '--pull never with a missing image (with a shared service to start)',
    args: ['deploy', 'v9', '--pull', 'never'],
    arrange: () => editFile('compose.yml', withAbsentSharedService),
    code: 3,
    error: /image .*-app:v9 is not on this Docker engine and --pull never forbids pulling it/,
  },
  {
    name: 'a digest where the compose file writes name:${VERSION} (with a shared service to start)',
    args: ['deploy', MISSING_DIGEST],
    arrange: () => editFile('compose.yml', withAbsentSharedService),
    code: 3,
    error: /is a digest, but the image of web, api puts it where a tag goes .*: write the image as name@\$\{VERSION\}/,
  },
  // The state file and the lock.
  {
    name: 'a corrupt state file',
    args: ['deploy', 'v2'],
    arrange: () => editFile(path.join('caddy', 'cutover-state.json'), () => '{"schemaVersion": 1, "project": '),
    code: 11,
    error: /cutover-state\.json/,
  },
  {
    name: 'a lock held by a process that is alive',
    args: ['deploy', 'v2'],
    arrange: async () => {
      const file = path.join(project.dir, 'caddy', 'cutover.lock');
      await writeFile(file, JSON.stringify({ pid: process.pid, host: hostname(), command: 'deploy v7', startedAt: new Date().toISOString() }));
      return () => rm(file);
    },
    code: 10,
    error: /deploy v7/,
  },
  // Docker and Caddy.
  { name: 'no Docker engine at DOCKER_HOST', args: ['deploy', 'v2'], env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, code: 7, error: /\/nonexistent\/docker\.sock/ },
  { name: 'an unreachable Caddy', args: ['-C', '{dir}', '--caddy-admin', '{nobody}', 'deploy', 'v2'], own: true, code: 4, error: /connection refused/ },
  {
    name: "a Caddy config without a handler for one service",
    args: ['deploy', 'v2'],
    arrange: async () => {
      // Point the api route somewhere that is not api: now nothing in Caddy serves it.
      const read = await admin.readConfig();
      const text = JSON.stringify(read.value);
      const apiDial = `127.0.0.1:${project.ports.green.api}`;
      assert.ok(text.includes(apiDial), text);
      await admin.changeConfig('PATCH', '/config/apps/http/servers', JSON.parse(text.split(apiDial).join('127.0.0.1:9')).apps.http.servers, { ifMatch: read.etag });
      return async () => {
        const now = await admin.readConfig();
        await admin.changeConfig('PATCH', '/config/apps/http/servers', (read.value as { apps: { http: { servers: unknown } } }).apps.http.servers, { ifMatch: now.etag });
      };
    },
    code: 3,
    error: /no reverse_proxy handler in Caddy's config serves api/,
  },
];

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

  test('every refusal is one line, a non-zero exit code, and changes nothing', async () => {
    const nobody = `127.0.0.1:${await freePort()}`;
    const failures: string[] = [];
    for (const refusal of REFUSALS) {
      const undo = (await refusal.arrange?.()) ?? (async () => undefined);
      try {
        const before = await snapshot();
        const args = refusal.args.map((arg) => (arg === '{dir}' ? project.dir : arg === '{nobody}' ? nobody : arg));
        const run = refusal.own === true ? await runCli(args, { env: refusal.env ?? {} }) : await cli(args, refusal.env);
        assertOneLineError(run, refusal.code, refusal.error);
        assert.deepEqual(await snapshot(), before, 'nothing changed');
      } catch (error) {
        failures.push(`${refusal.name}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        await undo();
      }
    }
    // All cases run even when one fails, and each failure names its case.
    assert.deepEqual(failures, []);
  });

  test('a remote plain-http admin address allowed by --allow-remote-admin is a warning', async () => {
    // `config` never talks to Caddy, so nothing is sent to that address.
    const allowed = await runCli(['-C', project.dir, '--caddy-admin', REMOTE_ADMIN, '--allow-remote-admin', 'config', '--version', 'v2']);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stderr, /^warn: Caddy admin address http:\/\/cutover-remote-admin\.invalid:2019 is plain HTTP .* \(allowed by --allow-remote-admin\)$/m);
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
