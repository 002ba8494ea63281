/**
 * Compose fidelity on the real engine. Debian's docker-compose 1.29.2 is the
 * oracle: from the same compose files it creates (never starts) the container
 * of a hardened service, cutover creates its own through its Docker adapter
 * (planContainer, the create request a deploy sends), and the two `docker
 * inspect`s are compared key by key. What legitimately differs is normalised
 * and said so: names, the tools' own labels, network aliases each tool adds,
 * the host path behind a secret (cutover mounts a managed copy, see
 * docs/compose.md). Where 1.29.2 does not apply a key (uid/gid/mode of a
 * secret, configs' content sources, gpus), the specification's documented
 * result is asserted instead.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type Docker from 'dockerode';
import { endpointConfig, planContainer } from '../../src/adapters/docker/plan-container.js';
import { loadProject } from '../../src/config/load-project.js';
import type { ProjectConfig } from '../../src/config/model.js';
import { engineForCreate } from '../../src/adapters/docker/engine-for-create.js';
import { ConfigInvalidError } from '../../src/errors.js';
import { materializeMountedFiles } from '../../src/run/materialize-mounted-files.js';
import { recordingLogger } from '../rig/recording-logger.js';
import { composeContainers, composeCreate, removeComposeProject } from '../rig/compose-oracle.js';
import { rigDockerClient } from '../rig/docker-client.js';
import { testScope } from '../rig/run-id.js';
import { cleanUpScope, NOTHING_LEFT } from '../rig/scope-cleanup.js';
import { buildTinyImage } from '../rig/test-image.js';

const scope = testScope('fidelity');
const docker = rigDockerClient();
const oracleProject = scope.name('oracle');
const cutoverProject = scope.name('cutover');
const network = scope.name('net');
const SUBNET = '10.231.0.0/24';
/** The services both tools create: edge extends a service of lib/base.yml. */
const SERVICES = ['web', 'worker', 'edge'];

let dir = '';
let image = '';

const labelsYaml = (indent: string): string => Object.entries(scope.labels).map(([k, v]) => `${indent}${k}: "${v}"`).join('\n');

/** A hardened service written the way production compose files are, with keys docker-compose 1.29.2 knows. */
function composeYaml(): string {
  return `services:
  web:
    image: ${image}
    labels:
${labelsYaml('      ')}
      app.tier: front
    user: "1000:1000"
    working_dir: /tmp
    entrypoint: ["/bin/sh", "-c"]
    command: ["sleep 3600"]
    environment:
      MODE: hardened
    init: true
    read_only: true
    tmpfs:
      - /run:size=1m,mode=1777
      - /var/tmp
    shm_size: 64m
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE, CHOWN]
    privileged: false
    security_opt: ["no-new-privileges:true"]
    sysctls:
      net.core.somaxconn: "1024"
      net.ipv4.tcp_syncookies: "0"
    ulimits:
      nproc: 512
      nofile:
        soft: 1024
        hard: 2048
    extra_hosts:
      - "host.docker.internal:host-gateway"
      - "db.local:10.1.2.3"
    dns: [10.0.0.53]
    dns_search: [example.internal]
    dns_opt: ["ndots:2"]
    hostname: web-host
    domainname: example.internal
    ipc: private
    group_add: ["100", "audio"]
    oom_score_adj: 100
    stop_signal: SIGINT
    stop_grace_period: 20s
    restart: on-failure:3
    logging:
      driver: json-file
      options:
        max-size: 1m
        max-file: "2"
    mem_limit: 64m
    mem_reservation: 32m
    memswap_limit: 128m
    mem_swappiness: 10
    cpus: 0.5
    cpu_shares: 512
    cpuset: "0"
    pids_limit: 100
    blkio_config:
      weight: 300
    devices:
      - "/dev/null:/dev/xnull:rw"
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
      timeout: 2s
      retries: 2
      start_period: 10s
    secrets:
      - source: token
        uid: "1000"
        gid: "1000"
        mode: 0440
    configs:
      - source: app_conf
        target: /etc/app/app.conf
    networks:
      net:
        aliases: [web-alias]
        ipv4_address: 10.231.0.10
  worker:
    image: ${image}
    labels:
${labelsYaml('      ')}
    command: ["sleep", "3600"]
    deploy:
      resources:
        limits:
          cpus: "0.25"
          memory: 32m
        reservations:
          memory: 16m
      restart_policy:
        condition: on-failure
        max_attempts: 2
    networks: [net]
  edge:
    extends:
      file: lib/base.yml
      service: base
    labels:
${labelsYaml('      ')}
      app.tier: edge
    command: ["sleep", "3600"]
    environment:
      MODE: edge
    volumes: ["./here:/here:ro"]
    cap_add: [NET_RAW]
    networks: [net]
networks:
  net:
    external: true
    name: ${network}
secrets:
  token:
    file: ./token.txt
configs:
  app_conf:
    file: ./app.conf
`;
}

/**
 * The service `edge` extends: another file in another directory, so its relative paths (env_file, a bind source) resolve
 * from lib/. (1.29.2 refuses to extend a service with depends_on; that it is not inherited is unit-tested.)
 */
const baseYaml = (): string => `services:
  base:
    image: ${image}
    command: ["sleep", "1"]
    environment:
      MODE: base
      BASE_ONLY: "1"
    env_file: base.env
    labels:
      app.base: "yes"
      app.tier: base
    volumes: ["./data:/data"]
    cap_add: [CHOWN]
    expose: ["8080"]
    stop_signal: SIGUSR1
`;

/** The overlays only color the services: no container_name, so both tools name their containers themselves. */
const overlay = (color: string): string =>
  `services:\n${['web', 'worker', 'edge'].map((service) => `  ${service}:\n    environment:\n      APP_COLOR: ${color}\n`).join('')}`;

/** The host path bound at `target`, from Binds (`source:target[:mode]`) or Mounts. */
function bindSource(info: Docker.ContainerInspectInfo | undefined, target: string): string | undefined {
  const fromBinds = (info?.HostConfig.Binds ?? []).map((bind) => bind.split(':')).find(([, t]) => t === target)?.[0];
  const mounts = (info?.HostConfig as { Mounts?: Array<{ Type: string; Source: string; Target: string }> } | undefined)?.Mounts ?? [];
  return fromBinds ?? mounts.find((m) => m.Type === 'bind' && m.Target === target)?.Source;
}

async function cutoverProjectConfig(): Promise<ProjectConfig> {
  return loadProject({ projectDir: dir, env: { COMPOSE_PROJECT_NAME: cutoverProject, HOME: os.homedir() } });
}

/** cutover's own creation of the blue container: the create request a deploy sends, without the start. */
async function cutoverCreate(project: ProjectConfig, name: string): Promise<Docker.ContainerInspectInfo> {
  const service = project.colored.find((s) => s.name === name);
  assert.ok(service !== undefined);
  const spec = await materializeMountedFiles(project.projectDir, service.byColor.blue);
  const plan = planContainer({
    project: project.projectName,
    spec,
    color: 'blue',
    version: 'v1',
    replica: 1,
    networks: Object.fromEntries(Object.entries(project.networks).map(([key, n]) => [key, n.name])),
    volumes: {},
  });
  const container = await docker.createContainer(plan.create);
  for (const extra of plan.connectBeforeStart) await docker.getNetwork(extra.network).connect({ Container: container.id, EndpointConfig: endpointConfig(extra) });
  return container.inspect();
}

const HOST_CONFIG_KEYS = [
  'Init', 'ReadonlyRootfs', 'Tmpfs', 'ShmSize', 'CapAdd', 'CapDrop', 'Privileged', 'SecurityOpt', 'Sysctls', 'Ulimits', 'ExtraHosts',
  'Dns', 'DnsSearch', 'DnsOptions', 'IpcMode', 'PidMode', 'UTSMode', 'UsernsMode', 'GroupAdd', 'OomScoreAdj', 'OomKillDisable',
  'Memory', 'MemoryReservation', 'MemorySwap', 'MemorySwappiness', 'NanoCpus', 'CpuShares', 'CpuQuota', 'CpuPeriod', 'CpusetCpus',
  'PidsLimit', 'BlkioWeight', 'Devices', 'DeviceRequests', 'LogConfig', 'RestartPolicy', 'NetworkMode', 'Binds', 'Mounts', 'PortBindings',
] as const;

const CONFIG_KEYS = ['User', 'WorkingDir', 'Entrypoint', 'Cmd', 'Env', 'Hostname', 'Domainname', 'StopSignal', 'Healthcheck', 'Tty', 'OpenStdin', 'Labels', 'ExposedPorts'] as const;

/** Labels each tool adds about itself; everything else must match. */
const toolLabel = (key: string): boolean => key.startsWith('com.docker.compose.') || key.startsWith('cutover.');

/** The fields to compare, with what legitimately differs normalised. */
function comparable(info: Docker.ContainerInspectInfo): Record<string, unknown> {
  const host = info.HostConfig as Record<string, unknown>;
  const config = info.Config as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of HOST_CONFIG_KEYS) out[`HostConfig.${key}`] = host[key] ?? null;
  for (const key of CONFIG_KEYS) out[`Config.${key}`] = config[key] ?? null;
  // Without hostname:, Docker names the host after the container's short id.
  if (out['Config.Hostname'] === info.Id.slice(0, 12)) out['Config.Hostname'] = '<the container id>';
  // Bind mounts by target and mode: docker-compose binds a secret's file as written (in Mounts), cutover a managed copy of it
  // (in Binds: same bytes, the declared owner and mode).
  // `:rw` is Docker's default mode: docker-compose 1.29.2 writes it for a bind without a mode, cutover leaves it out.
  const binds = ((host.Binds as string[] | null) ?? []).map((bind) => bind.replace(/^[^:]+:/, '').replace(/:rw$/, ''));
  const bindMounts = ((host.Mounts as Array<{ Type: string; Target: string; ReadOnly?: boolean }> | null) ?? []).filter((m) => m.Type === 'bind').map((m) => `${m.Target}${m.ReadOnly === true ? ':ro' : ''}`);
  out['HostConfig.Binds'] = [...binds, ...bindMounts].sort();
  out['HostConfig.Mounts'] = ((host.Mounts as Array<{ Type: string }> | null) ?? []).filter((m) => m.Type !== 'bind');
  out['Config.Labels'] = Object.fromEntries(Object.entries((config.Labels as Record<string, string>) ?? {}).filter(([key]) => !toolLabel(key)));
  // Which tool added each alias differs (docker-compose also adds the service name and the container's short id); the explicit ones must be there.
  const endpoints = (info.NetworkSettings.Networks ?? {}) as Record<string, { Aliases?: string[] | null; IPAMConfig?: { IPv4Address?: string } | null }>;
  out.Networks = Object.fromEntries(
    Object.entries(endpoints).map(([name, endpoint]) => [name, { explicitAliases: (endpoint.Aliases ?? []).filter((a) => a === 'web-alias'), ipv4: endpoint.IPAMConfig?.IPv4Address ?? null }]),
  );
  return out;
}

/** The image and the external networks, shared by both suites. */
const ready = (async () => {
  image = await buildTinyImage(docker, scope, 'fidelity');
  await docker.createNetwork({ Name: network, Labels: scope.labels, IPAM: { Config: [{ Subnet: SUBNET }] } });
  await docker.createNetwork({ Name: `${network}-back`, Labels: scope.labels });
})();

after(async () => {
  await ready.catch(() => undefined);
  assert.deepEqual(await cleanUpScope(docker, scope), NOTHING_LEFT);
});

describe('compose fidelity: cutover creates the container docker-compose 1.29.2 creates', () => {
  const oracle: Record<string, Docker.ContainerInspectInfo | undefined> = {};
  const ours: Record<string, Docker.ContainerInspectInfo | undefined> = {};
  let project: ProjectConfig | undefined;
  let composeWarnings = '';

  before(async () => {
    await ready;
    dir = await mkdtemp(path.join(os.tmpdir(), `${scope.prefix}-project-`));
    await writeFile(path.join(dir, 'compose.yml'), composeYaml());
    await writeFile(path.join(dir, 'compose.blue.yml'), overlay('blue'));
    await writeFile(path.join(dir, 'compose.green.yml'), overlay('green'));
    await writeFile(path.join(dir, 'token.txt'), 's3cret\n', { mode: 0o600 });
    await writeFile(path.join(dir, 'app.conf'), 'level=info\n');
    await mkdir(path.join(dir, 'lib', 'data'), { recursive: true });
    await mkdir(path.join(dir, 'here'));
    await writeFile(path.join(dir, 'lib', 'base.yml'), baseYaml());
    await writeFile(path.join(dir, 'lib', 'base.env'), 'FROM_ENV_FILE=lib\nMODE=env-file\n');
    composeWarnings = await composeCreate(dir, oracleProject, ['compose.yml', 'compose.blue.yml'], SERVICES);
    project = await cutoverProjectConfig();
    for (const service of SERVICES) {
      [oracle[service]] = await composeContainers(docker, oracleProject, service);
      ours[service] = await cutoverCreate(project, service);
    }
  });

  after(async () => {
    await removeComposeProject(docker, oracleProject);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  for (const service of SERVICES) {
    test(`${service}: every compared field of HostConfig and Config is the same`, () => {
      const expected = oracle[service];
      const actual = ours[service];
      assert.ok(expected !== undefined, `docker-compose created no ${service} container (${composeWarnings})`);
      assert.ok(actual !== undefined);
      const want = comparable(expected);
      const got = comparable(actual);
      // docker-compose 1.29.2 ignores configs ("use docker stack deploy"); the specification mounts them: asserted below.
      got['HostConfig.Binds'] = (got['HostConfig.Binds'] as string[]).filter((bind) => bind !== '/etc/app/app.conf:ro');
      const differing = Object.keys(want).filter((key) => JSON.stringify(want[key]) !== JSON.stringify(got[key]));
      assert.deepEqual(
        Object.fromEntries(differing.map((key) => [key, { cutover: got[key], compose: want[key] }])),
        {},
        `fields that differ (compose's warnings: ${composeWarnings.trim() || 'none'})`,
      );
    });
  }

  test('edge (extends file:): the merged settings are there, and both tools bind the extended file\'s ./data from its own directory', () => {
    const env = ours.edge?.Config.Env ?? [];
    for (const entry of ['MODE=edge', 'BASE_ONLY=1', 'FROM_ENV_FILE=lib', 'APP_COLOR=blue']) assert.ok(env.includes(entry), `${entry} in ${JSON.stringify(env)}`);
    assert.deepEqual([ours.edge?.Config.Cmd, (ours.edge?.Config as { StopSignal?: string } | undefined)?.StopSignal, ours.edge?.Config.Labels?.['app.tier'], ours.edge?.Config.Labels?.['app.base']], [['sleep', '3600'], 'SIGUSR1', 'edge', 'yes']);
    assert.deepEqual([bindSource(ours.edge, '/data'), bindSource(oracle.edge, '/data')], [path.join(dir, 'lib', 'data'), path.join(dir, 'lib', 'data')]);
    assert.deepEqual([bindSource(ours.edge, '/here'), bindSource(oracle.edge, '/here')], [path.join(dir, 'here'), path.join(dir, 'here')]);
  });

  test('the secret is a copy owned by the declared uid:gid with the declared mode; the config is mounted read-only at its target (mode 0444)', async () => {
    const binds = (ours.web?.HostConfig.Binds ?? []).map((bind) => bind.split(':'));
    const byTarget = new Map(binds.map(([source = '', target = '', mode = '']) => [target, { source, mode }]));
    const secret = byTarget.get('/run/secrets/token');
    const config = byTarget.get('/etc/app/app.conf');
    assert.equal(secret?.mode, 'ro');
    assert.equal(config?.mode, 'ro');
    const secretStat = await stat(secret?.source ?? '');
    assert.deepEqual([secretStat.mode & 0o7777, secretStat.uid, secretStat.gid], [0o440, 1000, 1000]);
    const configStat = await stat(config?.source ?? '');
    assert.deepEqual([configStat.mode & 0o7777, configStat.uid, configStat.gid], [0o444, 0, 0]);
    assert.ok(secret?.source.startsWith(path.join(dir, '.cutover', 'files')), secret?.source);
  });
});

/** Keys docker-compose 1.29.2 rejects or ignores: the container must carry what the Compose specification documents. */
describe('compose fidelity: keys docker-compose 1.29.2 does not know, as the specification documents them', () => {
  let specDir = '';
  let api: Docker.ContainerInspectInfo | undefined;
  let loaded: ProjectConfig | undefined;

  before(async () => {
    await ready;
    specDir = await mkdtemp(path.join(os.tmpdir(), `${scope.prefix}-spec-`));
    await writeFile(
      path.join(specDir, 'compose.yml'),
      `services:
  api:
    image: ${image}
    labels:
${labelsYaml('      ')}
    command: ["sleep", "3600"]
    gpus: all
    deploy:
      resources:
        limits:
          pids: 50
    extra_hosts:
      gateway: host-gateway
    secrets:
      - from_env
      - source: inline
        target: inline.txt
        mode: 0400
    networks:
      back:
        priority: 10
      net:
        priority: 100
        aliases: [api-alias]
networks:
  net:
    external: true
    name: ${network}
  back:
    external: true
    name: ${network}-back
secrets:
  from_env:
    environment: API_TOKEN
  inline:
    content: "inline secret"
`,
    );
    await writeFile(path.join(specDir, 'compose.blue.yml'), 'services:\n  api: {}\n');
    await writeFile(path.join(specDir, 'compose.green.yml'), 'services:\n  api: {}\n');
    loaded = await loadProject({ projectDir: specDir, env: { COMPOSE_PROJECT_NAME: scope.name('spec'), API_TOKEN: 'from the environment' } });
    api = await cutoverCreate(loaded, 'api');
  });

  after(async () => {
    if (specDir !== '') await rm(specDir, { recursive: true, force: true });
  });

  test('gpus: all is a device request for every GPU; deploy.resources.limits.pids is the pids limit; extra_hosts as a mapping', () => {
    assert.deepEqual(api?.HostConfig.DeviceRequests, [{ Driver: '', Count: -1, DeviceIDs: [], Capabilities: [['gpu']], Options: {} }]);
    assert.equal(api?.HostConfig.PidsLimit, 50);
    assert.deepEqual(api?.HostConfig.ExtraHosts, ['gateway:host-gateway']);
  });

  test('networks are connected by priority, highest first: the first one at create, with its aliases', () => {
    assert.equal(api?.HostConfig.NetworkMode, network);
    const endpoints = (api?.NetworkSettings.Networks ?? {}) as Record<string, { Aliases?: string[] | null }>;
    assert.deepEqual(Object.keys(endpoints).sort(), [network, `${network}-back`].sort());
    assert.ok(endpoints[network]?.Aliases?.includes('api-alias'), JSON.stringify(endpoints));
  });

  test('secrets from an environment variable and from inline content: copies with the bytes, mode 0444 by default or as declared', async () => {
    const binds = new Map((api?.HostConfig.Binds ?? []).map((bind) => [bind.split(':')[1] ?? '', bind.split(':')[0] ?? '']));
    const fromEnv = binds.get('/run/secrets/from_env') ?? '';
    const inline = binds.get('/run/secrets/inline.txt') ?? '';
    assert.equal(await readFile(fromEnv, 'utf8'), 'from the environment');
    assert.equal(await readFile(inline, 'utf8'), 'inline secret');
    assert.deepEqual([(await stat(fromEnv)).mode & 0o7777, (await stat(inline)).mode & 0o7777], [0o444, 0o400]);
  });

  test('healthcheck.start_interval: refused below Engine API 1.44 with the key named, created with it from 1.44 on', async () => {
    const spec = loaded?.colored[0]?.byColor.blue;
    assert.ok(spec !== undefined);
    const withStartInterval = { ...spec, healthcheck: { test: ['CMD', 'true'], intervalMs: 5000, timeoutMs: undefined, retries: undefined, startPeriodMs: 10_000, startIntervalMs: 1000 } };
    const apiVersion = (await docker.version()).ApiVersion;
    const ctx = { docker, endpoint: 'test', logger: recordingLogger().logger };
    const [major = 0, minor = 0] = apiVersion.split('.').map(Number);
    if (major === 1 && minor < 44) {
      await assert.rejects(engineForCreate(ctx, withStartInterval), (error: unknown) => {
        assert.ok(error instanceof ConfigInvalidError);
        assert.equal(error.message, `compose files: services.api.healthcheck.start_interval: needs Docker Engine API 1.44 (Docker 25) or newer, but this engine speaks ${apiVersion}`);
        return true;
      });
    } else {
      const client = await engineForCreate(ctx, withStartInterval);
      assert.notEqual(client, docker);
    }
  });
});
