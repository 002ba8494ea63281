/**
 * The container settings of a service beyond what ServiceSpec models by name:
 * everything the Compose keys of a service say about how its container runs,
 * already translated to the Docker Engine API's own field names (API 1.41,
 * Docker 20.10), so the adapter copies them into the create request unchanged.
 * Pure data, made by the translate-*-keys.ts modules (one per family of keys).
 */

/** Fields of the create request's top level (Docker's `Config`). */
export interface EngineConfig {
  User?: string;
  WorkingDir?: string;
  Hostname?: string;
  Domainname?: string;
  MacAddress?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  AttachStdin?: boolean;
}

export interface EngineDevice {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

export interface EngineUlimit {
  Name: string;
  Soft: number;
  Hard: number;
}

export interface EngineDeviceRequest {
  Driver: string;
  Count: number;
  DeviceIDs: string[];
  Capabilities: string[][];
  Options: Record<string, string>;
}

export interface EngineThrottle {
  Path: string;
  Rate: number;
}

/** Fields of Docker's `HostConfig`. */
export interface EngineHostConfig {
  Init?: boolean;
  ReadonlyRootfs?: boolean;
  Privileged?: boolean;
  CapAdd?: string[];
  CapDrop?: string[];
  SecurityOpt?: string[];
  GroupAdd?: string[];
  UsernsMode?: string;
  IpcMode?: string;
  PidMode?: string;
  UTSMode?: string;
  CgroupnsMode?: string;
  CgroupParent?: string;
  OomScoreAdj?: number;
  OomKillDisable?: boolean;
  Sysctls?: Record<string, string>;
  Tmpfs?: Record<string, string>;
  ShmSize?: number;
  Devices?: EngineDevice[];
  DeviceCgroupRules?: string[];
  DeviceRequests?: EngineDeviceRequest[];
  StorageOpt?: Record<string, string>;
  Runtime?: string;
  Ulimits?: EngineUlimit[];
  ExtraHosts?: string[];
  Dns?: string[];
  DnsSearch?: string[];
  DnsOptions?: string[];
  NanoCpus?: number;
  CpuShares?: number;
  CpuQuota?: number;
  CpuPeriod?: number;
  CpuRealtimePeriod?: number;
  CpuRealtimeRuntime?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  MemoryReservation?: number;
  MemorySwap?: number;
  MemorySwappiness?: number;
  PidsLimit?: number;
  BlkioWeight?: number;
  BlkioWeightDevice?: Array<{ Path: string; Weight: number }>;
  BlkioDeviceReadBps?: EngineThrottle[];
  BlkioDeviceWriteBps?: EngineThrottle[];
  BlkioDeviceReadIOps?: EngineThrottle[];
  BlkioDeviceWriteIOps?: EngineThrottle[];
}

/** Where a mounted file's bytes come from: a host file, or text (an environment variable's value or inline `content:`). */
export type MountedFileSource = { kind: 'file'; path: string } | { kind: 'content'; text: string };

/**
 * A secret or config mounted into the container as a read-only file. cutover
 * copies the bytes into a file it manages, owned by uid:gid with the mode, and
 * bind-mounts that copy (see docs/compose.md, "Secrets and configs").
 */
export interface MountedFile {
  kind: 'secret' | 'config';
  /** The key under the top-level `secrets:`/`configs:`. */
  name: string;
  /** Absolute path in the container. */
  target: string;
  uid: number;
  gid: number;
  /** Permission bits, e.g. 0o440. */
  mode: number;
  source: MountedFileSource;
  /** The managed copy on the host; set just before the container is created (src/run/materialize-mounted-files.ts). */
  hostPath?: string | undefined;
}

export interface ContainerSettings {
  config: EngineConfig;
  hostConfig: EngineHostConfig;
  files: MountedFile[];
}

export const NO_CONTAINER_SETTINGS: ContainerSettings = { config: {}, hostConfig: {}, files: [] };
