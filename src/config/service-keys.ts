/**
 * What cutover does with each key of a Compose file, in one place.
 *
 * - supported: read into the model.
 * - ignored:   accepted on purpose; the reason says why it cannot change what cutover does.
 * - refused:   a Compose key that would change how the container runs and that
 *              cutover does not apply, with the reason. In a colored service it is
 *              a problem; a shared service keeps running under Compose, and
 *              cutover refuses to start one that uses it.
 * Keys in no table are not Compose keys at all (usually typos) and are always problems.
 * `x-*` extension keys are ignored everywhere, as Compose does.
 */
export type KeyRule = { kind: 'supported' } | { kind: 'ignored'; reason: string } | { kind: 'refused'; reason: string };

const SUPPORTED: KeyRule = { kind: 'supported' };
const EXTENSION: KeyRule = { kind: 'ignored', reason: 'x-* extension fields carry no meaning for Compose or cutover' };

function table(supported: string[], ignored: Record<string, string>, refused: Record<string, string> | string[]): ReadonlyMap<string, KeyRule> {
  const refusals = Array.isArray(refused) ? Object.fromEntries(refused.map((key) => [key, ''])) : refused;
  return new Map<string, KeyRule>([
    ...supported.map((key): [string, KeyRule] => [key, SUPPORTED]),
    ...Object.entries(ignored).map(([key, reason]): [string, KeyRule] => [key, { kind: 'ignored', reason }]),
    ...Object.entries(refusals).map(([key, reason]): [string, KeyRule] => [key, { kind: 'refused', reason }]),
  ]);
}

/** Every key of a Compose service. docs/compose.md has the same table with what each one becomes in Docker. */
export const SERVICE_KEYS = table(
  [
    'image', 'command', 'entrypoint', 'environment', 'env_file', 'labels', 'ports', 'expose', 'volumes', 'networks',
    'healthcheck', 'depends_on', 'stop_grace_period', 'stop_signal', 'deploy', 'scale', 'container_name', 'restart',
    'mem_limit', 'logging', 'profiles',
    // translate-process-keys.ts
    'user', 'working_dir', 'hostname', 'domainname', 'mac_address', 'init', 'tty', 'stdin_open', 'runtime',
    // translate-security-keys.ts
    'read_only', 'privileged', 'cap_add', 'cap_drop', 'security_opt', 'group_add', 'userns_mode', 'ipc', 'pid', 'uts',
    'cgroup', 'cgroup_parent', 'oom_score_adj', 'oom_kill_disable', 'sysctls',
    // translate-filesystem-keys.ts
    'tmpfs', 'shm_size', 'devices', 'device_cgroup_rules', 'storage_opt',
    // translate-dns-keys.ts
    'dns', 'dns_search', 'dns_opt', 'extra_hosts',
    // translate-resource-keys.ts
    'cpus', 'cpu_shares', 'cpu_quota', 'cpu_period', 'cpu_rt_runtime', 'cpu_rt_period', 'cpuset', 'mem_reservation',
    'memswap_limit', 'mem_swappiness', 'pids_limit', 'ulimits', 'blkio_config', 'gpus',
    // translate-mounted-files.ts
    'secrets', 'configs',
  ],
  {
    build: 'cutover deploys images and never builds them; without image:, the image is Compose\'s default name <project>-<service>, which must exist',
    pull_policy: 'cutover pulls the image itself on every deploy',
    pull_refresh_after: 'cutover pulls the image itself on every deploy',
    develop: 'only used by `docker compose watch`',
    attach: 'only chooses which logs `docker compose up` prints',
  },
  {
    annotations: 'container annotations need Docker Engine API 1.43 (Docker 24); cutover speaks 1.41',
    cpu_count: 'Windows containers only',
    cpu_percent: 'Windows containers only',
    credential_spec: 'Windows containers only',
    isolation: 'Windows containers only',
    external_links: 'legacy links to containers outside the project; use a shared network and its aliases',
    links: 'legacy links; services reach each other by name on a shared network',
    volumes_from: 'would mount the volumes of a container that a deploy replaces; mount the named volumes themselves',
    network_mode: 'blue and green must each have their own address on the project\'s networks for Caddy to switch between them',
    models: 'AI models are a Docker Desktop feature without a container setting on Docker 20.10',
    platform: 'not applied yet: pull the image for this host\'s platform',
    post_start: 'lifecycle hooks need Compose v2.30; run the command in the image\'s entrypoint',
    pre_stop: 'lifecycle hooks need Compose v2.30; handle the stop signal in the app',
    provider: 'provider services are run by a Compose plugin, not as a container',
    use_api_socket: 'a Docker Desktop feature',
  },
);

export const TOP_LEVEL_KEYS = table(
  ['services', 'networks', 'volumes', 'name', 'secrets', 'configs'],
  {
    version: 'obsolete; Compose ignores it too',
  },
  {
    models: 'AI models are a Docker Desktop feature',
  },
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
