/**
 * The container-level Compose keys as cutover translates them (translate-*-keys.ts),
 * table-driven through loadProject: a key as written in compose.yml → the
 * Engine API fields of the service's container settings; and every invalid
 * value → one problem line naming the file and the path.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContainerSettings } from '../../../src/config/container-settings.js';
import { load, MINIMAL, problems, type ProjectFiles } from './temp-project.js';

/** compose.yml with the colored `web` written as given (MINIMAL's overlays color it) and a shared `db`. */
const web = (yaml: string, extra = ''): ProjectFiles => ({ ...MINIMAL, 'compose.yml': `services:\n  web:\n    image: a\n${yaml}\n  db:\n    image: postgres:16\n${extra}` });

async function settings(files: ProjectFiles, env: Record<string, string> = {}): Promise<ContainerSettings | undefined> {
  return (await load(files, { env })).colored[0]?.byColor.blue.container;
}

describe('container keys: what each becomes in the create request', () => {
  const cases: Array<{ name: string; yaml: string; expected: Partial<ContainerSettings['config'] & ContainerSettings['hostConfig']> }> = [
    { name: 'user, working_dir, hostname, domainname', yaml: '    user: "1000:1000"\n    working_dir: /srv\n    hostname: web\n    domainname: example.org', expected: { User: '1000:1000', WorkingDir: '/srv', Hostname: 'web', Domainname: 'example.org' } },
    { name: 'a numeric user', yaml: '    user: 1000', expected: { User: '1000' } },
    { name: 'init, read_only, privileged, tty, stdin_open', yaml: '    init: true\n    read_only: "true"\n    privileged: false\n    tty: true\n    stdin_open: true', expected: { Init: true, ReadonlyRootfs: true, Privileged: false, Tty: true, OpenStdin: true, AttachStdin: true } },
    { name: 'mac_address, runtime', yaml: '    mac_address: 02:42:ac:11:00:02\n    runtime: runc', expected: { MacAddress: '02:42:ac:11:00:02', Runtime: 'runc' } },
    { name: 'cap_add and cap_drop: sets, sorted', yaml: '    cap_add: [SYS_TIME, CHOWN, CHOWN]\n    cap_drop: [all]', expected: { CapAdd: ['CHOWN', 'SYS_TIME'], CapDrop: ['all'] } },
    { name: 'security_opt, group_add', yaml: '    security_opt: ["no-new-privileges:true", "label=disable"]\n    group_add: [audio, 100]', expected: { SecurityOpt: ['no-new-privileges:true', 'label=disable'], GroupAdd: ['audio', '100'] } },
    { name: 'namespaces', yaml: '    ipc: shareable\n    pid: host\n    uts: host\n    userns_mode: host\n    cgroup: private\n    cgroup_parent: app.slice', expected: { IpcMode: 'shareable', PidMode: 'host', UTSMode: 'host', UsernsMode: 'host', CgroupnsMode: 'private', CgroupParent: 'app.slice' } },
    { name: 'ipc of a fixed container', yaml: '    ipc: container:db-1', expected: { IpcMode: 'container:db-1' } },
    { name: 'oom_score_adj, oom_kill_disable', yaml: '    oom_score_adj: -500\n    oom_kill_disable: true', expected: { OomScoreAdj: -500, OomKillDisable: true } },
    { name: 'sysctls as a list and as a mapping', yaml: '    sysctls: [net.core.somaxconn=1024, kernel.shmmax=65536]', expected: { Sysctls: { 'net.core.somaxconn': '1024', 'kernel.shmmax': '65536' } } },
    { name: 'sysctls mapping with numbers', yaml: '    sysctls:\n      net.ipv4.ip_forward: 1\n      fs.mqueue.msg_max: 20', expected: { Sysctls: { 'net.ipv4.ip_forward': '1', 'fs.mqueue.msg_max': '20' } } },
    { name: 'tmpfs: one path', yaml: '    tmpfs: /run', expected: { Tmpfs: { '/run': '' } } },
    { name: 'tmpfs: a list with options', yaml: '    tmpfs: [/run, "/tmp:size=64m,mode=1777"]', expected: { Tmpfs: { '/run': '', '/tmp': 'size=64m,mode=1777' } } },
    { name: 'shm_size', yaml: '    shm_size: 256m', expected: { ShmSize: 256 * 1024 ** 2 } },
    { name: 'devices: short and long syntax', yaml: '    devices: [/dev/fuse, "/dev/sda:/dev/xvda:r", {source: /dev/null, target: /dev/n, permissions: rw}]', expected: { Devices: [
      { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
      { PathOnHost: '/dev/sda', PathInContainer: '/dev/xvda', CgroupPermissions: 'r' },
      { PathOnHost: '/dev/null', PathInContainer: '/dev/n', CgroupPermissions: 'rw' },
    ] } },
    { name: 'device_cgroup_rules, storage_opt', yaml: "    device_cgroup_rules: ['c 1:3 mr', 'a *:* rwm']\n    storage_opt: {size: 1G}", expected: { DeviceCgroupRules: ['c 1:3 mr', 'a *:* rwm'], StorageOpt: { size: '1G' } } },
    { name: 'dns, dns_search as one value or a list, dns_opt', yaml: '    dns: 10.0.0.2\n    dns_search: [a.example, b.example]\n    dns_opt: [use-vc, "ndots:2"]', expected: { Dns: ['10.0.0.2'], DnsSearch: ['a.example', 'b.example'], DnsOptions: ['use-vc', 'ndots:2'] } },
    { name: 'extra_hosts: list (host:ip, host=ip for IPv6), host-gateway, sorted', yaml: '    extra_hosts: ["somehost:162.242.195.82", "myhostv6=::1", "host.docker.internal:host-gateway"]', expected: { ExtraHosts: ['host.docker.internal:host-gateway', 'myhostv6:::1', 'somehost:162.242.195.82'] } },
    { name: 'extra_hosts: a mapping, several addresses', yaml: '    extra_hosts:\n      a: 10.0.0.1\n      b: [10.0.0.2, 10.0.0.3]', expected: { ExtraHosts: ['a:10.0.0.1', 'b:10.0.0.2', 'b:10.0.0.3'] } },
    { name: 'legacy CPU keys', yaml: '    cpus: 1.5\n    cpu_shares: 512\n    cpuset: 0-1\n    cpu_rt_runtime: 400ms\n    cpu_rt_period: 1000000', expected: { NanoCpus: 1_500_000_000, CpuShares: 512, CpusetCpus: '0-1', CpuRealtimeRuntime: 400_000, CpuRealtimePeriod: 1_000_000 } },
    { name: 'cpu_quota with cpu_period', yaml: '    cpu_quota: 50000\n    cpu_period: 100000', expected: { CpuQuota: 50_000, CpuPeriod: 100_000 } },
    { name: 'legacy memory keys', yaml: '    mem_reservation: 64m\n    memswap_limit: -1\n    mem_swappiness: 0\n    pids_limit: 200', expected: { MemoryReservation: 64 * 1024 ** 2, MemorySwap: -1, MemorySwappiness: 0, PidsLimit: 200 } },
    { name: 'deploy.resources limits and reservations', yaml: '    deploy:\n      resources:\n        limits: {cpus: "0.5", memory: 128m, pids: 64}\n        reservations: {cpus: "0.25", memory: 32m}', expected: { NanoCpus: 500_000_000, PidsLimit: 64, MemoryReservation: 32 * 1024 ** 2 } },
    { name: 'deploy.resources.reservations.devices', yaml: '    deploy:\n      resources:\n        reservations:\n          devices: [{driver: nvidia, count: 2, capabilities: [gpu, utility]}, {capabilities: [gpu], device_ids: ["3"]}]', expected: { DeviceRequests: [
      { Driver: 'nvidia', Count: 2, DeviceIDs: [], Capabilities: [['gpu', 'utility']], Options: {} },
      { Driver: '', Count: 0, DeviceIDs: ['3'], Capabilities: [['gpu']], Options: {} },
    ] } },
    { name: 'gpus: all', yaml: '    gpus: all', expected: { DeviceRequests: [{ Driver: '', Count: -1, DeviceIDs: [], Capabilities: [['gpu']], Options: {} }] } },
    { name: 'ulimits: one number is soft and hard', yaml: '    ulimits:\n      nproc: 65535\n      nofile: {soft: 20000, hard: 40000}', expected: { Ulimits: [{ Name: 'nproc', Soft: 65535, Hard: 65535 }, { Name: 'nofile', Soft: 20000, Hard: 40000 }] } },
    { name: 'blkio_config', yaml: '    blkio_config:\n      weight: 300\n      weight_device: [{path: /dev/sda, weight: 400}]\n      device_read_bps: [{path: /dev/sda, rate: 12mb}]\n      device_write_iops: [{path: /dev/sda, rate: 30}]', expected: {
      BlkioWeight: 300, BlkioWeightDevice: [{ Path: '/dev/sda', Weight: 400 }], BlkioDeviceReadBps: [{ Path: '/dev/sda', Rate: 12 * 1024 ** 2 }], BlkioDeviceWriteIOps: [{ Path: '/dev/sda', Rate: 30 }],
    } },
  ];
  for (const { name, yaml, expected } of cases) {
    test(name, async () => {
      const got = await settings(web(yaml));
      assert.deepEqual({ ...got?.config, ...got?.hostConfig }, expected);
    });
  }

  test('a service without any of these keys has no container settings at all', async () => {
    assert.equal(await settings(web('    restart: always')), undefined);
  });

  test('deploy.restart_policy is the restart policy when restart: is not set', async () => {
    const project = await load(web('    deploy:\n      restart_policy: {condition: on-failure, max_attempts: 3}'));
    assert.equal(project.colored[0]?.byColor.blue.restart, 'on-failure:3');
  });

  test('an overlay merges into the keys of compose.yml: sysctls key by key, cap_add appended, scalars replaced', async () => {
    const files = {
      ...web('    user: "1"\n    sysctls: {net.core.somaxconn: "1"}\n    cap_add: [CHOWN]'),
      'compose.blue.yml': 'services:\n  web:\n    container_name: web-blue\n    user: "2"\n    sysctls: {net.ipv4.ip_forward: "1"}\n    cap_add: [NET_ADMIN]\n',
    };
    const got = await settings(files);
    assert.deepEqual([got?.config.User, got?.hostConfig.Sysctls, got?.hostConfig.CapAdd], ['2', { 'net.core.somaxconn': '1', 'net.ipv4.ip_forward': '1' }, ['CHOWN', 'NET_ADMIN']]);
  });

  test('interpolation reaches every key: ${VAR} in user, cpus and a tmpfs option', async () => {
    const got = await settings(web('    user: ${APP_UID}\n    cpus: ${CPUS:-2}\n    tmpfs: ["/tmp:size=${TMP_SIZE}"]'), { APP_UID: '4242', TMP_SIZE: '8m' });
    assert.deepEqual([got?.config.User, got?.hostConfig.NanoCpus, got?.hostConfig.Tmpfs], ['4242', 2_000_000_000, { '/tmp': 'size=8m' }]);
  });
});

describe('secrets and configs: mounted files', () => {
  const files = (service: string, top: string, extra: ProjectFiles = {}): ProjectFiles => ({ ...web(service, top), 'token.txt': 'x', ...extra });

  test('short syntax: /run/secrets/<name> and /<name>, 0:0, mode 0444', async () => {
    const got = await settings(files('    secrets: [token]\n    configs: [conf]', 'secrets:\n  token: {file: ./token.txt}\nconfigs:\n  conf: {content: "a=1"}\n'));
    assert.deepEqual(
      got?.files.map((f) => [f.kind, f.target, f.uid, f.gid, f.mode.toString(8), f.source.kind]),
      [
        ['secret', '/run/secrets/token', 0, 0, '444', 'file'],
        ['config', '/conf', 0, 0, '444', 'content'],
      ],
    );
  });

  test('long syntax: a relative target under /run/secrets, an absolute one as is, uid, gid, mode written octal', async () => {
    const got = await settings(
      files('    secrets:\n      - {source: token, target: api.key, uid: "101", gid: "102", mode: 0440}\n      - {source: env, target: /etc/env.key, mode: "0400"}', 'secrets:\n  token: {file: token.txt}\n  env: {environment: API_KEY}\n'),
      { API_KEY: 'k' },
    );
    assert.deepEqual(
      got?.files.map((f) => [f.target, f.uid, f.gid, f.mode.toString(8), f.source]),
      [
        ['/run/secrets/api.key', 101, 102, '440', { kind: 'file', path: got?.files[0]?.source.kind === 'file' ? got.files[0].source.path : '' }],
        ['/etc/env.key', 0, 0, '400', { kind: 'content', text: 'k' }],
      ],
    );
    assert.match(got?.files[0]?.source.kind === 'file' ? got.files[0].source.path : '', /\/token\.txt$/);
  });
});

describe('invalid values: one line each, with file and path, before anything happens', () => {
  const cases: Array<{ name: string; files: ProjectFiles; env?: Record<string, string>; expected: string[] }> = [
    {
      name: 'a sysctl that is not namespaced',
      files: web('    sysctls: [vm.swappiness=10]'),
      expected: ['compose.yml: services.web.sysctls.vm.swappiness: vm.swappiness is not a namespaced sysctl: a container may only set kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.* and net.*'],
    },
    {
      name: 'a malformed ulimit: unknown name, soft above hard, not a number',
      files: web('    ulimits:\n      openfiles: 10\n      nofile: {soft: 20, hard: 10}\n      nproc: lots'),
      expected: [
        'compose.yml: services.web.ulimits.nofile: soft (20) must not exceed hard (10)',
        'compose.yml: services.web.ulimits.nproc: expected a whole number, got "lots"',
      ],
    },
    {
      name: 'an unknown ulimit name',
      files: web('    ulimits:\n      openfiles: 10'),
      expected: ['compose.yml: services.web.ulimits.openfiles: openfiles is not a ulimit (as, core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack)'],
    },
    {
      name: 'a secret file that does not exist',
      files: web('    secrets: [token]', 'secrets:\n  token:\n    file: ./missing.txt\n'),
      expected: ['compose.yml: secrets.token.file: ./missing.txt not found in <dir> (or not a file)'],
    },
    {
      name: 'an unknown capability',
      files: web('    cap_add: [NET_ADMIN, FLY]'),
      expected: ['compose.yml: services.web.cap_add[1]: "FLY" is not a Linux capability (e.g. NET_BIND_SERVICE, CHOWN, ALL; see capabilities(7))'],
    },
    {
      name: 'an external secret',
      files: web('    secrets: [vault]', 'secrets:\n  vault:\n    external: true\n'),
      expected: ['compose.yml: secrets.vault.external: external secrets and configs live in a Docker swarm, which cutover does not use; use file:, environment: or content:'],
    },
    {
      name: 'a secret the top level does not define',
      files: web('    secrets: [nope]'),
      expected: ['compose.yml: services.web.secrets[0]: secret "nope" is not defined under the top-level secrets:'],
    },
    {
      name: 'a secret from an unset variable',
      files: web('    secrets: [token]', 'secrets:\n  token:\n    environment: NOT_SET\n'),
      expected: ['compose.yml: secrets.token.environment: the variable NOT_SET is not set (in the environment or .env)'],
    },
    {
      name: 'cpus with cpu_period, and cpus differing from deploy.resources.limits.cpus',
      files: web('    cpus: 1\n    cpu_period: 100000\n    deploy:\n      resources:\n        limits: {cpus: "2"}'),
      expected: [
        'compose.yml: services.web.cpus: is 1 but deploy.resources.limits.cpus is 2; set only one',
        'compose.yml: services.web.cpu_period: cannot be set together with cpus (Docker refuses both): use cpus alone, or cpu_period with cpu_quota',
      ],
    },
    {
      name: 'bad extra_hosts, dns, tmpfs, devices, oom_score_adj, mac_address, working_dir',
      files: web('    extra_hosts: ["nohost", "a:not-an-ip"]\n    dns: [example.com]\n    tmpfs: [run]\n    devices: ["dev/sda"]\n    oom_score_adj: 2000\n    mac_address: nope\n    working_dir: app'),
      expected: [
        'compose.yml: services.web.working_dir: "app" must be an absolute path in the container',
        'compose.yml: services.web.mac_address: expected a MAC address like 02:42:ac:11:00:02, got "nope"',
        'compose.yml: services.web.oom_score_adj: must be between -1000 and 1000, got 2000',
        'compose.yml: services.web.tmpfs[0]: expected an absolute path, optionally with :options, got "run"',
        'compose.yml: services.web.devices[0]: "dev/sda": device paths must be absolute; CDI device names need a newer engine than Docker 20.10',
        'compose.yml: services.web.dns[0]: expected an IP address, got "example.com"',
        'compose.yml: services.web.extra_hosts[0]: expected host:address or host=address, got "nohost"',
        'compose.yml: services.web.extra_hosts[1]: the address of a must be an IP address or host-gateway, got "not-an-ip"',
      ],
    },
    {
      name: 'a namespace shared with another service, and a seccomp profile file',
      files: web('    pid: service:db\n    security_opt: ["seccomp=./profile.json"]'),
      expected: [
        'compose.yml: services.web.security_opt[0]: "seccomp=./profile.json": a seccomp profile file is not supported; use seccomp=unconfined or leave the engine\'s default profile',
        'compose.yml: services.web.pid: "service:db" is not supported: cutover replaces containers on every deploy, so pid cannot follow another service\'s container; use container:<name> of a shared service',
      ],
    },
    {
      name: 'a colored service in no active profile',
      files: web('    profiles: [debug]'),
      expected: ['compose.yml: services.web.profiles: none of debug is active (COMPOSE_PROFILES); cutover deploys every colored service, so activate one or remove profiles:'],
    },
  ];
  for (const { name, files, env, expected } of cases) {
    test(name, async () => {
      assert.deepEqual((await problems(files, { env })).sort(), [...expected].sort());
    });
  }
});
