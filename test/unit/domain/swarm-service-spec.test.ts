import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ServiceSpec } from '../../../src/config/model.js';
import { NO_CONTAINER_SETTINGS } from '../../../src/config/container-settings.js';
import { swarmServiceSpec, type SwarmServiceInput, type SwarmServiceSpec } from '../../../src/domain/swarm-service-spec.js';
import { swarmServiceName, swarmTasksHost } from '../../../src/domain/swarm-service-name.js';
import { makeSpec } from '../../fixtures/make-service.js';

const OVERLAY = { name: 'shop_internal', external: false, driver: 'overlay' };

function input(spec: ServiceSpec, overrides: Partial<SwarmServiceInput> = {}): SwarmServiceInput {
  return {
    project: 'shop',
    spec,
    color: 'green',
    version: 'v2',
    networks: { internal: 'shop_internal' },
    networkSpecs: { internal: OVERLAY },
    volumes: { data: 'shop_data' },
    ...overrides,
  };
}

function planned(spec: ServiceSpec, overrides: Partial<SwarmServiceInput> = {}): { spec: SwarmServiceSpec; ignored: string[] } {
  const result = swarmServiceSpec(input(spec, overrides));
  if (!result.ok) assert.fail(`unexpected problems: ${result.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return result;
}

function problemsOf(spec: ServiceSpec, overrides: Partial<SwarmServiceInput> = {}): string[] {
  const result = swarmServiceSpec(input(spec, overrides));
  assert.equal(result.ok, false, 'expected the spec to be refused');
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}

const MS = 1_000_000;

describe('swarmServiceName', () => {
  test('a color is the stack-prefixed service with the color after it; Caddy reaches its tasks by tasks.<name>', () => {
    assert.equal(swarmServiceName('shop', 'platform', 'blue'), 'shop_platform-blue');
    assert.equal(swarmTasksHost('shop', 'platform', 'green'), 'tasks.shop_platform-green');
  });
});

describe('swarmServiceSpec: what a color runs', () => {
  const spec = makeSpec({
    name: 'platform',
    image: 'ghcr.io/acme/platform:v2',
    entrypoint: ['/bin/entry'],
    command: ['node', 'server.mjs'],
    environment: { PORT: '3000', MODE: 'prod' },
    labels: { team: 'web', 'com.docker.compose.project': 'shop' },
    networks: [{ key: 'internal', aliases: ['platform-green'] }],
    volumes: [
      { type: 'volume', source: 'data', target: '/data', readOnly: false },
      { type: 'bind', source: '/srv/conf', target: '/conf', readOnly: true },
    ],
    healthcheck: { test: ['CMD', 'wget', '-q', 'http://127.0.0.1:3000/health'], intervalMs: 2000, timeoutMs: 1000, retries: 3, startPeriodMs: 5000 },
    stopGracePeriodMs: 25_000,
    stopSignal: 'SIGINT',
    replicas: 3,
    restart: 'unless-stopped',
    memLimitBytes: 512 * 1024 * 1024,
    logging: { driver: 'json-file', options: { 'max-size': '10m' } },
    container: {
      ...NO_CONTAINER_SETTINGS,
      config: { User: '1000:1000', WorkingDir: '/app' },
      hostConfig: {
        NanoCpus: 1_500_000_000,
        MemoryReservation: 128 * 1024 * 1024,
        PidsLimit: 200,
        Init: true,
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        CapAdd: ['NET_BIND_SERVICE'],
        Sysctls: { 'net.core.somaxconn': '1024' },
        Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
        ExtraHosts: ['db.local:10.0.0.5'],
        Dns: ['10.0.0.2'],
        Tmpfs: { '/run': 'size=64m,mode=1777' },
      },
    },
  });
  const { spec: swarm, ignored } = planned(spec, { placement: { Constraints: ['node.role==worker'] }, extraLabels: { 'cutover.operation': 'op-1' } });
  const container = swarm.TaskTemplate.ContainerSpec;

  test('name, replicas, dnsrr endpoint, image as given', () => {
    assert.equal(swarm.Name, 'shop_platform-green');
    assert.deepEqual(swarm.Mode, { Replicated: { Replicas: 3 } });
    assert.deepEqual(swarm.EndpointSpec, { Mode: 'dnsrr' });
    assert.equal(container.Image, 'ghcr.io/acme/platform:v2');
  });

  test("cutover's labels on the service and on every task; the app's labels on the tasks only; Compose's dropped", () => {
    assert.deepEqual(swarm.Labels, { 'cutover.project': 'shop', 'cutover.service': 'platform', 'cutover.color': 'green', 'cutover.version': 'v2', 'cutover.operation': 'op-1' });
    assert.deepEqual(container.Labels, { team: 'web', ...swarm.Labels });
  });

  test('entrypoint is Swarm\'s Command, command its Args; env, user, dir, init, read-only', () => {
    assert.deepEqual(container.Command, ['/bin/entry']);
    assert.deepEqual(container.Args, ['node', 'server.mjs']);
    assert.deepEqual(container.Env, ['PORT=3000', 'MODE=prod']);
    assert.deepEqual([container.User, container.Dir, container.Init, container.ReadOnly], ['1000:1000', '/app', true, true]);
  });

  test('healthcheck and stop settings in nanoseconds', () => {
    assert.deepEqual(container.Healthcheck, { Test: ['CMD', 'wget', '-q', 'http://127.0.0.1:3000/health'], Interval: 2000 * MS, Timeout: 1000 * MS, Retries: 3, StartPeriod: 5000 * MS });
    assert.equal(container.StopGracePeriod, 25_000 * MS);
    assert.equal(container.StopSignal, 'SIGINT');
  });

  test('resources: CPU, memory and pids limits, memory reservation', () => {
    assert.deepEqual(swarm.TaskTemplate.Resources, {
      Limits: { NanoCPUs: 1_500_000_000, MemoryBytes: 512 * 1024 * 1024, Pids: 200 },
      Reservations: { MemoryBytes: 128 * 1024 * 1024 },
    });
  });

  test('networks by their Docker names with the aliases; placement as given; restart unless-stopped is any', () => {
    assert.deepEqual(swarm.TaskTemplate.Networks, [{ Target: 'shop_internal', Aliases: ['platform-green'] }]);
    assert.deepEqual(swarm.TaskTemplate.Placement, { Constraints: ['node.role==worker'] });
    assert.deepEqual(swarm.TaskTemplate.RestartPolicy, { Condition: 'any' });
  });

  test('mounts: named volume by its Docker name, bind, tmpfs with size and mode', () => {
    assert.deepEqual(container.Mounts, [
      { Type: 'volume', Source: 'shop_data', Target: '/data', ReadOnly: false },
      { Type: 'bind', Source: '/srv/conf', Target: '/conf', ReadOnly: true },
      { Type: 'tmpfs', Target: '/run', ReadOnly: false, TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1777 } },
    ]);
  });

  test('capabilities, sysctls, ulimits, hosts as "address name", DNS', () => {
    assert.deepEqual([container.CapabilityAdd, container.CapabilityDrop], [['NET_BIND_SERVICE'], ['ALL']]);
    assert.deepEqual(container.Sysctls, { 'net.core.somaxconn': '1024' });
    assert.deepEqual(container.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }]);
    assert.deepEqual(container.Hosts, ['10.0.0.5 db.local']);
    assert.deepEqual(container.DNSConfig, { Nameservers: ['10.0.0.2'] });
  });

  test('log driver; Swarm\'s own update and rollback never roll back by themselves', () => {
    assert.deepEqual(swarm.TaskTemplate.LogDriver, { Name: 'json-file', Options: { 'max-size': '10m' } });
    assert.equal(swarm.UpdateConfig.FailureAction, 'pause');
    assert.equal(swarm.RollbackConfig.FailureAction, 'pause');
    assert.deepEqual(ignored, []);
  });
});

describe('swarmServiceSpec: defaults and smaller shapes', () => {
  test('no healthcheck, resources or placement: none sent; restart no and on-failure:3', () => {
    const plain = planned(makeSpec({ name: 'web', restart: 'no', networks: [{ key: 'internal', aliases: [] }] })).spec;
    assert.equal(plain.TaskTemplate.ContainerSpec.Healthcheck, undefined);
    assert.equal(plain.TaskTemplate.Resources, undefined);
    assert.equal(plain.TaskTemplate.Placement, undefined);
    assert.deepEqual(plain.TaskTemplate.Networks, [{ Target: 'shop_internal' }]);
    assert.deepEqual(plain.TaskTemplate.RestartPolicy, { Condition: 'none' });
    assert.deepEqual(planned(makeSpec({ name: 'web', restart: 'on-failure:3' })).spec.TaskTemplate.RestartPolicy, { Condition: 'on-failure', MaxAttempts: 3 });
  });

  test('a disabled healthcheck is NONE; an anonymous volume has no source', () => {
    const swarm = planned(makeSpec({ name: 'web', healthcheck: 'disabled', volumes: [{ type: 'volume', source: undefined, target: '/cache', readOnly: false }] })).spec;
    assert.deepEqual(swarm.TaskTemplate.ContainerSpec.Healthcheck, { Test: ['NONE'] });
    assert.deepEqual(swarm.TaskTemplate.ContainerSpec.Mounts, [{ Type: 'volume', Target: '/cache', ReadOnly: false }]);
  });

  test('container_name, depends_on and expose are done without, and named for a warning', () => {
    const { ignored } = planned(makeSpec({ name: 'web', containerName: 'shop-web-green', dependsOn: ['db'], expose: [9000] }));
    assert.deepEqual(
      ignored.map((line) => line.split(' ')[0]),
      ['container_name', 'depends_on', 'expose'],
    );
  });
});

describe('swarmServiceSpec: keys Swarm cannot honour, all at once, one line each', () => {
  test('published ports, fixed addresses, a bridge network, start_interval, secrets', () => {
    const spec = makeSpec({
      name: 'web',
      ports: [{ hostIp: '127.0.0.1', hostPort: 8101, containerPort: 3000, protocol: 'tcp' }],
      networks: [{ key: 'front', aliases: [], ipv4Address: '172.30.0.10' }],
      healthcheck: { test: ['CMD', 'true'], intervalMs: 1000, timeoutMs: undefined, retries: undefined, startPeriodMs: undefined, startIntervalMs: 500 },
      container: {
        ...NO_CONTAINER_SETTINGS,
        files: [{ kind: 'secret', name: 'api_key', target: '/run/secrets/api_key', uid: 0, gid: 0, mode: 0o400, source: { kind: 'content', text: 'x' } }],
      },
    });
    const problems = problemsOf(spec, { networks: { front: 'shop_front' }, networkSpecs: { front: { name: 'shop_front', external: false, driver: 'bridge' } } });
    assert.deepEqual(
      problems.map((line) => line.split(':')[0]),
      ['services.web.ports', 'services.web.secrets', 'services.web.networks.front', 'networks.front.driver', 'services.web.healthcheck.start_interval'],
    );
    for (const line of problems) assert.ok(!line.includes('\n') && line.length < 200, `one short line: ${line}`);
  });

  test('host settings without a Swarm field: each key once, with the reason', () => {
    const spec = makeSpec({
      name: 'web',
      container: {
        ...NO_CONTAINER_SETTINGS,
        config: { MacAddress: '02:42:ac:11:00:02' },
        hostConfig: {
          Privileged: true,
          CpusetCpus: '0',
          CpusetMems: '0',
          ShmSize: 1024,
          Devices: [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' }],
          ExtraHosts: ['host.docker.internal:host-gateway'],
          Tmpfs: { '/run': 'size=1m,noexec' },
        },
      },
    });
    const problems = problemsOf(spec);
    assert.deepEqual(
      problems.map((line) => line.split(':')[0]),
      ['services.web.privileged', 'services.web.shm_size', 'services.web.devices', 'services.web.cpuset', 'services.web.mac_address', 'services.web.extra_hosts', 'services.web.tmpfs'],
    );
    assert.match(problems[0] as string, /cannot run privileged/);
    assert.match(problems.at(-1) as string, /noexec/);
  });

  test('a privileged: false or an empty list is no problem', () => {
    const spec = makeSpec({ name: 'web', container: { ...NO_CONTAINER_SETTINGS, hostConfig: { Privileged: false, CapAdd: [] } } });
    assert.equal(swarmServiceSpec(input(spec)).ok, true);
  });
});
