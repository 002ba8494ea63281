/**
 * Starting one service in one color on the real Docker engine: labels, names,
 * networks and aliases, volumes, published ports, replicas, and the typed
 * errors when Docker refuses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DockerEngine } from '../../src/adapters/docker/docker-engine.js';
import { LABEL } from '../../src/adapters/docker/docker-labels.js';
import { DockerOperationError, DockerUnavailableError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { appServiceSpec } from '../rig/app-service-spec.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { freePort } from '../rig/free-port.js';
import { httpGet } from '../rig/http-get.js';
import { runInContainer } from '../rig/run-in-container.js';
import { RUN_LABEL, runId, testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { APP_PORT, buildTestImage } from '../rig/test-image.js';

const scope = testScope('color');
const docker = rigDockerClient();
const engine = DockerEngine.fromEnvironment(silentLogger());
const project = scope.prefix;
const internal = scope.name('internal');
const extra = scope.name('extra');
const dataVolume = scope.name('data');
let imageV1 = '';
let imageV2 = '';

describe('docker adapter: a service in one color', () => {
  before(async () => {
    [imageV1, imageV2] = await Promise.all([buildTestImage(docker, scope, 'v1.0.0'), buildTestImage(docker, scope, 'v2.0.0')]);
    for (const name of [internal, extra]) {
      assert.deepEqual(await engine.ensureNetwork({ name, external: false, driver: undefined }, scope.labels), { created: true });
    }
    assert.deepEqual(await engine.ensureVolume({ name: dataVolume, external: false, driver: undefined }, scope.labels), { created: true });
  });

  after(async () => {
    assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
  });

  test('ping reports the engine and its API version', async () => {
    const version = await engine.ping();
    assert.match(version.apiVersion, /^1\.\d+$/);
    assert.ok(version.engineVersion.length > 0);
  });

  test('an unreachable engine is DockerUnavailableError with a hint naming DOCKER_HOST', async () => {
    const nowhere = DockerEngine.fromEnvironment(silentLogger(), { DOCKER_HOST: `unix:///tmp/${scope.prefix}-no-such.sock` });
    await assert.rejects(nowhere.ping(), (err: unknown) => {
      assert.ok(err instanceof DockerUnavailableError);
      assert.equal(err.exitCode, 7);
      assert.match(err.message, /no-such\.sock is unreachable/);
      assert.match(err.hint ?? '', /DOCKER_HOST/);
      return true;
    });
  });

  test('comes up healthy with its labels, aliases on two networks, volumes and a port on 127.0.0.1', async () => {
    const spec = appServiceSpec({
      name: 'web',
      image: imageV1,
      containerName: scope.name('web-green'),
      environment: { APP_COLOR: 'green' },
      labels: { 'com.docker.compose.project': 'someone-else', 'team.owner': 'platform' },
      networks: [
        { key: 'internal', aliases: ['web-green', 'web'] },
        { key: 'extra', aliases: ['web-extra'] },
      ],
      volumes: [
        { type: 'volume', source: 'data', target: '/data', readOnly: false },
        { type: 'tmpfs', source: undefined, target: '/scratch', readOnly: false },
      ],
      stopGracePeriodMs: 4500,
      restart: 'on-failure:2',
      memLimitBytes: 256 * 1024 * 1024,
      stopSignal: 'SIGINT',
      logging: { driver: 'json-file', options: { 'max-size': '1m', 'max-file': '2' } },
    });
    const [started, ...more] = await engine.startServiceColor({
      project,
      spec,
      color: 'green',
      version: 'v1.0.0',
      networks: { internal, extra },
      volumes: { data: dataVolume },
      extraLabels: scope.labels,
    });
    assert.ok(started);
    assert.equal(more.length, 0);
    assert.equal(started.name, scope.name('web-green'));

    const wait = await engine.waitUntilHealthy([started.id], { timeoutMs: 15_000 });
    assert.equal(wait.healthy, true, JSON.stringify(wait.outcomes));

    const info = await docker.getContainer(started.id).inspect();
    const labels = info.Config.Labels;
    assert.equal(labels[LABEL.project], project);
    assert.equal(labels[LABEL.service], 'web');
    assert.equal(labels[LABEL.color], 'green');
    assert.equal(labels[LABEL.version], 'v1.0.0');
    assert.equal(labels[LABEL.replica], '1');
    assert.equal(labels['team.owner'], 'platform');
    assert.equal(labels[RUN_LABEL], runId);
    assert.deepEqual(Object.keys(labels).filter((k) => k.startsWith('com.docker.compose.')), []);
    assert.equal((info.Config as { StopTimeout?: number }).StopTimeout, 5); // 4.5 s rounded up
    assert.equal((info.Config as { Healthcheck?: { Interval?: number } }).Healthcheck?.Interval, 1_000_000_000);
    assert.deepEqual(info.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
    assert.equal(info.HostConfig.Memory, 256 * 1024 * 1024);
    assert.equal((info.Config as { StopSignal?: string }).StopSignal, 'SIGINT');
    assert.deepEqual(info.HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } });
    const mounts = Object.fromEntries(info.Mounts.map((m) => [m.Destination, m]));
    assert.equal(mounts['/data']?.Name, dataVolume);
    assert.equal(mounts['/scratch']?.Type, 'tmpfs');

    const [listed, ...others] = await engine.listContainers({ project, service: 'web', color: 'green' });
    assert.equal(others.length, 0);
    assert.ok(listed);
    assert.equal(listed.state, 'running');
    assert.equal(listed.health, 'healthy');
    assert.equal(listed.version, 'v1.0.0');
    assert.equal(listed.replica, 1);
    const byNetwork = Object.fromEntries(listed.networks.map((n) => [n.network, n]));
    assert.ok(byNetwork[internal]?.aliases.includes('web-green'), JSON.stringify(listed.networks));
    assert.ok(byNetwork[internal]?.aliases.includes('web'));
    assert.ok(byNetwork[extra]?.aliases.includes('web-extra'), 'the second network is connected before start, with its aliases');
    assert.match(byNetwork[extra]?.ipAddress ?? '', /^\d+\.\d+\.\d+\.\d+$/);

    const [port] = listed.ports;
    assert.equal(port?.containerPort, APP_PORT);
    assert.equal(port?.hostIp, '127.0.0.1');
    const answer = await httpGet(`http://127.0.0.1:${port?.hostPort}/version`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body, 'v1.0.0');
    assert.equal(answer.headers['x-app-color'], 'green');

    // Another container on the network reaches it by alias, as Caddy will.
    const probe = await runInContainer(docker, {
      image: imageV1,
      name: scope.name('probe'),
      labels: scope.labels,
      network: internal,
      cmd: ['wget', '-qO-', `http://web-green:${APP_PORT}/version`],
    });
    assert.deepEqual(probe, { exitCode: 0, output: 'v1.0.0' });
  });

  test('replicas: 2 gives two containers named <project>-<service>-<color>-<n>, each on its own port', async () => {
    const spec = appServiceSpec({ name: 'api', image: imageV2, replicas: 2, containerName: 'ignored-with-replicas' });
    const started = await engine.startServiceColor({ project, spec, color: 'blue', version: 'v2.0.0', networks: {}, volumes: {}, extraLabels: scope.labels });
    assert.deepEqual(
      started.map((c) => [c.name, c.replica]),
      [
        [`${project}-api-blue-1`, 1],
        [`${project}-api-blue-2`, 2],
      ],
    );
    const wait = await engine.waitUntilHealthy(
      started.map((c) => c.id),
      { timeoutMs: 15_000 },
    );
    assert.equal(wait.healthy, true, JSON.stringify(wait.outcomes));
    const listed = await engine.listContainers({ project, service: 'api' });
    assert.equal(listed.length, 2);
    const ports = listed.map((c) => c.ports[0]?.hostPort);
    assert.notEqual(ports[0], ports[1]);
    for (const port of ports) assert.equal((await httpGet(`http://127.0.0.1:${port}/version`)).body, 'v2.0.0');
    assert.deepEqual(await engine.listContainers({ project, service: 'api', color: 'green' }), []);
  });

  test('a failed start removes what it created and says what Docker refused', async () => {
    // Two replicas on one fixed host port: the second cannot start. This is why a
    // colored service must not keep a fixed host port while the other color runs.
    const hostPort = await freePort();
    const spec = appServiceSpec({
      name: 'fixed',
      image: imageV1,
      replicas: 2,
      ports: [{ hostIp: '127.0.0.1', hostPort, containerPort: APP_PORT, protocol: 'tcp' }],
    });
    await assert.rejects(
      engine.startServiceColor({ project, spec, color: 'green', version: 'v1.0.0', networks: {}, volumes: {}, extraLabels: scope.labels }),
      (err: unknown) => {
        assert.ok(err instanceof DockerOperationError);
        assert.equal(err.exitCode, 8);
        assert.match(err.message, new RegExp(`^starting container ${project}-fixed-green-2: .*${hostPort}`));
        assert.match(err.hint ?? '', /host port/);
        return true;
      },
    );
    assert.deepEqual(await engine.listContainers({ project, service: 'fixed' }), [], 'replica 1 was removed again');
  });

  test('a name already in use is a DockerOperationError naming the container, with a hint', async () => {
    const spec = appServiceSpec({ name: 'web', image: imageV1, containerName: scope.name('web-green'), networks: [{ key: 'internal', aliases: [] }] });
    await assert.rejects(
      engine.startServiceColor({ project, spec, color: 'green', version: 'v1.0.0', networks: { internal }, volumes: {}, extraLabels: scope.labels }),
      (err: unknown) => {
        assert.ok(err instanceof DockerOperationError);
        assert.match(err.message, new RegExp(`^creating container ${scope.name('web-green')}: Conflict\\. The container name .* is already in use`));
        assert.match(err.hint ?? '', /docker rm -f/);
        return true;
      },
    );
  });

  test('an external network or volume that does not exist is a clear error; it is never created', async () => {
    const name = scope.name('absent');
    await assert.rejects(engine.ensureNetwork({ name, external: true, driver: undefined }), (err: unknown) => {
      assert.ok(err instanceof DockerOperationError);
      assert.equal(err.message, `external network ${name} does not exist`);
      assert.match(err.hint ?? '', new RegExp(`docker network create ${name}`));
      return true;
    });
    await assert.rejects(engine.ensureVolume({ name, external: true, driver: undefined }), /external volume .* does not exist/);
    assert.deepEqual(await engine.ensureNetwork({ name: internal, external: true, driver: undefined }), { created: false });
  });

  test('stop and remove are idempotent; remove refuses a running container unless forced', async () => {
    const [web] = await engine.listContainers({ project, service: 'web' });
    assert.ok(web);
    await assert.rejects(engine.removeContainers([web.id]), DockerOperationError);
    await engine.removeContainers([web.id], { force: true });
    await engine.removeContainers([web.id], { force: true });
    await engine.stopContainers([web.id], 1000);
    assert.deepEqual(await engine.listContainers({ project, service: 'web' }), []);
  });
});
