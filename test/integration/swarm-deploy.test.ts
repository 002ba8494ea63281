/**
 * `cutover --engine swarm` end to end on a real single-node Swarm (the private
 * engine of test/rig/swarm-engine.ts; the shared engine never enters Swarm
 * mode), with Caddy as a container on the project's attachable overlay (its
 * admin API and HTTP server on unix sockets, test/rig/swarm-caddy.ts). One
 * engine, one Caddy and one project for every case, in order: deploy v1,
 * (images pinned by ID and recorded), deploy v2 --stop-old under load (status
 * --json), rollback to v1 under load (its standby scaled up from 0 first),
 * the engine chosen without --engine (by the state file; detected for a
 * project without one) and --engine compose refused,
 * cleanup of green while v1 answers, a v3 that never gets healthy, then two
 * deploys killed with SIGKILL (in the health wait: settled by reconcile;
 * right after the switch: settled by the next rollback), and a rollback to a
 * standby whose services were removed (created again from the record; once
 * never healthy, removed again; once killed, undone by reconcile). Plus the refusals,
 * which need no engine.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SwarmServices } from '../../src/adapters/swarm/swarm-services.js';
import { swarmServiceName } from '../../src/domain/swarm-service-name.js';
import { silentLogger } from '../../src/log.js';
import { appComposeService } from '../rig/app-compose-service.js';
import { assertOneLineError } from '../rig/assert-one-line-error.js';
import { buildTestCaddyImage } from '../rig/caddy-image.js';
import { killAtMarker, killCli, startCli, untilLogged } from '../rig/cli-until.js';
import { cliCommandLine, type CliRun, runCli } from '../rig/run-cli.js';
import { testScope } from '../rig/run-id.js';
import { adminRequest, type SwarmCaddy, startSwarmCaddy, unixRequest } from '../rig/swarm-caddy.js';
import { type SwarmEngine, startSwarmEngine } from '../rig/swarm-engine.js';
import { APP_PORT, buildTestImage } from '../rig/test-image.js';
import { waitUntil } from '../rig/wait-until.js';

const scope = testScope('swdeploy');
const network = scope.name('net');

let engine: SwarmEngine;
let swarm: SwarmServices;
let caddy: SwarmCaddy;
let projectDir = '';
let projectName = '';
/** The test images' IDs by version: what the services are pinned to (they have no registry digest). */
const imageIds: Record<string, string> = {};

/** compose.yml with one colored service `web` (two tasks) on the external attachable overlay, and its color overlays. */
async function writeProject(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const web = appComposeService(scope, 'web', { startPeriod: '${START_PERIOD:-30s}' }).replace('    networks: [net]', '    deploy:\n      replicas: 2\n    networks: [net]');
  await writeFile(path.join(dir, 'compose.yml'), `name: ${scope.prefix}\nservices:\n${web}\nnetworks:\n  net:\n    external: true\n    name: ${network}\n`);
  for (const color of ['blue', 'green']) await writeFile(path.join(dir, `compose.${color}.yml`), 'services:\n  web: {}\n');
}

/** The state file's bytes, to show that a refused command changed nothing. */
const stateBytes = () => readFile(path.join(projectDir, 'caddy', 'cutover-state.json'), 'utf8');

/** The names of the project's Swarm services on the private engine, by cutover's project label. */
async function projectServices(): Promise<string[]> {
  const services = (await engine.docker.listServices({ filters: { label: [`cutover.project=${projectName}`] } })) as Array<{ Spec?: { Name?: string } }>;
  return services.map((x) => x.Spec?.Name ?? '').sort();
}

function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(['-C', projectDir, '--engine', 'swarm', '--caddy-admin', `unix/${caddy.adminSocket}`, ...args], { env: { DOCKER_HOST: engine.dockerHost, ...env } });
}

async function liveVersion(): Promise<string> {
  const answer = await unixRequest(caddy.httpSocket, 'GET', '/version', { timeoutMs: 10_000 });
  return answer.status === 200 ? answer.text.trim() : `status ${answer.status}`;
}

interface Sample {
  startedAt: number;
  version: string | undefined;
  error: string | undefined;
}

/**
 * Runs `args` (a switch) while keep-alive and new-connection clients GET
 * /version through Caddy and one client holds 1.5 s requests; the time the
 * CLI's `switch.acknowledged` line reaches us bounds the acknowledgement from
 * above, so a request started after it and answered by the old version is a
 * real fault. Returns the samples and the CLI's exit code and output.
 */
async function underLoad(args: string[]): Promise<{ samples: Sample[]; ackAt: number; run: CliRun }> {
  const samples: Sample[] = [];
  let running = true;
  const client = async (agent: http.Agent, requestPath: string) => {
    while (running) {
      const startedAt = Date.now();
      const send = () => unixRequest(caddy.httpSocket, 'GET', requestPath, { agent, timeoutMs: 20_000 });
      // As browsers and the rig's load client do: a kept-alive connection closed under the request (a config load closes idle ones), before any answer, is retried once.
      const answer = await send()
        .catch((err: Error & { reused?: boolean }) => (err.reused === true ? send() : Promise.reject(err)))
        .catch((err: Error) => ({ status: 0, text: err.message }));
      samples.push({ startedAt, version: answer.status === 200 ? answer.text.trim() : undefined, error: answer.status === 200 ? undefined : `${answer.status} ${answer.text.trim()}` });
    }
  };
  const agents = [new http.Agent({ keepAlive: true, maxSockets: 1 }), new http.Agent({ keepAlive: true, maxSockets: 1 }), new http.Agent({ keepAlive: false }), new http.Agent({ keepAlive: true, maxSockets: 1 })];
  const clients = [client(agents[0] as http.Agent, '/version'), client(agents[1] as http.Agent, '/version'), client(agents[2] as http.Agent, '/version'), client(agents[3] as http.Agent, '/slow?ms=1500')];
  let ackAt = 0;
  let run: CliRun;
  try {
    await waitUntil('the load to run', 20_000, () => (samples.length >= 10 ? true : undefined));
    const [command, ...rest] = cliCommandLine(['-C', projectDir, '--engine', 'swarm', '--caddy-admin', `unix/${caddy.adminSocket}`, '--log-format', 'json', ...args]);
    run = await new Promise<CliRun>((resolve, reject) => {
      const child = spawn(command as string, rest, { env: { ...process.env, DOCKER_HOST: engine.dockerHost }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        if (ackAt === 0 && stderr.includes('"event":"switch.acknowledged"')) ackAt = Date.now();
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    const endedAt = Date.now();
    await waitUntil('requests after the switch', 20_000, () => (samples.filter((s) => s.startedAt > endedAt).length >= 20 ? true : undefined));
  } finally {
    running = false;
    await Promise.all(clients);
    for (const agent of agents) agent.destroy();
  }
  return { samples, ackAt, run };
}

function assertCleanSwitch(result: Awaited<ReturnType<typeof underLoad>>, oldVersion: string, newVersion: string): void {
  assert.equal(result.run.code, 0, result.run.stderr);
  assert.ok(result.ackAt > 0, `the switch was acknowledged:\n${result.run.stderr}`);
  const failed = result.samples.filter((s) => s.error !== undefined);
  assert.equal(failed.length, 0, `failed requests: ${[...new Set(failed.map((s) => s.error))].slice(0, 5).join(' | ')}`);
  assert.ok(result.samples.some((s) => s.startedAt < result.ackAt && s.version === oldVersion), `the load reached ${oldVersion} before the switch`);
  const after = result.samples.filter((s) => s.startedAt > result.ackAt);
  assert.ok(after.length >= 20, `requests after the switch: ${after.length}`);
  assert.deepEqual([...new Set(after.map((s) => s.version))], [newVersion], `every request started after the acknowledgement is answered by ${newVersion}`);
  console.log(`switch ${oldVersion} -> ${newVersion}: ${result.samples.length} requests, 0 failed, ${after.length} after the acknowledgement, all ${newVersion}`);
}

/** Starts `cutover --engine swarm <args> --log-format json` and SIGKILLs it at the first log line matching `marker`. */
async function killAt(args: string[], marker: RegExp, env: Record<string, string> = {}): Promise<void> {
  const run = startCli({ dir: projectDir, caddy: { adminAddress: `unix/${caddy.adminSocket}` } }, ['--engine', 'swarm', ...args], { DOCKER_HOST: engine.dockerHost, ...env });
  await untilLogged(run, marker, 120_000);
  await killCli(run);
}

interface SwarmState {
  active: { color: string; version: string } | null;
  standby: { color: string; version: string } | null;
  operation: { kind: string; phase: string } | null;
  history: Array<{ kind: string; version: string; outcome: string; reason?: string; recovered?: { by: string; phase: string; direction: string } }>;
}

/** The `dynamic_upstreams.name` of the handler cutover switches. */
async function handlerName(): Promise<string> {
  const answer = await adminRequest(caddy.adminSocket, 'GET', '/config/apps/http/servers/srv0/routes/0/handle/0/dynamic_upstreams/name');
  return JSON.parse(answer.text) as string;
}

describe('cutover --engine swarm on a private single-node Swarm', { timeout: 600_000 }, () => {
  before(async () => {
    engine = await startSwarmEngine();
    try {
      swarm = new SwarmServices({ docker: engine.docker, endpoint: engine.dockerHost, logger: silentLogger() });
      await engine.docker.createNetwork({ Name: network, Driver: 'overlay', Attachable: true, Labels: scope.labels });
      const [, , , caddyImage] = await Promise.all([
        buildTestImage(engine.docker, scope, 'v1'),
        buildTestImage(engine.docker, scope, 'v2'),
        buildTestImage(engine.docker, scope, 'v3'),
        buildTestCaddyImage(engine.docker, scope),
      ]);
      for (const version of ['v1', 'v2']) imageIds[version] = ((await engine.docker.getImage(`${scope.prefix}-app:${version}`).inspect()) as { Id: string }).Id;
      projectDir = path.join(engine.dir, 'project');
      projectName = scope.prefix;
      await writeProject(projectDir);
      // Before the first deploy the handler dials a name nothing answers; cutover finds it by its @id.
      caddy = await startSwarmCaddy(engine.docker, {
        image: caddyImage,
        network,
        dir: path.join(engine.dir, 'caddy'),
        name: scope.name('caddy'),
        labels: scope.labels,
        routes: [{ handle: [{ '@id': 'cutover-web', handler: 'reverse_proxy', upstreams: [{ dial: `nothing-yet:${APP_PORT}` }], load_balancing: { try_duration: '2s' } }] }],
      });
    } catch (err) {
      await engine.stop();
      throw err;
    }
  });

  after(async () => {
    // Everything (services, Caddy, networks, images) lives in the private engine or its dir: stopping it removes all.
    await caddy?.remove();
    await engine?.stop();
    if (projectDir !== '') await rm(projectDir, { recursive: true, force: true });
  });

  test('refused before anything happens: a bad engine, a command and a deploy flag not built on Swarm yet, --engine swarm on a Compose project', async () => {
    assertOneLineError(await runCli(['--engine', 'kubernetes', 'status']), 2, /--engine kubernetes is not an engine: use compose or swarm/);
    assertOneLineError(await runCli(['status'], { env: { CUTOVER_ENGINE: 'nomad' } }), 2, /CUTOVER_ENGINE=nomad is not an engine/);
    assertOneLineError(await cli(['reset', '--yes']), 2, /cutover reset is not supported with --engine swarm yet/);
    assertOneLineError(await cli(['deploy', 'v1', '--bake', '5m']), 2, /deploy --bake is not supported with --engine swarm yet/);
    assertOneLineError(await cli(['deploy', 'v1', '--canary', '10,50']), 2, /deploy v1 --canary: no color is live yet to compare v1 with/);
    assert.equal((await swarm.listTasks(swarmServiceName(projectName, 'web', 'blue'))).length, 0, 'nothing was created');
    // --engine swarm on a project whose state file records Compose colors (the CLI's shared check, before any command runs).
    const composeDir = path.join(engine.dir, 'compose-project');
    await mkdir(path.join(composeDir, 'caddy'), { recursive: true });
    const composeState = `${JSON.stringify({ schemaVersion: 2, project: 'shop', active: { color: 'blue', version: 'v1', since: new Date().toISOString() }, standby: null, operation: null, history: [], targets: {} })}\n`;
    await writeFile(path.join(composeDir, 'caddy', 'cutover-state.json'), composeState);
    for (const args of [['status'], ['cleanup']]) {
      const run = await runCli(['-C', composeDir, '--engine', 'swarm', '--caddy-admin', `unix/${caddy.adminSocket}`, ...args], { env: { DOCKER_HOST: engine.dockerHost } });
      assertOneLineError(run, 2, new RegExp(`this project runs on Compose containers \\(\\S+ records blue v1 as Compose containers, no engine swarm\\): leave out --engine swarm to run cutover ${args[0]} on it$`));
    }
    assert.equal(await readFile(path.join(composeDir, 'caddy', 'cutover-state.json'), 'utf8'), composeState, 'the state file is unchanged');
  });

  test('deploy v1, v2 under load, rollback under load, a v3 that never gets healthy', async (t) => {
    await t.test('deploy v1: blue\'s two tasks healthy, the handler on tasks.<project>_web-blue, recorded', async () => {
      const run = await cli(['deploy', 'v1']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await handlerName(), `tasks.${swarmServiceName(projectName, 'web', 'blue')}`);
      await waitUntil('Caddy to answer v1', 30_000, async () => ((await liveVersion()) === 'v1' ? true : undefined));
      const status = await cli(['status']);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /^live: blue v1$/m);
      assert.match(status.stdout, new RegExp(`^blue ${swarmServiceName(projectName, 'web', 'blue')}: 2/2 tasks running$`, 'm'));
      // Pinned: the test image has no registry digest, so the service runs its image ID (with a warning), recorded as a Compose deploy records it.
      const id = ((await engine.docker.getImage(`${scope.prefix}-app:v1`).inspect()) as { Id: string }).Id;
      const spec = (await engine.docker.getService(swarmServiceName(projectName, 'web', 'blue')).inspect()) as { Spec: { TaskTemplate: { ContainerSpec: { Image: string } } } };
      assert.equal(spec.Spec.TaskTemplate.ContainerSpec.Image, id, 'the service runs the image pinned by its ID');
      assert.match(run.stderr, /web: \S+-app:v1 \(local image sha256:[0-9a-f]{12}\) has no registry digest: pinned to its image ID sha256:[0-9a-f]{64}, which only this node has/);
      assert.deepEqual((JSON.parse(await stateBytes()) as { active: { images: unknown } }).active.images, { web: { ref: `${scope.prefix}-app:v1`, id, digest: null } });
      assert.match(status.stdout, new RegExp(`^  web: ${scope.prefix}-app:v1 \\(local image ${id.slice(0, 19)}\\)$`, 'm'));
    });

    await t.test('deploy v2 --stop-old under load: 0 failed, 0 answers from v1 after the acknowledgement; blue kept as the standby, scaled to 0', async (t) => {
      const result = await underLoad(['deploy', 'v2', '--stop-old']);
      assertCleanSwitch(result, 'v1', 'v2');
      // The drain watched blue's task addresses (taken before the switch) until none had a request in flight.
      assert.match(result.run.stderr, /"event":"drain\.done"/);
      t.diagnostic(`blue's tasks seen in flight after the switch: ${result.run.stderr.includes('"event":"drain.progress"')}`);
      assert.equal(await handlerName(), `tasks.${swarmServiceName(projectName, 'web', 'green')}`);
      const status = await cli(['status']);
      assert.match(status.stdout, /^live: green v2$/m);
      assert.match(status.stdout, /^standby: blue v1 \(scaled to 0\)$/m);
      assert.match(result.run.stderr, new RegExp(`"event":"swarm\\.standby\\.stopped".*"service":"${swarmServiceName(projectName, 'web', 'blue')}"`));
      assert.match(status.stdout, new RegExp(`^blue ${swarmServiceName(projectName, 'web', 'blue')}: 0/0 tasks running$`, 'm'));
      assert.match(status.stdout, new RegExp(`^green ${swarmServiceName(projectName, 'web', 'green')}: 2/2 tasks running$`, 'm'));
      // The same facts for scripts, shaped like the Compose report.
      const json = await cli(['status', '--json']);
      assert.equal(json.code, 0, json.stderr);
      const report = JSON.parse(json.stdout) as Record<string, unknown>;
      assert.equal(report.engine, 'swarm');
      assert.equal(report.exitCode, 0);
      assert.deepEqual(report.traffic, { kind: 'color', color: 'green' });
      const images = (version: string) => ({ web: { ref: `${scope.prefix}-app:${version}`, id: imageIds[version], digest: null } });
      assert.deepEqual({ ...(report.active as object), since: undefined }, { color: 'green', version: 'v2', since: undefined, images: images('v2') });
      assert.deepEqual(report.standby, { color: 'blue', version: 'v1', running: true, stopped: true, detail: [], images: images('v1') });
      assert.deepEqual(report.services, [{ name: 'web', swarmServices: [
        { name: swarmServiceName(projectName, 'web', 'blue'), color: 'blue', desired: 0, running: 0, serving: false },
        { name: swarmServiceName(projectName, 'web', 'green'), color: 'green', desired: 2, running: 2, serving: true },
      ] }]);
      assert.deepEqual(report.drift, []);
    });

    await t.test('rollback under load of the standby scaled to 0 by --stop-old: blue scaled back to its 2 replicas and healthy, then one switch', async () => {
      const blue = swarmServiceName(projectName, 'web', 'blue');
      assert.equal((await swarm.listTasks(blue)).filter((task) => task.desiredState === 'running').length, 0, 'blue was scaled to 0 by the deploy');
      const result = await underLoad(['rollback']);
      assertCleanSwitch(result, 'v2', 'v1');
      assert.match(result.run.stderr, new RegExp(`"event":"swarm\\.standby\\.scaled".*"service":"${blue}","replicas":2`));
      assert.equal(await handlerName(), `tasks.${swarmServiceName(projectName, 'web', 'blue')}`);
      assert.match((await cli(['status'])).stdout, /^standby: green v2$/m);
      const recorded = JSON.parse(await stateBytes()) as { active: { images: Record<string, { id: string }> }; standby: { images: Record<string, { id: string }> } };
      assert.deepEqual([recorded.active.images.web?.id, recorded.standby.images.web?.id], [imageIds.v1, imageIds.v2], 'the identities moved with the colors');
    });

    await t.test('without --engine the state file decides (status runs on Swarm), --engine compose is refused (exit 2, nothing changed), and a project with no state file on this Swarm manager is detected', async () => {
      const [stateBefore, configBefore] = [await stateBytes(), (await adminRequest(caddy.adminSocket, 'GET', '/config/')).text];
      const plain = (args: string[], dir = projectDir) => runCli(['-C', dir, '--caddy-admin', `unix/${caddy.adminSocket}`, ...args], { env: { DOCKER_HOST: engine.dockerHost, CUTOVER_ENGINE: '' } });
      const status = await plain(['status']);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /^engine: swarm\nlive: blue v1$/m);
      for (const args of [['status'], ['deploy', 'v9']]) {
        const run = await plain(['--engine', 'compose', ...args]);
        assertOneLineError(run, 2, new RegExp(`^error: this project runs on Swarm \\(\\S*cutover-state\\.json records engine swarm\\): use --engine swarm \\(or leave --engine out: the state file decides\\) to run cutover ${args[0]} on it$`));
      }
      assert.equal(await stateBytes(), stateBefore, 'the state file is unchanged');
      assert.equal((await adminRequest(caddy.adminSocket, 'GET', '/config/')).text, configBefore, 'Caddy was not changed');
      // No state file: the engine is an active Swarm manager and the project's network has scope swarm, so Swarm, said in one line.
      const fresh = path.join(engine.dir, 'fresh-project');
      await writeProject(fresh);
      const dry = await plain(['deploy', 'v2', '--dry-run'], fresh);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stderr, new RegExp(`engine: swarm \\(detected: the Docker engine is a Swarm manager and network ${network} has scope swarm; --engine compose overrides\\)`));
      assert.match(dry.stdout, /^deploy v2 to green on Swarm, blue becomes the standby$/m);
    });

    await t.test('cleanup: --dry-run names green, then green\'s services are removed while v1 keeps answering; recorded', async () => {
      const green = swarmServiceName(projectName, 'web', 'green');
      const dry = await cli(['cleanup', '--dry-run']);
      assert.equal(dry.code, 0, dry.stderr);
      assert.equal(dry.stdout, `would remove: ${green} (v2)\nkeeps blue (active)\n`);
      assert.deepEqual(await projectServices(), [swarmServiceName(projectName, 'web', 'blue'), green], 'the dry run removed nothing');
      const answers: string[] = [];
      let running = true;
      const load = (async () => {
        while (running) answers.push(await liveVersion().catch((err: Error) => err.message));
      })();
      const run = await cli(['cleanup']).finally(() => {
        running = false;
      });
      await load;
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `removed: ${green} (v2)\n`);
      assert.deepEqual(await projectServices(), [swarmServiceName(projectName, 'web', 'blue')], 'only blue\'s service is left');
      assert.ok(answers.length > 0 && answers.every((a) => a === 'v1'), `every request during the cleanup answered by v1: ${[...new Set(answers)].join(', ')}`);
      assert.equal(await liveVersion(), 'v1');
      const state = JSON.parse(await stateBytes()) as { standby: unknown; swarmServices: Record<string, unknown>; history: Array<{ kind: string; outcome: string }> };
      assert.equal(state.standby, null);
      assert.equal(state.swarmServices.green, undefined);
      assert.deepEqual(state.history.at(-1) && { kind: state.history.at(-1)?.kind, outcome: state.history.at(-1)?.outcome }, { kind: 'cleanup', outcome: 'succeeded' });
      const report = JSON.parse((await cli(['status', '--json'])).stdout) as { standby: unknown; services: Array<{ swarmServices: unknown[] }> };
      assert.equal(report.standby, null);
      assert.equal(report.services[0]?.swarmServices.length, 1);
    });

    await t.test('v3 never gets healthy: a clear error with the health output, its services removed, traffic untouched', async () => {
      const configBefore = (await adminRequest(caddy.adminSocket, 'GET', '/config/')).text;
      // The healthcheck fails from the start and, without a start period, Swarm stops the task at its first
      // "unhealthy" (after 3 failed probes): the wait fails then, long before the generous HEALTH_CHECK_TIMEOUT.
      const run = await cli(['deploy', 'v3'], { HEALTH_FAIL: '1', START_PERIOD: '0s', HEALTH_CHECK_TIMEOUT: '120' });
      // The last probe saw the 500, or (on a loaded machine, before the app listened) a refused connection.
      assertOneLineError(run, 9, /v3 did not get healthy on Swarm: \S+web-green: task \d+ (complete|failed) .*; last healthcheck: exit [1-9].*(500|Connection refused).*; its services were removed and traffic was not touched/);
      assert.equal(await swarm.remove(swarmServiceName(projectName, 'web', 'green')), false, 'v3\'s service is gone');
      assert.equal((await adminRequest(caddy.adminSocket, 'GET', '/config/')).text, configBefore, 'Caddy was not changed');
      assert.equal(await liveVersion(), 'v1');
    });

    await t.test('deploy killed (SIGKILL) in its health wait: status says interrupted, reconcile removes its services; killed right after its switch: the next rollback finishes it, then rolls back', async () => {
      const blue = swarmServiceName(projectName, 'web', 'blue');
      const green = swarmServiceName(projectName, 'web', 'green');
      await killAt(['deploy', 'v2'], /"phase":"waiting-healthy"/);
      assert.deepEqual(await projectServices(), [blue, green], 'the killed deploy left its service');
      assert.equal((JSON.parse(await stateBytes()) as SwarmState).operation?.phase, 'waiting-healthy', 'the journal records where it died');
      const status = await cli(['status']);
      assert.equal(status.code, 13, status.stderr);
      assert.match(status.stdout, /^operation: deploy to v2 \(green\) interrupted \(its process is gone\), phase waiting-healthy/m);
      assert.match(status.stderr, /an interrupted deploy to v2 \(green\) is recorded: its process \(pid \d+ on \S+\) died in phase waiting-healthy/);
      assert.match(status.stderr, /hint: run cutover --engine swarm reconcile to settle it/);
      const before = await stateBytes();
      const dry = await cli(['reconcile', '--dry-run']);
      assert.equal(dry.code, 0, dry.stderr);
      assert.equal(dry.stdout, `would undo the interrupted deploy to v2 (green); remove ${green}\n`);
      assert.equal(await stateBytes(), before, 'the dry run changed nothing');
      assert.deepEqual(await projectServices(), [blue, green], 'the dry run removed nothing');
      const settled = await cli(['reconcile']);
      assert.equal(settled.code, 0, settled.stderr);
      assert.equal(settled.stdout, `undone: the interrupted deploy to v2 (green); removed ${green}\n`);
      assert.deepEqual(await projectServices(), [blue], 'the killed deploy\'s service is gone, blue\'s kept');
      assert.equal(await liveVersion(), 'v1');
      let state = JSON.parse(await stateBytes()) as SwarmState;
      assert.equal(state.operation, null);
      assert.deepEqual(state.active && { color: state.active.color, version: state.active.version }, { color: 'blue', version: 'v1' });
      const undone = state.history.at(-1);
      assert.deepEqual([undone?.kind, undone?.version, undone?.outcome, undone?.recovered], ['deploy', 'v2', 'interrupted', { by: 'reconcile', phase: 'waiting-healthy', direction: 'undone' }]);
      assert.match(undone?.reason ?? '', /interrupted in phase waiting-healthy; Caddy sends every colored service to blue: undone/);
      assert.equal((await cli(['status'])).code, 0, 'status is clean afterwards');

      // Killed after Caddy acknowledged the switch, in phase draining (held there by the test seam: with nothing
      // in flight the deploy records its end milliseconds after the acknowledgement): green serves v2, the journal is open.
      await killAt(['deploy', 'v2'], /hanging after the journal recorded phase draining/, { CUTOVER_TEST_HANG_AFTER_PHASE: 'draining' });
      assert.equal((JSON.parse(await stateBytes()) as SwarmState).operation?.phase, 'draining', 'the journal is open, past the switch');
      await waitUntil('Caddy to answer v2', 30_000, async () => ((await liveVersion()) === 'v2' ? true : undefined));
      const rollback = await cli(['rollback', '--log-format', 'json']);
      assert.equal(rollback.code, 0, rollback.stderr);
      assert.match(rollback.stderr, /"event":"recovery\.start".*"direction":"finish"/);
      assert.equal(rollback.stderr.match(/"event":"recovery\.start"/g)?.length, 1, 'said in one line');
      assert.equal(await handlerName(), `tasks.${blue}`);
      await waitUntil('Caddy to answer v1', 30_000, async () => ((await liveVersion()) === 'v1' ? true : undefined));
      state = JSON.parse(await stateBytes()) as SwarmState;
      assert.equal(state.operation, null);
      assert.deepEqual([state.active?.color, state.active?.version, state.standby?.color, state.standby?.version], ['blue', 'v1', 'green', 'v2']);
      const [deployed, rolledBack] = state.history.slice(-2);
      assert.deepEqual([deployed?.kind, deployed?.outcome, deployed?.recovered?.by, deployed?.recovered?.direction], ['deploy', 'succeeded', 'rollback', 'finished']);
      assert.deepEqual([rolledBack?.kind, rolledBack?.outcome, rolledBack?.version], ['rollback', 'succeeded', 'v1']);
      assert.deepEqual(await projectServices(), [blue, green]);
      assert.equal((await cli(['status'])).code, 0, 'status is clean afterwards');
    });

    await t.test('rollback to a standby whose services are gone: one that never gets healthy is removed again (exit 9, traffic untouched); one killed after creating it is undone by reconcile; then created from the record under load', async () => {
      const blue = swarmServiceName(projectName, 'web', 'blue');
      const green = swarmServiceName(projectName, 'web', 'green');
      assert.equal(await swarm.remove(green), true, 'the standby\'s service removed by hand');
      const configBefore = (await adminRequest(caddy.adminSocket, 'GET', '/config/')).text;
      const broken = await cli(['rollback'], { HEALTH_FAIL: '1', START_PERIOD: '0s', HEALTH_CHECK_TIMEOUT: '120' });
      assertOneLineError(broken, 9, new RegExp(`the standby did not get healthy: ${green}: task \\d+ (complete|failed) .*; the services created again were removed, traffic was not touched`));
      assert.deepEqual(await projectServices(), [blue], 'the service created again is gone');
      assert.equal((await adminRequest(caddy.adminSocket, 'GET', '/config/')).text, configBefore, 'Caddy was not changed');
      assert.equal(await liveVersion(), 'v1');
      // Killed (SIGKILL) right after it created green again: reconcile removes what that rollback created, by its operation label.
      await killAt(['rollback'], /"event":"swarm\.standby\.created"/);
      assert.deepEqual(await projectServices(), [blue, green], 'the killed rollback left the service it created');
      const settled = await cli(['reconcile']);
      assert.equal(settled.code, 0, settled.stderr);
      assert.equal(settled.stdout, `undone: the interrupted rollback to v2 (green); removed ${green}\n`);
      assert.deepEqual(await projectServices(), [blue], 'the service the killed rollback created is gone');
      const killed = (JSON.parse(await stateBytes()) as SwarmState).history.at(-1);
      assert.deepEqual([killed?.kind, killed?.outcome, killed?.recovered?.direction, (JSON.parse(await stateBytes()) as SwarmState).standby?.version], ['rollback', 'interrupted', 'undone', 'v2']);
      assert.equal(await liveVersion(), 'v1');
      const result = await underLoad(['rollback']);
      assertCleanSwitch(result, 'v1', 'v2');
      assert.match(result.run.stderr, new RegExp(`"event":"swarm\\.standby\\.created".*"service":"${green}"`));
      const spec = (await engine.docker.getService(green).inspect()) as { Spec: { TaskTemplate: { ContainerSpec: { Image: string } } } };
      assert.equal(spec.Spec.TaskTemplate.ContainerSpec.Image, imageIds.v2, 'created from the recorded identity of v2');
      const state = JSON.parse(await stateBytes()) as SwarmState & { swarmServices: Record<string, string[]> };
      assert.deepEqual([state.active?.color, state.active?.version, state.standby?.color, state.standby?.version, state.swarmServices.green], ['green', 'v2', 'blue', 'v1', [green]]);
    });
  });
  test('canary on Swarm: a v3 failing half its /version aborted at its first step (back on v1, its services gone); one killed in its first step settled by abort; v1 -> v2 in steps of 10 % and 50 % under load', async (t) => {
    // Its own project (service api, one task per color) and its own server (srv1, another unix socket) in the shared Caddy.
    const canaryName = `${scope.prefix}c`;
    const dir = path.join(engine.dir, 'canary-project');
    await mkdir(dir, { recursive: true });
    const api = appComposeService(scope, 'api', { startPeriod: '30s' }).replace('      START_DELAY_MS:', '      FAIL_SHARE: ${FAIL_SHARE:-0}\n      FAIL_PATH: ${FAIL_PATH:-}\n      START_DELAY_MS:');
    await writeFile(path.join(dir, 'compose.yml'), `name: ${canaryName}\nservices:\n${api}\nnetworks:\n  net:\n    external: true\n    name: ${network}\n`);
    for (const color of ['blue', 'green']) await writeFile(path.join(dir, `compose.${color}.yml`), 'services:\n  api: {}\n');
    const socket = path.join(path.dirname(caddy.httpSocket), 'canary.sock');
    const srv1 = { listen: ['unix//run/cutover/canary.sock'], automatic_https: { disable: true }, routes: [{ handle: [{ '@id': 'cutover-api', handler: 'reverse_proxy', upstreams: [{ dial: `nothing-yet:${APP_PORT}` }], load_balancing: { try_duration: '2s' } }] }] };
    assert.equal((await adminRequest(caddy.adminSocket, 'PUT', '/config/apps/http/servers/srv1', srv1)).status, 200);
    const blue = swarmServiceName(canaryName, 'api', 'blue');
    const green = swarmServiceName(canaryName, 'api', 'green');
    const args = (more: string[]) => ['-C', dir, '--engine', 'swarm', '--caddy-admin', `unix/${caddy.adminSocket}`, '--log-format', 'json', ...more];
    // The probes reach each color through Caddy's preview routes on srv1's socket; the real traffic is read from Caddy's stderr.
    const canaryFlags = ['--probe-url', `http+unix://${encodeURIComponent(socket)}/version`];
    const env = { DOCKER_HOST: engine.dockerHost, CADDY_CONTAINER: caddy.containerId };
    const handler = async () => JSON.parse((await adminRequest(caddy.adminSocket, 'GET', '/config/apps/http/servers/srv1/routes')).text) as Array<{ match?: unknown; handle: Array<Record<string, unknown>> }>;
    /** Runs the CLI while keep-alive and new-connection clients GET /version on srv1; each JSON log line is timed as it arrives. */
    const underCanaryLoad = async (more: string[], extraEnv: Record<string, string> = {}) => {
      const samples: Sample[] = [];
      const events: Array<{ at: number; event: string }> = [];
      let running = true;
      const agents = [new http.Agent({ keepAlive: true, maxSockets: 1 }), new http.Agent({ keepAlive: true, maxSockets: 1 }), new http.Agent({ keepAlive: false })];
      const clients = agents.map(async (agent) => {
        while (running) {
          const startedAt = Date.now();
          const send = () => unixRequest(socket, 'GET', '/version', { agent, timeoutMs: 20_000 });
          const answer = await send()
            .catch((err: Error & { reused?: boolean }) => (err.reused === true ? send() : Promise.reject(err)))
            .catch((err: Error) => ({ status: 0, text: err.message }));
          samples.push({ startedAt, version: answer.status === 200 ? answer.text.trim() : undefined, error: answer.status === 200 ? undefined : `${answer.status} ${answer.text.trim()}` });
        }
      });
      try {
        await waitUntil('the load to run', 20_000, () => (samples.length >= 10 ? true : undefined));
        const [command, ...rest] = cliCommandLine(args(more));
        const run = await new Promise<CliRun>((resolve, reject) => {
          const child = spawn(command as string, rest, { env: { ...process.env, ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
          child.stderr.on('data', (chunk: Buffer) => {
            const before = stderr.length;
            stderr += chunk.toString('utf8');
            for (const match of stderr.slice(before).matchAll(/"event":"([^"]+)"/g)) events.push({ at: Date.now(), event: match[1] as string });
          });
          child.on('error', reject);
          child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
        });
        const endedAt = Date.now();
        await waitUntil('requests after the command', 20_000, () => (samples.filter((x) => x.startedAt > endedAt).length >= 20 ? true : undefined));
        return { run, samples, events };
      } finally {
        running = false;
        await Promise.all(clients);
        for (const agent of agents) agent.destroy();
      }
    };
    const stages: string[] = [];
    let since = Date.now();
    const stage = (name: string) => {
      stages.push(`${name} ${((Date.now() - since) / 1000).toFixed(1)} s`);
      since = Date.now();
    };
    try {
      const first = await runCli(args(['deploy', 'v1']), { env });
      stage('deploy v1');
      assert.equal(first.code, 0, first.stderr);
      await waitUntil('srv1 to answer v1', 30_000, async () => ((await unixRequest(socket, 'GET', '/version').then((a) => a.text.trim(), () => '')) === 'v1' ? true : undefined));
      const routesBefore = await handler();

      // v3 fails every second GET /version: its probes fail at the first step, which goes back to blue's tasks. name.
      stage('v1 answering');
      const failing = await underCanaryLoad(['deploy', 'v3', '--canary', '10,50', '--step-interval', '20s', ...canaryFlags], { FAIL_SHARE: '0.5', FAIL_PATH: '/version' });
      assert.equal(failing.run.code, 14, failing.run.stderr);
      assert.match(failing.run.stderr, /canary aborted at 10%: /);
      assert.ok(failing.events.some((e) => e.event === 'canary.step'), 'the first step ran');
      assert.ok(!failing.run.stderr.includes('"step":2'), 'it never reached its second step');
      const revertedAt = failing.events.find((e) => e.event === 'canary.reverted')?.at ?? 0;
      assert.ok(revertedAt > 0, failing.run.stderr);
      const afterRevert = failing.samples.filter((x) => x.startedAt > revertedAt);
      assert.ok(afterRevert.length >= 20 && afterRevert.every((x) => x.version === 'v1'), `every request after the revert answered by v1: ${[...new Set(afterRevert.map((x) => x.version ?? x.error))].join(', ')}`);
      assert.deepEqual(await handler(), routesBefore, 'srv1 is exactly as before the canary: blue\'s tasks. name, the load balancing back, no preview route');
      assert.equal(await swarm.remove(green), false, 'v3\'s service is gone');
      const aborted = JSON.parse(await readFile(path.join(dir, 'caddy', 'cutover-state.json'), 'utf8')) as SwarmState;
      assert.equal(aborted.operation, null);
      assert.deepEqual([aborted.history.at(-1)?.kind, aborted.history.at(-1)?.outcome, aborted.active?.version], ['canary', 'aborted', 'v1']);

      stage('failing canary');
      // Killed (SIGKILL) in its first step, Caddy on both colors' task addresses: abort settles it from the state file.
      await killAtMarker({ dir, caddy: { adminAddress: `unix/${caddy.adminSocket}` } }, ['--engine', 'swarm', 'deploy', 'v2', '--canary', '10,50', '--step-interval', '60s', ...canaryFlags], /"event":"canary\.step"/, env);
      assert.match(JSON.stringify(await handler()), /"dial":"\d+\.\d+\.\d+\.\d+:3000"/, 'Caddy was left on task addresses');
      const abort = await runCli(args(['abort']), { env });
      assert.equal(abort.code, 0, abort.stderr);
      assert.match(abort.stdout, /^aborted: traffic is back on blue \(v1\); the canary's process was gone; finished it here$/m);
      assert.deepEqual(await handler(), routesBefore, 'back on blue\'s tasks. name with its load balancing, no preview route');
      assert.equal(await swarm.remove(green), false, 'the killed canary\'s service is gone');
      const settled = JSON.parse(await readFile(path.join(dir, 'caddy', 'cutover-state.json'), 'utf8')) as SwarmState;
      assert.deepEqual([settled.operation, settled.history.at(-1)?.recovered?.by, settled.history.at(-1)?.recovered?.direction], [null, 'abort', 'undone']);

      stage('killed canary and abort');
      // v2 in two steps under load: no request fails, each step's share of v2 roughly its weight, then everything on v2.
      const good = await underCanaryLoad(['deploy', 'v2', '--canary', '10,50', '--step-interval', '2s', ...canaryFlags]);
      stage('canary v1 -> v2');
      t.diagnostic(stages.join(', '));
      assert.equal(good.run.code, 0, good.run.stderr);
      const acks = good.events.filter((e) => e.event === 'switch.acknowledged').map((e) => e.at);
      assert.equal(acks.length, 3, `two steps and the final switch, one change each:\n${good.run.stderr}`);
      const failed = good.samples.filter((x) => x.error !== undefined);
      assert.equal(failed.length, 0, `failed requests: ${[...new Set(failed.map((x) => x.error))].slice(0, 5).join(' | ')}`);
      const share = (from: number, to: number) => {
        const within = good.samples.filter((x) => x.startedAt > from && x.startedAt < to);
        return { n: within.length, v2: within.filter((x) => x.version === 'v2').length / Math.max(1, within.length) };
      };
      const [ack1, ack2, ack3] = acks as [number, number, number];
      const step1 = share(ack1, ack2);
      const step2 = share(ack2, ack3);
      console.log(`canary v1 -> v2 on Swarm: ${good.samples.length} requests, 0 failed; v2's share ${(step1.v2 * 100).toFixed(0)} % of ${step1.n} at the 10 % step, ${(step2.v2 * 100).toFixed(0)} % of ${step2.n} at the 50 % step`);
      assert.ok(step1.n >= 20 && step1.v2 > 0 && step1.v2 < 0.3, `10 % step: v2 answered ${(step1.v2 * 100).toFixed(0)} % of ${step1.n}`);
      assert.ok(step2.n >= 20 && step2.v2 > 0.3 && step2.v2 < 0.7, `50 % step: v2 answered ${(step2.v2 * 100).toFixed(0)} % of ${step2.n}`);
      // The acknowledgement's line bounds the change from above: a request started before the wait for health ended met v1.
      const healthyAt = good.events.find((e) => e.event === 'swarm.healthy')?.at ?? 0;
      assert.ok(good.samples.filter((x) => x.startedAt < healthyAt).every((x) => x.version === 'v1'), 'v1 only before the first step');
      const after = good.samples.filter((x) => x.startedAt > ack3);
      assert.ok(after.length >= 20 && after.every((x) => x.version === 'v2'), `no answer from v1 after the final switch: ${[...new Set(after.map((x) => x.version))].join(', ')}`);
      const routes = await handler();
      assert.equal(routes.length, 1, 'no preview route left');
      assert.deepEqual(routes[0]?.handle[0]?.dynamic_upstreams, { source: 'a', name: `tasks.${green}`, port: String(APP_PORT), refresh: '1s' });
      assert.deepEqual(routes[0]?.handle[0]?.load_balancing, { try_duration: '2s' }, 'the load balancing put back');
      const done = JSON.parse(await readFile(path.join(dir, 'caddy', 'cutover-state.json'), 'utf8')) as SwarmState;
      assert.deepEqual([done.operation, done.active?.color, done.active?.version, done.standby?.version, done.history.at(-1)?.outcome], [null, 'green', 'v2', 'v1', 'succeeded']);
    } finally {
      await adminRequest(caddy.adminSocket, 'DELETE', '/config/apps/http/servers/srv1');
      for (const name of [blue, green]) await swarm.remove(name).catch(() => undefined);
    }
  });
});
