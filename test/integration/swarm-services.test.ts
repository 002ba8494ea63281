/**
 * A color as a Swarm service on a real single-node Swarm: the private engine
 * of test/rig/swarm-engine.ts (the shared engine never enters Swarm mode).
 * v1's color, then v2's next to it: every task healthy, each task's address
 * answering its own version from a container on the attachable overlay, and
 * `tasks.<service>` listing exactly the color's tasks (what Caddy on the
 * overlay resolves). Then the colors that must fail at once: a version whose
 * healthcheck never passes, a version whose process exits.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SwarmServices } from '../../src/adapters/swarm/swarm-services.js';
import type { ServiceSpec } from '../../src/config/model.js';
import { swarmServiceName, swarmTasksHost } from '../../src/domain/swarm-service-name.js';
import { swarmServiceSpec } from '../../src/domain/swarm-service-spec.js';
import { silentLogger } from '../../src/log.js';
import { makeSpec } from '../fixtures/make-service.js';
import { APP_HEALTHCHECK } from '../rig/app-service-spec.js';
import { buildTestCaddyImage } from '../rig/caddy-image.js';
import { runInContainer } from '../rig/run-in-container.js';
import { testScope } from '../rig/run-id.js';
import { adminRequest, startSwarmCaddy, unixRequest } from '../rig/swarm-caddy.js';
import { type SwarmEngine, startSwarmEngine } from '../rig/swarm-engine.js';
import { APP_PORT, buildTestImage } from '../rig/test-image.js';
import { waitUntil } from '../rig/wait-until.js';

const scope = testScope('swarm');
const project = scope.prefix;
const network = scope.name('net');
/** Generous: four engineers' tests share two cores; a healthy color is seen as soon as it is healthy anyway. */
const HEALTH_TIMEOUT_MS = 120_000;

let engine: SwarmEngine | undefined;
let swarm: SwarmServices;
let imageV1 = '';
let imageV2 = '';
let caddyImage = '';
/** The two colors of `web` the first test leaves running for the switch test. */
let colors: Record<'blue' | 'green', { name: string; addresses: string[] }> | undefined;

function webSpec(image: string, overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return makeSpec({
    name: 'web',
    image,
    networks: [{ key: 'net', aliases: [] }],
    // Swarm kills a task at its first "unhealthy": on a busy machine one slow probe must not be enough (a start
    // period does not delay "healthy": the first passing probe ends it).
    healthcheck: { test: APP_HEALTHCHECK, intervalMs: 1000, timeoutMs: 5000, retries: 3, startPeriodMs: 30_000 },
    stopGracePeriodMs: 2000,
    replicas: 2,
    ...overrides,
  });
}

/** Plans and creates one color's service; the plan must be accepted. */
async function createColor(spec: ServiceSpec, color: 'blue' | 'green', version: string): Promise<string> {
  const planned = swarmServiceSpec({
    project,
    spec,
    color,
    version,
    networks: { net: network },
    networkSpecs: { net: { name: network, external: true, driver: 'overlay' } },
    volumes: {},
    extraLabels: scope.labels,
  });
  if (!planned.ok) assert.fail(planned.problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  await swarm.create(planned.spec);
  return planned.spec.Name;
}

/** Runs in the probe container (the app image has node): GET /version on each address, then what `host` resolves to. */
const PROBE = `
const [host, ...addresses] = process.argv.slice(1);
for (const address of addresses) {
  const answer = await fetch('http://' + address + ':${APP_PORT}/version', { signal: AbortSignal.timeout(5000) }).then((r) => r.text(), (e) => 'error:' + e.message);
  console.log('version ' + address + ' ' + answer.trim());
}
const { lookup } = await import('node:dns/promises');
const found = await lookup(host, { all: true, family: 4 }).catch(() => []);
console.log('resolved ' + found.map((f) => f.address).join(' '));
`;

/** From a container on the overlay: each address's version, and the addresses `host` resolves to (sorted). */
async function probeFromOverlay(addresses: string[], host: string): Promise<{ versions: Record<string, string>; resolved: string[] }> {
  const { exitCode, output } = await runInContainer((engine as SwarmEngine).docker, {
    image: imageV1,
    cmd: ['node', '--input-type=module', '-e', PROBE, host, ...addresses],
    name: scope.name(`probe-${Date.now()}`),
    labels: scope.labels,
    network,
  });
  assert.equal(exitCode, 0, output);
  const versions: Record<string, string> = {};
  let resolved: string[] = [];
  for (const line of output.split('\n')) {
    const [kind, ...rest] = line.trim().split(' ');
    if (kind === 'version') versions[rest[0] as string] = rest.slice(1).join(' ');
    if (kind === 'resolved') resolved = rest.filter((a) => a !== '').sort();
  }
  return { versions, resolved };
}

// The two tests share the engine and images and run side by side: the failing versions are independent of the colors.
describe('Swarm adapter on a private single-node Swarm', { timeout: 600_000, concurrency: true }, () => {
  before(async () => {
    engine = await startSwarmEngine();
    swarm = new SwarmServices({ docker: engine.docker, endpoint: engine.dockerHost, logger: silentLogger() });
    await engine.docker.createNetwork({ Name: network, Driver: 'overlay', Attachable: true, Labels: scope.labels });
    [imageV1, imageV2, caddyImage] = await Promise.all([
      buildTestImage(engine.docker, scope, 'v1'),
      buildTestImage(engine.docker, scope, 'v2'),
      buildTestCaddyImage(engine.docker, scope),
    ]);
  });

  after(async () => {
    // Everything lives in the private engine: stopping it removes its services, containers, networks and images.
    await engine?.stop();
  });

  test('a version whose healthcheck never passes, and one whose process exits, fail the wait at once with Swarm\'s reason', async () => {
    const sick = await createColor(webSpec(imageV2, {
        name: 'sick',
        replicas: 1,
        environment: { HEALTH_FAIL: '1' },
        healthcheck: { test: APP_HEALTHCHECK, intervalMs: 1000, timeoutMs: 5000, retries: 1, startPeriodMs: undefined },
      }), 'green', 'v2');
    const exits = await createColor(webSpec(imageV2, { name: 'exits', replicas: 1, command: ['sh', '-c', 'exit 3'] }), 'green', 'v2');
    const [sickWait, exitsWait] = await Promise.all([
      swarm.waitUntilHealthy(sick, { replicas: 1, timeoutMs: HEALTH_TIMEOUT_MS }),
      swarm.waitUntilHealthy(exits, { replicas: 1, timeoutMs: HEALTH_TIMEOUT_MS }),
    ]);
    assert.ok(!sickWait.ok && sickWait.reason === 'failed', `sick: ${JSON.stringify(sickWait)}`);
    // Swarm stops an unhealthy task with its stop signal: the app exits 0 on SIGTERM, so the task "completes" (a
    // process killed by the signal would be "failed: non-zero exit (137): dockerexec: unhealthy container").
    assert.ok(['complete', 'failed'].includes(sickWait.task.state), `sick: ${JSON.stringify(sickWait.task)}`);
    assert.ok(!exitsWait.ok && exitsWait.reason === 'failed', `exits: ${JSON.stringify(exitsWait)}`);
    assert.match(exitsWait.task.error ?? '', /non-zero exit \(3\)/);
    // "At once": long before the health timeout.
    assert.ok(sickWait.ms < HEALTH_TIMEOUT_MS / 2 && exitsWait.ms < HEALTH_TIMEOUT_MS / 2, `${sickWait.ms} ms, ${exitsWait.ms} ms`);
    await Promise.all([swarm.remove(sick), swarm.remove(exits)]);
  });

  test('v1 then v2 as colors, then the switch between them through Caddy on the overlay', async (t) => {
    await t.test('v1 then v2: every task healthy, each task answers its version on the overlay, tasks.<name> lists exactly the color', async () => {
      const blue = await createColor(webSpec(imageV1), 'blue', 'v1');
      const blueWait = await swarm.waitUntilHealthy(blue, { replicas: 2, timeoutMs: HEALTH_TIMEOUT_MS });
      assert.equal(blueWait.ok, true, `blue: ${JSON.stringify(blueWait)}`);
      const green = await createColor(webSpec(imageV2), 'green', 'v2');
      assert.equal(green, swarmServiceName(project, 'web', 'green'));
      const greenWait = await swarm.waitUntilHealthy(green, { replicas: 2, timeoutMs: HEALTH_TIMEOUT_MS });
      assert.equal(greenWait.ok, true, `green: ${JSON.stringify(greenWait)}`);

      const addressesOf = (tasks: typeof blueWait.tasks) => tasks.flatMap((t) => t.addresses.filter((a) => a.network === network).map((a) => a.address)).sort();
      const blueAddresses = addressesOf(blueWait.tasks);
      const greenAddresses = addressesOf(greenWait.tasks);
      assert.equal(blueAddresses.length, 2);
      assert.equal(greenAddresses.length, 2);

      const { versions, resolved } = await probeFromOverlay([...blueAddresses, ...greenAddresses], swarmTasksHost(project, 'web', 'green'));
      assert.deepEqual(versions, Object.fromEntries([...blueAddresses.map((a) => [a, 'v1']), ...greenAddresses.map((a) => [a, 'v2'])]));
      assert.deepEqual(resolved, greenAddresses);

      // The listing agrees with the wait.
      assert.deepEqual(addressesOf(await swarm.listTasks(green)), greenAddresses);

      colors = { blue: { name: blue, addresses: blueAddresses }, green: { name: green, addresses: greenAddresses } };
    });

    await t.test('the switch through Caddy on the overlay under load: by tasks.<name> (dynamic upstreams) and by task addresses', async (t) => {
      assert.ok(colors !== undefined, 'the first test left both colors running');
      const { blue, green } = colors;
      const dial = (address: string) => ({ dial: `${address}:${APP_PORT}` });
      const caddy = await startSwarmCaddy((engine as SwarmEngine).docker, {
        image: caddyImage,
        network,
        dir: path.join((engine as SwarmEngine).dir, 'caddy'),
        name: scope.name('caddy'),
        labels: scope.labels,
        routes: [{ handle: [{ handler: 'reverse_proxy', dynamic_upstreams: dynamicOn(blue.name), load_balancing: { try_duration: '2s' } }] }],
      });
      try {
        await waitUntil('Caddy to answer v1 through tasks.<blue>', 30_000, async () => {
          const answer = await unixRequest(caddy.httpSocket, 'GET', '/version').catch(() => undefined);
          return answer?.status === 200 && answer.text.trim() === 'v1' ? true : undefined;
        });
        const handler = '/config/apps/http/servers/srv0/routes/0/handle/0';

        // A: one change of the dynamic name, blue -> green. The slow requests hold blue's tasks in flight.
        const dynamic = await switchUnderLoad(caddy, blue.addresses, async () => {
          const answer = await adminRequest(caddy.adminSocket, 'PATCH', `${handler}/dynamic_upstreams`, dynamicOn(green.name));
          assert.equal(answer.status, 200, answer.text);
        });
        // B: back to blue by blue's task addresses as static upstreams.
        const addresses = await switchUnderLoad(caddy, green.addresses, async () => {
          const answer = await adminRequest(caddy.adminSocket, 'PATCH', handler, { handler: 'reverse_proxy', upstreams: blue.addresses.map(dial), load_balancing: { try_duration: '2s' } });
          assert.equal(answer.status, 200, answer.text);
        });
        for (const [way, m, oldVersion] of [['tasks.<name>', dynamic, 'v1'], ['task addresses', addresses, 'v2']] as const) {
          t.diagnostic(`${way}: ${m.requests} requests, ${m.failed} failed, ${m.oldAfterAck} to the old color after the acknowledgement, switch ${m.switchMs} ms, old tasks seen in flight ${m.seenInFlight}, drained ${m.drainMs} ms after the acknowledgement`);
          assert.equal(m.failed, 0, `${way}: failed requests: ${m.errors.join('; ')}`);
          assert.equal(m.oldAfterAck, 0, `${way}: requests started after the switch answered by ${oldVersion}`);
          assert.ok(m.requests > 20, `${way}: the load ran (${m.requests} requests)`);
          assert.ok(m.seenInFlight, `${way}: the old color's tasks were listed in flight in /reverse_proxy/upstreams`);
          assert.ok(m.slowAnswered, `${way}: the requests in flight on the old color were answered`);
        }
      } finally {
        await caddy.remove();
      }

      // Removing a color: its service and its tasks go; removing it again is no error.
      assert.equal(await swarm.remove(blue.name), true);
      assert.equal(await swarm.remove(blue.name), false);
      await waitUntil('blue tasks to be gone', 60_000, async () => ((await swarm.listTasks(blue.name)).length === 0 ? true : undefined));
      assert.equal(await swarm.remove(green.name), true);
    });
  });
});

function dynamicOn(serviceName: string): object {
  return { source: 'a', name: `tasks.${serviceName}`, port: String(APP_PORT), refresh: '1s' };
}

interface SwitchMeasure {
  requests: number;
  failed: number;
  errors: string[];
  oldAfterAck: number;
  switchMs: number;
  seenInFlight: boolean;
  drainMs: number;
  slowAnswered: boolean;
}

/**
 * Runs a load through Caddy (keep-alive and new-connection clients on /version,
 * and two 2 s requests on the old color), switches with `change` while it runs,
 * watches /reverse_proxy/upstreams until no old task address has a request in
 * flight, and counts what the clients saw.
 */
async function switchUnderLoad(caddy: { httpSocket: string; adminSocket: string }, oldAddresses: string[], change: () => Promise<void>): Promise<SwitchMeasure> {
  const before = (await unixRequest(caddy.httpSocket, 'GET', '/version')).text.trim();
  const samples: Array<{ startedAt: number; version: string | undefined; error: string | undefined }> = [];
  let running = true;
  const client = async (agent: http.Agent) => {
    while (running) {
      const startedAt = Date.now();
      const send = () => unixRequest(caddy.httpSocket, 'GET', '/version', { agent });
      // As browsers do (and the rig's load client): a kept-alive connection closed under the request, before any answer, is retried once.
      const answer = await send()
        .catch((err: Error & { reused?: boolean }) => (err.reused === true ? send() : Promise.reject(err)))
        .catch((err: Error) => ({ status: 0, text: err.message }));
      samples.push({ startedAt, version: answer.status === 200 ? answer.text.trim() : undefined, error: answer.status === 200 ? undefined : `${answer.status} ${answer.text.trim()}` });
    }
  };
  const agents = [...Array.from({ length: 3 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 })), ...Array.from({ length: 2 }, () => new http.Agent({ keepAlive: false }))];
  const clients = agents.map(client);
  const slow = [1, 2].map(() => unixRequest(caddy.httpSocket, 'GET', '/slow?ms=2000'));
  await waitUntil('requests on the old color', 10_000, () => (samples.filter((s) => s.version === before).length >= 10 ? true : undefined));
  const switchStarted = Date.now();
  await change();
  const ackAt = Date.now();
  let seenInFlight = false;
  await waitUntil('the old color to drain', 30_000, async () => {
    const rows = JSON.parse((await adminRequest(caddy.adminSocket, 'GET', '/reverse_proxy/upstreams')).text) as Array<{ address: string; num_requests: number }>;
    const old = rows.filter((row) => oldAddresses.some((address) => row.address === `${address}:${APP_PORT}`) && row.num_requests > 0);
    if (old.length > 0) seenInFlight = true;
    return old.length === 0 ? true : undefined;
  });
  const drainMs = Date.now() - ackAt;
  const slowAnswers = await Promise.all(slow);
  await waitUntil('requests after the switch', 10_000, () => (samples.filter((s) => s.startedAt > ackAt).length >= 20 ? true : undefined));
  running = false;
  await Promise.all(clients);
  for (const agent of agents) agent.destroy();
  const failed = samples.filter((s) => s.error !== undefined);
  return {
    requests: samples.length,
    failed: failed.length,
    errors: [...new Set(failed.map((s) => s.error as string))].slice(0, 5),
    oldAfterAck: samples.filter((s) => s.startedAt > ackAt && s.version === before).length,
    switchMs: ackAt - switchStarted,
    seenInFlight,
    drainMs,
    slowAnswered: slowAnswers.every((a) => a.status === 200 && a.text.trim() === before),
  };
}
