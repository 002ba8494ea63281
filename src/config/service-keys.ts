/**
 * What cutover does with each key of a Compose file, in one place.
 *
 * - supported: read into the model.
 * - ignored:   accepted on purpose; the reason says why it cannot change what cutover does.
 * - refused:   a Compose key that would change how the container runs, which
 *              cutover would silently drop. In a colored service it is a problem;
 *              shared services are run by Compose, not cutover, so there it is dropped.
 * Keys in no table are not Compose keys at all (usually typos) and are always problems.
 * `x-*` extension keys are ignored everywhere, as Compose does.
 */
export type KeyRule = { kind: 'supported' } | { kind: 'ignored'; reason: string } | { kind: 'refused' };

const SUPPORTED: KeyRule = { kind: 'supported' };
const REFUSED: KeyRule = { kind: 'refused' };
const EXTENSION: KeyRule = { kind: 'ignored', reason: 'x-* extension fields carry no meaning for Compose or cutover' };

function table(supported: string[], ignored: Record<string, string>, refused: string[]): ReadonlyMap<string, KeyRule> {
  return new Map<string, KeyRule>([
    ...supported.map((key): [string, KeyRule] => [key, SUPPORTED]),
    ...Object.entries(ignored).map(([key, reason]): [string, KeyRule] => [key, { kind: 'ignored', reason }]),
    ...refused.map((key): [string, KeyRule] => [key, REFUSED]),
  ]);
}

export const SERVICE_KEYS = table(
  [
    'image', 'command', 'entrypoint', 'environment', 'env_file', 'labels', 'ports', 'expose', 'volumes', 'networks',
    'healthcheck', 'depends_on', 'stop_grace_period', 'stop_signal', 'deploy', 'scale', 'container_name', 'restart',
    'mem_limit', 'logging',
  ],
  {
    build: 'cutover deploys images and never builds them; without image:, the image is Compose\'s default name <project>-<service>, which must exist',
    pull_policy: 'cutover pulls the image itself on every deploy',
    pull_refresh_after: 'cutover pulls the image itself on every deploy',
    develop: 'only used by `docker compose watch`',
    attach: 'only chooses which logs `docker compose up` prints',
    profiles: 'profiles choose what `docker compose up` starts; cutover starts every colored service',
  },
  [
    'annotations', 'blkio_config', 'cap_add', 'cap_drop', 'cgroup', 'cgroup_parent', 'configs', 'cpu_count', 'cpu_percent',
    'cpu_period', 'cpu_quota', 'cpu_rt_period', 'cpu_rt_runtime', 'cpu_shares', 'cpus', 'cpuset', 'credential_spec',
    'device_cgroup_rules', 'devices', 'dns', 'dns_opt', 'dns_search', 'domainname', 'driver_opts', 'extends',
    'external_links', 'extra_hosts', 'gpus', 'group_add', 'hostname', 'init', 'ipc', 'isolation', 'label_file', 'links',
    'mac_address', 'mem_reservation', 'mem_swappiness', 'memswap_limit', 'models', 'network_mode', 'oom_kill_disable',
    'oom_score_adj', 'pid', 'pids_limit', 'platform', 'post_start', 'pre_stop', 'privileged', 'provider', 'read_only',
    'runtime', 'secrets', 'security_opt', 'shm_size', 'stdin_open', 'storage_opt', 'sysctls', 'tmpfs', 'tty', 'ulimits',
    'use_api_socket', 'user', 'userns_mode', 'uts', 'volumes_from', 'working_dir',
  ],
);

export const TOP_LEVEL_KEYS = table(
  ['services', 'networks', 'volumes', 'name'],
  {
    version: 'obsolete; Compose ignores it too',
    configs: 'only used through a service\'s configs:, which cutover refuses in colored services',
    secrets: 'only used through a service\'s secrets:, which cutover refuses in colored services',
  },
  ['include', 'models'],
);

/** Keys of an entry under the top-level `networks:`. The refused ones shape how a network is created. */
export const NETWORK_KEYS = table(
  ['name', 'external', 'driver'],
  { labels: 'metadata on the network object; no effect on traffic' },
  ['driver_opts', 'attachable', 'enable_ipv4', 'enable_ipv6', 'internal', 'ipam'],
);

/** Keys of an entry under the top-level `volumes:`. */
export const VOLUME_KEYS = table(['name', 'external', 'driver'], { labels: 'metadata on the volume object; no effect on the data' }, ['driver_opts']);

export function keyRule(rules: ReadonlyMap<string, KeyRule>, key: string): KeyRule | undefined {
  return key.startsWith('x-') ? EXTENSION : rules.get(key);
}
