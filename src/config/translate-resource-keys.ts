import { z } from 'zod';
import { describeValue } from './describe-value.js';
import type { EngineDeviceRequest, EngineHostConfig, EngineThrottle, EngineUlimit } from './container-settings.js';
import { parseBytes } from './parse-bytes.js';
import { parseDuration } from './parse-duration.js';
import { byShape, bytes, convert, integer, nonEmptyText, scalarText } from './schema-leaves.js';

/**
 * CPU, memory, processes, block I/O, ulimits and devices requested from the
 * engine: `deploy.resources` and the legacy keys (cpus, cpu_shares, cpu_quota,
 * cpu_period, cpu_rt_*, cpuset, mem_reservation, memswap_limit,
 * mem_swappiness, pids_limit), ulimits, blkio_config, gpus. The memory limit
 * itself (mem_limit / limits.memory) is ServiceSpec.memLimitBytes.
 */

const cpus = convert((value, reject) => {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  return Number.isFinite(number) && number > 0 ? number : reject(`expected a number of CPUs like 0.5 or 2, got ${describeValue(value)}`);
});

/** Microseconds: a whole number, or a duration (`400ms`). */
const microseconds = convert((value, reject) => {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value);
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  return ms === undefined ? reject(`expected microseconds or a duration like 400ms, got ${describeValue(value)}`) : Math.round(ms * 1000);
});

/** A size, or -1 for unlimited (memswap_limit). */
const bytesOrUnlimited = convert((value, reject) => {
  if (value === -1 || value === '-1') return -1;
  const size = typeof value === 'string' || typeof value === 'number' ? parseBytes(value) : undefined;
  return size ?? reject(`expected a size like 1g, or -1 for unlimited, got ${describeValue(value)}`);
});

function between(min: number, max: number) {
  return integer(min).transform((value, ctx) => {
    if (value > max) ctx.issues.push({ code: 'custom', input: value, message: `must be between ${min} and ${max}, got ${value}` });
    return value;
  });
}

const ULIMIT_NAMES = new Set(['as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

const ulimitValue = byShape('a number or a mapping with soft and hard', {
  scalar: integer(-1).transform((value) => ({ soft: value, hard: value })),
  mapping: z.strictObject({ soft: integer(-1), hard: integer(-1) }).transform((limit, ctx) => {
    if (limit.hard !== -1 && (limit.soft === -1 || limit.soft > limit.hard)) ctx.issues.push({ code: 'custom', input: limit, message: `soft (${limit.soft}) must not exceed hard (${limit.hard})` });
    return limit;
  }),
});

const ulimits = z.record(z.string(), ulimitValue).transform((entries, ctx): EngineUlimit[] => {
  for (const name of Object.keys(entries)) {
    if (!ULIMIT_NAMES.has(name)) ctx.issues.push({ code: 'custom', path: [name], input: name, message: `${name} is not a ulimit (${[...ULIMIT_NAMES].join(', ')})` });
  }
  return Object.entries(entries).map(([name, limit]) => ({ Name: name, Soft: limit.soft, Hard: limit.hard }));
});

const throttles = (rate: z.ZodType<number>) => z.array(z.strictObject({ path: nonEmptyText, rate }).transform((entry): EngineThrottle => ({ Path: entry.path, Rate: entry.rate })));

const blkioConfig = z.strictObject({
  weight: between(10, 1000).optional(),
  weight_device: z.array(z.strictObject({ path: nonEmptyText, weight: between(10, 1000) })).optional(),
  device_read_bps: throttles(bytes).optional(),
  device_write_bps: throttles(bytes).optional(),
  device_read_iops: throttles(integer(0)).optional(),
  device_write_iops: throttles(integer(0)).optional(),
});

const count = convert((value, reject) => {
  if (value === 'all') return -1;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : reject(`expected a number of devices or all, got ${describeValue(value)}`);
});

/** A device reservation (deploy.resources.reservations.devices, gpus). Without count or device_ids: all devices, as the spec says. */
const deviceRequest = (defaultCapabilities: string[] | undefined) =>
  z
    .strictObject({
      capabilities: z.array(nonEmptyText).optional(),
      driver: nonEmptyText.optional(),
      count: count.optional(),
      device_ids: z.array(scalarText).optional(),
      options: z.record(z.string(), scalarText).optional(),
    })
    .transform((entry, ctx): EngineDeviceRequest => {
      const capabilities = entry.capabilities ?? defaultCapabilities;
      if (capabilities === undefined) ctx.issues.push({ code: 'custom', path: ['capabilities'], input: entry, message: 'missing: a device reservation needs capabilities, e.g. [gpu]' });
      if (entry.count !== undefined && entry.device_ids !== undefined) ctx.issues.push({ code: 'custom', path: ['count'], input: entry, message: 'set count or device_ids, not both' });
      return {
        Driver: entry.driver ?? '',
        Count: entry.count ?? (entry.device_ids === undefined ? -1 : 0),
        DeviceIDs: entry.device_ids ?? [],
        Capabilities: [capabilities ?? []],
        Options: entry.options ?? {},
      };
    });

const gpus = byShape('all or a list of device reservations', {
  scalar: convert((value, reject): EngineDeviceRequest[] => (value === 'all' ? [{ Driver: '', Count: -1, DeviceIDs: [], Capabilities: [['gpu']], Options: {} }] : reject(`expected all or a list, got ${describeValue(value)}`))),
  list: z.array(deviceRequest(['gpu'])),
});

const RESTART_CONDITIONS = ['none', 'on-failure', 'any'] as const;

/** `deploy:`. Only replicas, resources and restart_policy change a container outside a swarm; the rest is accepted and documented as without effect. */
export const deploySchema = z.strictObject({
  mode: z.literal('replicated').optional(),
  replicas: integer(0).optional(),
  resources: z
    .strictObject({
      limits: z.strictObject({ cpus: cpus.optional(), memory: bytes.optional(), pids: integer(-1).optional() }).optional(),
      reservations: z
        .strictObject({ cpus: cpus.optional(), memory: bytes.optional(), devices: z.array(deviceRequest(undefined)).optional(), generic_resources: z.array(z.unknown()).optional() })
        .optional(),
    })
    .optional(),
  restart_policy: z
    .strictObject({ condition: z.enum(RESTART_CONDITIONS).optional(), max_attempts: integer(0).optional(), delay: z.unknown().optional(), window: z.unknown().optional() })
    .optional(),
  labels: z.unknown().optional(),
  placement: z.unknown().optional(),
  update_config: z.unknown().optional(),
  rollback_config: z.unknown().optional(),
  endpoint_mode: z.unknown().optional(),
});

export const resourceKeys = {
  cpus: cpus.optional(),
  cpu_shares: integer(0).optional(),
  cpu_quota: integer(-1).optional(),
  cpu_period: integer(0).optional(),
  cpu_rt_runtime: microseconds.optional(),
  cpu_rt_period: microseconds.optional(),
  cpuset: nonEmptyText.optional(),
  mem_reservation: bytes.optional(),
  memswap_limit: bytesOrUnlimited.optional(),
  mem_swappiness: between(0, 100).optional(),
  pids_limit: integer(-1).optional(),
  ulimits: ulimits.optional(),
  blkio_config: blkioConfig.optional(),
  gpus: gpus.optional(),
};

type Fields = { [K in keyof typeof resourceKeys]?: z.output<(typeof resourceKeys)[K]> } & { deploy?: z.output<typeof deploySchema> | undefined };

export interface ResourceTranslation {
  hostConfig: EngineHostConfig;
  /** A legacy key and its deploy.resources counterpart set to different values. */
  conflicts: Array<{ path: string; message: string }>;
}

const NANO = 1_000_000_000;

/** One of two spellings of a setting: equal values are fine, different ones a conflict. */
function either<T>(legacy: T | undefined, legacyKey: string, modern: T | undefined, modernKey: string, conflicts: ResourceTranslation['conflicts']): T | undefined {
  if (legacy !== undefined && modern !== undefined && legacy !== modern) {
    conflicts.push({ path: legacyKey, message: `is ${String(legacy)} but ${modernKey} is ${String(modern)}; set only one` });
  }
  return modern ?? legacy;
}

export function translateResourceKeys(fields: Fields): ResourceTranslation {
  const out: EngineHostConfig = {};
  const conflicts: ResourceTranslation['conflicts'] = [];
  const limits = fields.deploy?.resources?.limits;
  const reservations = fields.deploy?.resources?.reservations;

  const cpuLimit = either(fields.cpus, 'cpus', limits?.cpus, 'deploy.resources.limits.cpus', conflicts);
  if (cpuLimit !== undefined) out.NanoCpus = Math.round(cpuLimit * NANO);
  // Docker refuses NanoCpus together with a CFS period or quota ("Conflicting options").
  for (const key of ['cpu_period', 'cpu_quota'] as const) {
    if (cpuLimit !== undefined && fields[key] !== undefined) conflicts.push({ path: key, message: `cannot be set together with cpus (Docker refuses both): use cpus alone, or ${key === 'cpu_quota' ? 'cpu_quota with cpu_period' : 'cpu_period with cpu_quota'}` });
  }
  if (fields.cpu_shares !== undefined) out.CpuShares = fields.cpu_shares;
  if (fields.cpu_quota !== undefined) out.CpuQuota = fields.cpu_quota;
  if (fields.cpu_period !== undefined) out.CpuPeriod = fields.cpu_period;
  if (fields.cpu_rt_runtime !== undefined) out.CpuRealtimeRuntime = fields.cpu_rt_runtime;
  if (fields.cpu_rt_period !== undefined) out.CpuRealtimePeriod = fields.cpu_rt_period;
  if (fields.cpuset !== undefined) out.CpusetCpus = fields.cpuset;

  const memoryReservation = either(fields.mem_reservation, 'mem_reservation', reservations?.memory, 'deploy.resources.reservations.memory', conflicts);
  if (memoryReservation !== undefined) out.MemoryReservation = memoryReservation;
  if (fields.memswap_limit !== undefined) out.MemorySwap = fields.memswap_limit;
  if (fields.mem_swappiness !== undefined) out.MemorySwappiness = fields.mem_swappiness;
  const pids = either(fields.pids_limit, 'pids_limit', limits?.pids, 'deploy.resources.limits.pids', conflicts);
  if (pids !== undefined) out.PidsLimit = pids;

  if (fields.ulimits !== undefined) out.Ulimits = fields.ulimits;
  const blkio = fields.blkio_config;
  if (blkio?.weight !== undefined) out.BlkioWeight = blkio.weight;
  if (blkio?.weight_device !== undefined) out.BlkioWeightDevice = blkio.weight_device.map((d) => ({ Path: d.path, Weight: d.weight }));
  if (blkio?.device_read_bps !== undefined) out.BlkioDeviceReadBps = blkio.device_read_bps;
  if (blkio?.device_write_bps !== undefined) out.BlkioDeviceWriteBps = blkio.device_write_bps;
  if (blkio?.device_read_iops !== undefined) out.BlkioDeviceReadIOps = blkio.device_read_iops;
  if (blkio?.device_write_iops !== undefined) out.BlkioDeviceWriteIOps = blkio.device_write_iops;

  const requests = [...(fields.gpus ?? []), ...(reservations?.devices ?? [])];
  if (requests.length > 0) out.DeviceRequests = requests;
  return { hostConfig: out, conflicts };
}

/** deploy.restart_policy as a `restart:` value (what Compose v2 does when `restart:` is not set). */
export function restartFromDeploy(policy: z.output<typeof deploySchema>['restart_policy']): string | undefined {
  if (policy === undefined) return undefined;
  if (policy.condition === 'none') return 'no';
  if (policy.condition === 'on-failure') return policy.max_attempts === undefined ? 'on-failure' : `on-failure:${policy.max_attempts}`;
  return 'always';
}
