import { isIP } from 'node:net';
import { z } from 'zod';
import { describeValue } from './describe-value.js';
import type { DependencyCondition, PortMapping } from './model.js';
import { parsePort, parseRange } from './parse-port.js';
import { parseVolume, type VolumeEntry } from './parse-volume.js';
import { bool, byShape, bytes, convert, duration, integer, keyValueList, nonEmptyText, scalarText, text } from './schema-leaves.js';
import { splitCommand } from './split-command.js';
import { dnsKeys } from './translate-dns-keys.js';
import { filesystemKeys } from './translate-filesystem-keys.js';
import { mountedFileKeys } from './translate-mounted-files.js';
import { processKeys } from './translate-process-keys.js';
import { deploySchema, resourceKeys } from './translate-resource-keys.js';
import { securityKeys } from './translate-security-keys.js';

/**
 * Zod schemas for the parts of a Compose file cutover reads. They validate the
 * shapes and convert to expanded forms (short syntax parsed, lists of
 * KEY=value turned into mappings, durations in ms, sizes in bytes).
 *
 * Every scalar may arrive as a string: interpolation runs first and yields
 * strings (`replicas: ${N:-2}`), and Compose converts to the field's type
 * afterwards, so numbers and booleans also accept their spelling as text.
 * Service keys are filtered through service-keys.ts before these run.
 */

const command = byShape('a command string or a list of strings', {
  scalar: convert((value, reject) => {
    if (typeof value !== 'string') return reject(`expected a command string or a list of strings, got ${describeValue(value)}`);
    return splitCommand(value) ?? reject(`${describeValue(value)} has an unclosed quote`);
  }),
  list: z.array(scalarText),
});

/** null: take the value from the environment (`- KEY` or `KEY:` in Compose). */
const environment = byShape('a list of KEY=value or a mapping', {
  list: keyValueList(null),
  mapping: z.record(z.string(), convert((value, reject) => (value === null ? null : (scalarText.safeParse(value).data ?? reject(`expected a string, got ${describeValue(value)}`))))),
});

const labels = byShape('a list of key=value or a mapping', {
  list: keyValueList(''),
  mapping: z.record(z.string(), convert((value, reject) => (value === null ? '' : (scalarText.safeParse(value).data ?? reject(`expected a string, got ${describeValue(value)}`))))),
});

export interface EnvFileRef {
  path: string;
  required: boolean;
}

const envFileEntry = byShape('a path or a mapping with path', {
  scalar: nonEmptyText.transform((path): EnvFileRef => ({ path, required: true })),
  mapping: z.strictObject({ path: nonEmptyText, required: bool.optional() }).transform((entry): EnvFileRef => ({ path: entry.path, required: entry.required ?? true })),
});

const envFile = byShape('a path or a list of paths', {
  scalar: envFileEntry.transform((entry) => [entry]),
  list: z.array(envFileEntry),
});

const portNumber = convert((value, reject) => {
  const range = typeof value === 'number' || typeof value === 'string' ? parseRange(String(value)) : '';
  if (typeof range === 'string') return reject(range === '' ? `expected a port number, got ${describeValue(value)}` : range);
  return range.start === range.end ? range.start : reject(`expected one port, got the range ${describeValue(value)}`);
});

const publishedPort = convert((value, reject) => (value === '' ? undefined : portNumber.safeParse(value).data ?? reject(`expected one host port, got ${describeValue(value)} (cutover needs to know which port it publishes)`)));

const port = byShape('a port mapping', {
  scalar: convert((value, reject): PortMapping[] => {
    if (typeof value !== 'string' && typeof value !== 'number') return reject(`expected a port mapping, got ${describeValue(value)}`);
    const parsed = parsePort(String(value));
    return parsed.ok ? parsed.mappings : reject(parsed.message);
  }),
  // `mode` (host/ingress), `name` and `app_protocol` do not change a non-swarm container.
  mapping: z
    .strictObject({
      target: portNumber,
      published: publishedPort.optional(),
      host_ip: text.optional(),
      protocol: z.enum(['tcp', 'udp']).optional(),
      mode: z.enum(['host', 'ingress']).optional(),
      name: text.optional(),
      app_protocol: text.optional(),
    })
    .transform((entry): PortMapping[] => [
      { hostIp: entry.host_ip === '' ? undefined : entry.host_ip, hostPort: entry.published, containerPort: entry.target, protocol: entry.protocol ?? 'tcp' },
    ]),
});

const exposed = convert((value, reject): number[] => {
  const spec = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.replace(/\/(tcp|udp)$/, '') : undefined;
  const range = spec === undefined ? '' : parseRange(spec);
  if (typeof range === 'string') return reject(range === '' ? `expected a port or a range, got ${describeValue(value)}` : range);
  return Array.from({ length: range.end - range.start + 1 }, (_, k) => range.start + k);
});

const absolutePath = convert((value, reject) => {
  if (typeof value !== 'string') return reject(`expected a path, got ${describeValue(value)}`);
  return value.startsWith('/') ? value : reject(`the container path ${describeValue(value)} must be absolute`);
});

const volume = byShape('a volume', {
  scalar: convert((value, reject): VolumeEntry => {
    if (typeof value !== 'string') return reject(`expected a volume, got ${describeValue(value)}`);
    const parsed = parseVolume(value);
    return parsed.ok ? parsed.entry : reject(parsed.message);
  }),
  // `consistency` only tunes Docker Desktop for Mac.
  mapping: z
    .strictObject({ type: z.enum(['volume', 'bind', 'tmpfs']), source: nonEmptyText.optional(), target: absolutePath, read_only: bool.optional(), consistency: text.optional() })
    .transform((entry, ctx): VolumeEntry => {
      if (entry.type === 'bind' && entry.source === undefined) ctx.issues.push({ code: 'custom', message: 'a bind mount needs a source', input: entry, path: ['source'] });
      if (entry.type === 'tmpfs' && entry.source !== undefined) ctx.issues.push({ code: 'custom', message: 'a tmpfs mount has no source', input: entry, path: ['source'] });
      return { type: entry.type, source: entry.source, target: entry.target, readOnly: entry.read_only ?? false };
    }),
});

const ipAddress = (family: 4 | 6) =>
  convert((value, reject) => (typeof value === 'string' && isIP(value) === family ? value : reject(`expected an IPv${family} address, got ${describeValue(value)}`)));

/**
 * Per network of a service: aliases, fixed addresses and the priority that
 * orders the connections (highest first, as Compose connects them).
 */
const networkAttachment = z
  .strictObject({
    aliases: z.array(nonEmptyText).optional(),
    ipv4_address: ipAddress(4).optional(),
    ipv6_address: ipAddress(6).optional(),
    link_local_ips: z.array(nonEmptyText).optional(),
    priority: integer(Number.MIN_SAFE_INTEGER).optional(),
  })
  .nullable()
  .transform((entry) => ({
    aliases: entry?.aliases ?? [],
    ipv4Address: entry?.ipv4_address,
    ipv6Address: entry?.ipv6_address,
    linkLocalIps: entry?.link_local_ips,
    priority: entry?.priority ?? 0,
  }));

const networks = byShape('a list of network names or a mapping', {
  list: z.array(nonEmptyText).transform((names) => Object.fromEntries(names.map((name) => [name, { aliases: [] as string[], ipv4Address: undefined, ipv6Address: undefined, linkLocalIps: undefined, priority: 0 }]))),
  mapping: z.record(z.string(), networkAttachment),
});

const healthcheckTest = byShape('a command string or a list', {
  scalar: text.transform((shell) => ['CMD-SHELL', shell]),
  list: z.array(scalarText).transform((test, ctx) => {
    if (!['CMD', 'CMD-SHELL', 'NONE'].includes(test[0] ?? '')) {
      ctx.issues.push({ code: 'custom', message: 'must start with "CMD", "CMD-SHELL" or "NONE", e.g. ["CMD", "curl", "-f", "http://localhost/health"]', input: test });
    }
    return test;
  }),
});

const healthcheck = z.strictObject({
  test: healthcheckTest.optional(),
  interval: duration.optional(),
  timeout: duration.optional(),
  retries: integer(0).optional(),
  start_period: duration.optional(),
  start_interval: duration.optional(),
  disable: bool.optional(),
});

const CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'] as const satisfies readonly DependencyCondition[];

export interface DependencyRef {
  condition: DependencyCondition;
  /** false: the dependency may be missing (Compose's `required: false`). */
  required: boolean;
}

const dependsOn = byShape('a list of service names or a mapping', {
  list: z.array(nonEmptyText).transform((names) => Object.fromEntries(names.map((name): [string, DependencyRef] => [name, { condition: 'service_started', required: true }]))),
  // `restart` restarts dependents when Compose restarts a dependency; cutover never restarts dependencies.
  mapping: z.record(
    z.string(),
    z
      .strictObject({ condition: z.enum(CONDITIONS).optional(), required: bool.optional(), restart: bool.optional() })
      .nullable()
      .transform((entry): DependencyRef => ({ condition: entry?.condition ?? 'service_started', required: entry?.required ?? true })),
  ),
});

const restart = convert((value, reject) => {
  if (typeof value === 'string' && /^(no|always|unless-stopped|on-failure(:\d+)?)$/.test(value)) return value;
  return reject(`expected no, always, unless-stopped or on-failure[:N], got ${describeValue(value)}`);
});

const containerName = convert((value, reject) => {
  if (typeof value === 'string' && /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(value)) return value;
  return reject(`${describeValue(value)} is not a valid container name (letters, digits, _ . -)`);
});

const logging = z.strictObject({
  driver: nonEmptyText.optional(),
  options: z.record(z.string(), scalarText).nullable().optional(),
});

/** One service as written in one file; every key optional (an overlay sets only some). */
export const serviceSchema = z.object({
  image: nonEmptyText.optional(),
  command: command.optional(),
  entrypoint: command.optional(),
  environment: environment.optional(),
  env_file: envFile.optional(),
  labels: labels.optional(),
  ports: z.array(port).transform((lists) => lists.flat()).optional(),
  expose: z.array(exposed).transform((lists) => lists.flat()).optional(),
  volumes: z.array(volume).optional(),
  networks: networks.optional(),
  healthcheck: healthcheck.optional(),
  depends_on: dependsOn.optional(),
  stop_grace_period: duration.optional(),
  stop_signal: nonEmptyText.optional(),
  deploy: deploySchema.optional(),
  scale: integer(0).optional(),
  container_name: containerName.optional(),
  restart: restart.optional(),
  mem_limit: bytes.optional(),
  logging: logging.optional(),
  profiles: z.array(nonEmptyText).optional(),
  ...processKeys,
  ...securityKeys,
  ...filesystemKeys,
  ...dnsKeys,
  ...resourceKeys,
  ...mountedFileKeys,
});

export type ServiceFields = z.output<typeof serviceSchema>;

/** An entry under the top-level `networks:` or `volumes:` (after unsupported keys are filtered out). */
export const resourceSchema = z
  .strictObject({ name: nonEmptyText.optional(), external: bool.optional(), driver: nonEmptyText.optional() })
  .nullable()
  .transform((entry) => entry ?? {});

export type ResourceFields = z.output<typeof resourceSchema>;
