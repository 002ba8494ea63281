import { isAbsolute, join, resolve } from 'node:path';
import { serviceSchema, type DependencyRef, type ServiceFields } from './compose-schema.js';
import { formatPath } from './config-path.js';
import { describeZodIssues } from './describe-zod-issues.js';
import type { VariableLookup } from './interpolate.js';
import type { ContainerSettings, MountedFile, MountedFileSource } from './container-settings.js';
import type { Healthcheck, NetworkAttachment, ServiceSpec, VolumeMount } from './model.js';
import { translateDnsKeys } from './translate-dns-keys.js';
import { translateFilesystemKeys } from './translate-filesystem-keys.js';
import { toMountedFile, type MountedFileKind } from './translate-mounted-files.js';
import { translateProcessKeys } from './translate-process-keys.js';
import { restartFromDeploy, translateResourceKeys } from './translate-resource-keys.js';
import { translateSecurityKeys } from './translate-security-keys.js';
import { SERVICE_KEYS } from './service-keys.js';
import { dropNulls, filterKeys, REFUSED_IN_SERVICE } from './validate-compose-file.js';

export interface NormalizeContext {
  projectDir: string;
  projectName: string;
  /** Variables for `environment` entries without a value (`- KEY`). */
  lookup: VariableLookup;
  /** For `~` in bind mounts. */
  homeDir: string | undefined;
  /** Values of an env_file by absolute path; undefined when an optional file is absent. */
  envFileValues(absolutePath: string): Record<string, string> | undefined;
  /** The bytes behind a top-level `secrets:`/`configs:` entry; undefined when the entry is missing (reported here) or broken (reported where it is defined). */
  mountedFileSource(kind: MountedFileKind, name: string): MountedFileSource | 'undefined' | 'broken';
}

export interface NormalizedService {
  spec: ServiceSpec | undefined;
  /** depends_on entries with `required: false`: dropped later if the service does not exist. */
  optionalDependencies: string[];
  /** Paths relative to the service (`healthcheck.test`). */
  problems: Array<{ path: string; message: string }>;
}

/** Compose's default grace period before SIGKILL. */
const DEFAULT_STOP_GRACE_MS = 10_000;

/**
 * One service, already merged and tag-free (see merge-compose.ts), as a
 * ServiceSpec with Compose's defaults. `name` is the name without color,
 * `composeName` the key in the file (used for Compose's default image name).
 */
export function normalizeService(name: string, composeName: string, merged: Record<string, unknown>, ctx: NormalizeContext): NormalizedService {
  const problems: NormalizedService['problems'] = [];
  const report = (path: string, message: string): void => {
    problems.push({ path, message });
  };
  // Each file was validated already; unsupported keys left here belong to shared services and are dropped.
  const parsed = serviceSchema.safeParse(dropNulls(filterKeys(merged, SERVICE_KEYS, '', undefined, report)), { reportInput: true });
  if (!parsed.success) {
    for (const issue of describeZodIssues(parsed.error.issues, REFUSED_IN_SERVICE)) report(formatPath(issue.path), issue.message);
    return { spec: undefined, optionalDependencies: [], problems };
  }
  const fields = parsed.data;

  const image = imageOf(fields, merged, composeName, ctx, report);
  const environment = environmentOf(fields, ctx);
  const replicas = fields.deploy?.replicas ?? fields.scale ?? 1;
  const deployMemory = fields.deploy?.resources?.limits?.memory;
  reportSizeConflicts(fields, replicas, deployMemory, report);
  const container = containerSettingsOf(fields, ctx, report);

  const dependencies: Record<string, DependencyRef> = fields.depends_on ?? {};
  const healthcheck = toHealthcheck(fields.healthcheck, report);
  if (image === undefined) return { spec: undefined, optionalDependencies: [], problems };
  const spec: ServiceSpec = {
    name,
    image,
    command: fields.command ?? undefined,
    entrypoint: fields.entrypoint ?? undefined,
    environment,
    labels: fields.labels ?? {},
    ports: fields.ports ?? [],
    expose: [...new Set(fields.expose ?? [])],
    volumes: (fields.volumes ?? []).map((entry): VolumeMount => ({ ...entry, source: entry.type === 'bind' ? hostPath(entry.source ?? '', ctx) : entry.source })),
    networks: networkAttachments(fields),
    healthcheck,
    dependsOn: Object.keys(dependencies),
    dependencyConditions: Object.fromEntries(Object.entries(dependencies).map(([dep, ref]) => [dep, ref.condition])),
    stopGracePeriodMs: fields.stop_grace_period ?? DEFAULT_STOP_GRACE_MS,
    stopSignal: fields.stop_signal,
    replicas,
    containerName: fields.container_name,
    restart: fields.restart ?? restartFromDeploy(fields.deploy?.restart_policy),
    memLimitBytes: fields.mem_limit ?? deployMemory,
    logging: fields.logging === undefined ? undefined : { driver: fields.logging.driver, options: fields.logging.options ?? {} },
    // Only when some key set something, so a plain service's spec stays as small as before.
    ...(isEmptySettings(container) ? {} : { container }),
    ...(fields.profiles === undefined ? {} : { profiles: fields.profiles }),
  };
  const optionalDependencies = Object.entries(dependencies).filter(([, ref]) => !ref.required).map(([dep]) => dep);
  return { spec, optionalDependencies, problems };
}

type Report = (path: string, message: string) => void;

/** The image to run: `image:`, else Compose's default name for a service that only builds. */
function imageOf(fields: ServiceFields, merged: Record<string, unknown>, composeName: string, ctx: NormalizeContext, report: Report): string | undefined {
  let image = fields.image;
  if (image === undefined && merged.build !== undefined && merged.build !== null) image = `${ctx.projectName}-${composeName}`;
  if (image === undefined) report('image', 'missing: cutover runs images; set image: (for example registry/app:${VERSION})');
  return image;
}

/** env_file values first, then `environment:` (a key without a value looked up in the variables). */
function environmentOf(fields: ServiceFields, ctx: NormalizeContext): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const ref of fields.env_file ?? []) Object.assign(environment, ctx.envFileValues(resolve(ctx.projectDir, ref.path)) ?? {});
  for (const [key, value] of Object.entries(fields.environment ?? {})) {
    const resolved = value ?? ctx.lookup(key);
    if (resolved !== undefined) environment[key] = resolved;
  }
  return environment;
}

/** Keys that set the same count or size twice, differently, or a fixed name with several replicas. */
function reportSizeConflicts(fields: ServiceFields, replicas: number, deployMemory: number | undefined, report: Report): void {
  if (fields.scale !== undefined && fields.deploy?.replicas !== undefined && fields.scale !== fields.deploy.replicas) {
    report('scale', `is ${fields.scale} but deploy.replicas is ${fields.deploy.replicas}; set only one`);
  }
  if (fields.mem_limit !== undefined && deployMemory !== undefined && fields.mem_limit !== deployMemory) {
    report('mem_limit', `is ${fields.mem_limit} bytes but deploy.resources.limits.memory is ${deployMemory} bytes; set only one`);
  }
  if (fields.container_name !== undefined && replicas > 1) {
    report('container_name', `a fixed container name allows one container, but replicas is ${replicas}`);
  }
}

/** The container settings beyond the spec's own fields, gathered from the translate-* modules. */
function containerSettingsOf(fields: ServiceFields, ctx: NormalizeContext, report: Report): ContainerSettings {
  const resources = translateResourceKeys(fields);
  for (const conflict of resources.conflicts) report(conflict.path, conflict.message);
  const processSettings = translateProcessKeys(fields);
  return {
    config: processSettings.config,
    hostConfig: {
      ...processSettings.hostConfig,
      ...translateSecurityKeys(fields),
      ...translateFilesystemKeys(fields),
      ...translateDnsKeys(fields),
      ...resources.hostConfig,
    },
    files: mountedFiles(fields, ctx, report),
  };
}

/**
 * Like Compose, a service that names no network joins the project's `default` network.
 * Compose connects the networks by priority, highest first (the first one is given at create).
 */
function networkAttachments(fields: ServiceFields): NetworkAttachment[] {
  const networkEntries = Object.entries(fields.networks ?? {});
  if (networkEntries.length === 0) return [{ key: 'default', aliases: [] }];
  return networkEntries
    .map(([key, attachment], index) => ({ key, attachment, index }))
    .sort((a, b) => b.attachment.priority - a.attachment.priority || a.index - b.index)
    .map(({ key, attachment }): NetworkAttachment => ({
      key,
      aliases: attachment.aliases,
      ...(attachment.ipv4Address === undefined ? {} : { ipv4Address: attachment.ipv4Address }),
      ...(attachment.ipv6Address === undefined ? {} : { ipv6Address: attachment.ipv6Address }),
      ...(attachment.linkLocalIps === undefined ? {} : { linkLocalIps: attachment.linkLocalIps }),
    }));
}

function isEmptySettings(settings: ContainerSettings): boolean {
  return Object.keys(settings.config).length === 0 && Object.keys(settings.hostConfig).length === 0 && settings.files.length === 0;
}

/** The service's secrets and configs as files to mount, their bytes looked up in the top-level sections. */
function mountedFiles(fields: ServiceFields, ctx: NormalizeContext, report: (path: string, message: string) => void): MountedFile[] {
  const files: MountedFile[] = [];
  const targets = new Map<string, string>();
  for (const [key, kind] of [['secrets', 'secret'], ['configs', 'config']] as const) {
    for (const [index, ref] of (fields[key] ?? []).entries()) {
      const source = ctx.mountedFileSource(kind, ref.name);
      if (source === 'undefined') report(`${key}[${index}]`, `${kind} "${ref.name}" is not defined under the top-level ${key}:`);
      if (typeof source === 'string') continue;
      const file = toMountedFile(kind, ref, source);
      const earlier = targets.get(file.target);
      if (earlier !== undefined) report(`${key}[${index}]`, `mounts ${file.target}, as ${earlier} does already; give one a different target:`);
      targets.set(file.target, `${kind} "${ref.name}"`);
      files.push(file);
    }
  }
  return files;
}

type HealthcheckFields = NonNullable<ServiceFields['healthcheck']>;

function toHealthcheck(fields: HealthcheckFields | undefined, report: (path: string, message: string) => void): ServiceSpec['healthcheck'] {
  if (fields === undefined) return undefined;
  if (fields.disable === true || fields.test?.[0] === 'NONE') return 'disabled';
  if (fields.test === undefined) {
    // Docker would combine these options with the image's own test, which cutover cannot see.
    report('healthcheck.test', 'missing: set the test too when setting other healthcheck options');
    return undefined;
  }
  const healthcheck: Healthcheck = {
    test: fields.test,
    intervalMs: fields.interval,
    timeoutMs: fields.timeout,
    retries: fields.retries,
    startPeriodMs: fields.start_period,
    startIntervalMs: fields.start_interval,
  };
  return healthcheck;
}

/** Bind sources as absolute host paths: relative to the project directory, `~` to the home directory. */
function hostPath(source: string, ctx: NormalizeContext): string {
  if (source === '~' || source.startsWith('~/')) return join(ctx.homeDir ?? '~', source.slice(1));
  return isAbsolute(source) ? source : resolve(ctx.projectDir, source);
}
