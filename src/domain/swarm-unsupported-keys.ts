import type { NetworkSpec, ServiceSpec } from '../config/model.js';
import type { EngineConfig, EngineHostConfig } from '../config/container-settings.js';

/** One Compose key of a service that a Swarm service cannot run as written; `path` is where it is in the compose files. */
export interface SwarmProblem {
  path: string;
  message: string;
}

/**
 * Container settings (the Engine API's HostConfig fields, as the config loader
 * translated them) that a Swarm task spec has no field for at API 1.41
 * (Docker 20.10): the Compose key that set it, and why.
 */
const HOST_CONFIG_WITHOUT_SWARM_FIELD: Partial<Record<keyof EngineHostConfig, { key: string; why: string }>> = {
  Privileged: { key: 'privileged', why: 'Swarm services cannot run privileged' },
  SecurityOpt: { key: 'security_opt', why: 'Swarm task specs have no security options at API 1.41' },
  UsernsMode: { key: 'userns_mode', why: 'a Swarm task cannot choose its user namespace' },
  IpcMode: { key: 'ipc', why: 'a Swarm task cannot share an IPC namespace' },
  PidMode: { key: 'pid', why: 'a Swarm task cannot share a PID namespace' },
  UTSMode: { key: 'uts', why: 'a Swarm task cannot share a UTS namespace' },
  CgroupnsMode: { key: 'cgroup', why: 'a Swarm task cannot choose its cgroup namespace' },
  CgroupParent: { key: 'cgroup_parent', why: 'a Swarm task cannot choose its parent cgroup' },
  OomScoreAdj: { key: 'oom_score_adj', why: 'Swarm task specs have no OOM score at API 1.41' },
  OomKillDisable: { key: 'oom_kill_disable', why: 'Swarm task specs cannot disable the OOM killer' },
  ShmSize: { key: 'shm_size', why: 'Swarm task specs have no /dev/shm size (mount a tmpfs at /dev/shm instead)' },
  Devices: { key: 'devices', why: 'Swarm tasks cannot be given host devices' },
  DeviceCgroupRules: { key: 'device_cgroup_rules', why: 'Swarm tasks cannot be given device rules' },
  DeviceRequests: { key: 'gpus', why: 'Swarm reserves GPUs only as generic resources that each node advertises' },
  StorageOpt: { key: 'storage_opt', why: 'Swarm task specs have no storage options' },
  Runtime: { key: 'runtime', why: 'Swarm task specs cannot choose an OCI runtime' },
  CpuShares: { key: 'cpu_shares', why: 'Swarm limits CPU only as a number of CPUs (use deploy.resources.limits.cpus)' },
  CpuQuota: { key: 'cpu_quota', why: 'Swarm limits CPU only as a number of CPUs (use deploy.resources.limits.cpus)' },
  CpuPeriod: { key: 'cpu_period', why: 'Swarm limits CPU only as a number of CPUs (use deploy.resources.limits.cpus)' },
  CpuRealtimePeriod: { key: 'cpu_rt_period', why: 'Swarm task specs have no realtime CPU scheduling' },
  CpuRealtimeRuntime: { key: 'cpu_rt_runtime', why: 'Swarm task specs have no realtime CPU scheduling' },
  CpusetCpus: { key: 'cpuset', why: 'Swarm tasks cannot be pinned to CPUs' },
  CpusetMems: { key: 'cpuset', why: 'Swarm tasks cannot be pinned to memory nodes' },
  MemorySwap: { key: 'memswap_limit', why: 'Swarm task specs have no swap limit' },
  MemorySwappiness: { key: 'mem_swappiness', why: 'Swarm task specs have no swappiness' },
  BlkioWeight: { key: 'blkio_config', why: 'Swarm task specs have no block I/O settings' },
  BlkioWeightDevice: { key: 'blkio_config', why: 'Swarm task specs have no block I/O settings' },
  BlkioDeviceReadBps: { key: 'blkio_config', why: 'Swarm task specs have no block I/O settings' },
  BlkioDeviceWriteBps: { key: 'blkio_config', why: 'Swarm task specs have no block I/O settings' },
  BlkioDeviceReadIOps: { key: 'blkio_config', why: 'Swarm task specs have no block I/O settings' },
  BlkioDeviceWriteIOps: { key: 'blkio_config', why: 'Swarm task specs have no block I/O settings' },
};

const CONFIG_WITHOUT_SWARM_FIELD: Partial<Record<keyof EngineConfig, { key: string; why: string }>> = {
  Domainname: { key: 'domainname', why: 'Swarm task specs have a hostname but no domain name' },
  MacAddress: { key: 'mac_address', why: 'Swarm assigns task addresses itself' },
  AttachStdin: { key: 'stdin_open', why: 'Swarm tasks cannot attach stdin' },
};

function isSet(value: unknown): boolean {
  if (value === undefined || value === false) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0;
  return true;
}

/** Why the tmpfs options `size=64m,mode=1777` cannot be read as Swarm's (undefined: they can). */
function tmpfsProblem(options: string): string | undefined {
  for (const option of options.split(',').filter((o) => o !== '')) {
    if (!/^(size=\d+[kmg]?|mode=[0-7]{3,4})$/i.test(option)) return `tmpfs option ${option}: a Swarm tmpfs mount takes only size= and mode=`;
  }
  return undefined;
}

function settingProblems(spec: ServiceSpec, at: string): SwarmProblem[] {
  const problems: SwarmProblem[] = [];
  const host = spec.container?.hostConfig ?? {};
  const seen = new Set<string>();
  for (const [field, entry] of Object.entries(HOST_CONFIG_WITHOUT_SWARM_FIELD)) {
    if (entry === undefined || !isSet(host[field as keyof EngineHostConfig]) || seen.has(entry.key)) continue;
    seen.add(entry.key);
    problems.push({ path: `${at}.${entry.key}`, message: entry.why });
  }
  const config = spec.container?.config ?? {};
  for (const [field, entry] of Object.entries(CONFIG_WITHOUT_SWARM_FIELD)) {
    if (entry !== undefined && isSet(config[field as keyof EngineConfig])) problems.push({ path: `${at}.${entry.key}`, message: entry.why });
  }
  for (const line of host.ExtraHosts ?? []) {
    if (line.endsWith(':host-gateway')) problems.push({ path: `${at}.extra_hosts`, message: `${line}: host-gateway is not resolved for Swarm tasks; name the address` });
  }
  for (const [target, options] of Object.entries(host.Tmpfs ?? {})) {
    const problem = tmpfsProblem(options);
    if (problem !== undefined) problems.push({ path: `${at}.tmpfs`, message: `${target}: ${problem}` });
  }
  return problems;
}

function shapeProblems(spec: ServiceSpec, at: string, networks: Record<string, NetworkSpec>): SwarmProblem[] {
  const problems: SwarmProblem[] = [];
  if (spec.ports.length > 0) {
    problems.push({
      path: `${at}.ports`,
      message: 'a Swarm port is published for the whole cluster and blue and green cannot both hold it; Caddy reaches the tasks on the overlay network (docs/swarm.md)',
    });
  }
  for (const file of spec.container?.files ?? []) {
    problems.push({ path: `${at}.${file.kind}s`, message: `${file.name}: cutover's copy of a ${file.kind} exists on this host only; Swarm ${file.kind}s are not supported yet` });
  }
  for (const attachment of spec.networks) {
    if (attachment.ipv4Address !== undefined || attachment.ipv6Address !== undefined || (attachment.linkLocalIps?.length ?? 0) > 0) {
      problems.push({ path: `${at}.networks.${attachment.key}`, message: 'Swarm assigns task addresses itself: remove ipv4_address, ipv6_address and link_local_ips' });
    }
    const driver = networks[attachment.key]?.driver;
    if (driver !== undefined && driver !== 'overlay') {
      problems.push({ path: `networks.${attachment.key}.driver`, message: `${driver} networks reach one host only; a Swarm service needs an overlay network` });
    }
  }
  const healthcheck = spec.healthcheck;
  if (healthcheck !== undefined && healthcheck !== 'disabled' && healthcheck.startIntervalMs !== undefined) {
    problems.push({ path: `${at}.healthcheck.start_interval`, message: 'needs Docker Engine API 1.44 (Docker 25) in a Swarm task spec; remove it' });
  }
  return problems;
}

/**
 * Every Compose key of one colored service that a Swarm service cannot honour,
 * each with its path and what to do: all at once, before anything is created.
 */
export function swarmUnsupportedKeys(spec: ServiceSpec, networks: Record<string, NetworkSpec>): SwarmProblem[] {
  const at = `services.${spec.name}`;
  return [...shapeProblems(spec, at, networks), ...settingProblems(spec, at)];
}

/**
 * Keys that a Swarm service does without, as `docker stack deploy` does:
 * accepted (the same overlays serve Compose mode), named in a warning.
 */
export function swarmIgnoredKeys(spec: ServiceSpec): string[] {
  const ignored: string[] = [];
  if (spec.containerName !== undefined) ignored.push('container_name (a task is named by Swarm; Caddy reaches the color as tasks.<service>)');
  if (spec.dependsOn.length > 0) ignored.push('depends_on (Swarm starts tasks in no order)');
  if (spec.logging !== undefined && spec.logging.driver === undefined && Object.keys(spec.logging.options).length > 0) {
    ignored.push("logging.options without logging.driver (a Swarm task's log options belong to a named driver)");
  }
  if (spec.expose.length > 0) ignored.push('expose (every port of a task is reachable on its overlay networks)');
  return ignored;
}
