/**
 * The plain data that the config loader produces from compose.yml, the color
 * overlays and the settings. Everything downstream (planning, the Docker
 * adapter) reads these types and never the YAML.
 */
import type { ContainerSettings } from './container-settings.js';

export const COLORS = ['blue', 'green'] as const;
export type Color = (typeof COLORS)[number];

export function otherColor(color: Color): Color {
  return color === 'blue' ? 'green' : 'blue';
}

export interface PortMapping {
  /** Host address to publish on; undefined means Docker's default (all addresses). */
  hostIp: string | undefined;
  /** Host port; undefined means an ephemeral port chosen by Docker. */
  hostPort: number | undefined;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface VolumeMount {
  type: 'volume' | 'bind' | 'tmpfs';
  /** Named volume key (as in the top-level `volumes:`), an absolute host path for binds, undefined for anonymous/tmpfs. */
  source: string | undefined;
  target: string;
  readOnly: boolean;
}

export interface NetworkAttachment {
  /** Key of the network in the top-level `networks:` section (`default` for the implicit one). */
  key: string;
  aliases: string[];
  /** Fixed addresses (`ipv4_address`, `ipv6_address`, `link_local_ips`); undefined: the network's IPAM chooses. Added by the config loader. */
  ipv4Address?: string | undefined;
  ipv6Address?: string | undefined;
  linkLocalIps?: string[] | undefined;
}

/** A Docker healthcheck, durations in milliseconds. `test` is in Docker's form: ["CMD", ...], ["CMD-SHELL", "..."] or ["NONE"]. */
export interface Healthcheck {
  test: string[];
  intervalMs: number | undefined;
  timeoutMs: number | undefined;
  retries: number | undefined;
  startPeriodMs: number | undefined;
  /** Probe interval during the start period (Docker 25+); undefined: Docker's default. Added by the config loader (optional so hand-built specs stay valid). */
  startIntervalMs?: number | undefined;
}

/** How a service waits for a dependency (Compose `depends_on` long form; the short form means `service_started`). */
export type DependencyCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

/** Container log driver, passed through as Compose would: cutover's containers must log like the ones they replace. */
export interface LoggingSpec {
  /** undefined: the Docker daemon's default driver. */
  driver: string | undefined;
  options: Record<string, string>;
}

/** One service after merging compose.yml with an overlay and interpolating variables. */
export interface ServiceSpec {
  /** Compose service name, without color (`platform`). */
  name: string;
  image: string;
  command: string[] | undefined;
  entrypoint: string[] | undefined;
  environment: Record<string, string>;
  labels: Record<string, string>;
  ports: PortMapping[];
  expose: number[];
  volumes: VolumeMount[];
  /**
   * Explicit aliases only. Compose also gives every container its service
   * name as an alias (`platform`, or `platform-blue` for a service of that name).
   */
  networks: NetworkAttachment[];
  /** undefined: none defined (the image's own may apply); `disabled`: explicitly off. */
  healthcheck: Healthcheck | 'disabled' | undefined;
  /**
   * Names of services this one starts after, without color. For a colored
   * service a colored dependency means the same color (platform-blue needs rag-blue).
   */
  dependsOn: string[];
  /** The condition for each name in `dependsOn`; a missing entry means `service_started`. Added by the config loader (optional so hand-built specs stay valid). */
  dependencyConditions?: Record<string, DependencyCondition>;
  /** Compose's default is 10 s; the app may need longer to finish in-flight work. */
  stopGracePeriodMs: number;
  /** Signal `docker stop` sends first (`stop_signal`); undefined: the image's (usually SIGTERM). Added by the config loader. */
  stopSignal?: string | undefined;
  replicas: number;
  containerName: string | undefined;
  restart: string | undefined;
  memLimitBytes: number | undefined;
  /** `logging:`; undefined: the daemon's default. Added by the config loader. */
  logging?: LoggingSpec | undefined;
  /**
   * Shared services only: Compose keys in the file that cutover cannot apply
   * (privileged, cap_add, ...). Compose runs shared services, so they are not
   * an error; cutover refuses to start such a service itself.
   */
  unappliedKeys?: string[] | undefined;
  /** Every other container setting of the service's Compose keys, in the Engine API's terms (container-settings.ts). Added by the config loader. */
  container?: ContainerSettings | undefined;
  /** `profiles:`; a service in profiles is run only when one of them is active (COMPOSE_PROFILES). Added by the config loader. */
  profiles?: string[] | undefined;
  /**
   * The service's key in the compose files: `platform` for a shared service or
   * an overlay merged over compose.yml's `platform`, `platform-blue` for a
   * standalone overlay service. Compose gives every container that name as a
   * network alias on each of its networks, and so does cutover: the first
   * overlay style reaches `rag` by it, in whichever color. Added by the config loader.
   */
  composeName?: string | undefined;
}

/** A stateless service that runs in blue and green; one spec per color. */
export interface ColoredService {
  name: string;
  byColor: Record<Color, ServiceSpec>;
  /**
   * True when the image (in both overlays) names `${VERSION...}` before
   * interpolation: deploying a version means setting VERSION. False for images
   * pinned in the file, or built locally (then `image` is Compose's default
   * `<project>-<service>`). Added by the config loader.
   */
  imageFollowsVersion: boolean;
  /**
   * The service as compose.yml alone defines it (no overlay): what `reset`
   * runs to return to plain Compose mode. undefined when compose.yml has no
   * usable plain definition. Added by the config loader (optional so
   * hand-built services stay valid).
   */
  plain?: ServiceSpec | undefined;
}

export interface NetworkSpec {
  /** Name of the network in Docker (`<project>_<key>` unless `name:` or external). */
  name: string;
  external: boolean;
  driver: string | undefined;
}

export interface VolumeSpec {
  name: string;
  external: boolean;
  driver: string | undefined;
}

/** Settings with the reference document's names and defaults. */
export interface Settings {
  /** HEALTH_CHECK_TIMEOUT, default 300 s. */
  healthCheckTimeoutMs: number;
  /** HEALTH_CHECK_INTERVAL, default 3 s. */
  healthCheckIntervalMs: number;
  /** DRAIN_TIMEOUT, default 30 s. */
  drainTimeoutMs: number;
  /**
   * HEALTH_FAIL_FAST, default off: the first "unhealthy" from Docker ends the
   * health wait. Off, an unhealthy container is waited for until
   * HEALTH_CHECK_TIMEOUT (it may still become healthy).
   */
  healthFailFast: boolean;
}

export interface ProjectConfig {
  /** Compose project name: `name:`, else COMPOSE_PROJECT_NAME, else the directory's name, normalised like Compose does. */
  projectName: string;
  projectDir: string;
  /** Files that were read, for messages. */
  files: string[];
  networks: Record<string, NetworkSpec>;
  volumes: Record<string, VolumeSpec>;
  /** Services named in the color overlays: deployed in blue and green. */
  colored: ColoredService[];
  /** Every other service: shared and stateful, never recreated by a deploy. */
  shared: ServiceSpec[];
  settings: Settings;
}
