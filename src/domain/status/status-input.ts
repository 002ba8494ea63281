import type { ColoredService } from '../../config/model.js';
import type { LockStatus } from '../../state/deploy-lock.js';
import type { State } from '../../state/state-schema.js';
import type { JsonValue } from '../caddy-json.js';
import type { KnownContainer } from '../plan-deploy.js';
import type { ColorInstance } from '../service-addresses.js';
import { sumUpstreamCounts } from './sum-upstream-counts.js';

/** A failure met while observing, kept as data so the rest can still be shown. */
export interface ObservedFailure {
  message: string;
  hint: string | null;
  /** The exit code of the typed error it came from. */
  exitCode: number;
  /** The other side could not be reached at all (refused, no socket, timeout). */
  unreachable: boolean;
  /** Every problem, when there are several (an invalid configuration). */
  details: string[];
}

export type Observed<T> = { ok: true; value: T } | { ok: false; failure: ObservedFailure };

/** A container as Docker lists it: what planning knows of it, and the image it was made from. */
export interface ObservedContainer extends Omit<KnownContainer, 'id'> {
  /** The image reference it was created from, and cutover's image labels (when it set them). */
  image?: string | undefined;
  imageRef?: string | undefined;
  imageDigest?: string | undefined;
}

export interface ObservedShared {
  service: string;
  containers: ReadonlyArray<{ name: string; state: string }>;
}

export interface ObservedUpstream {
  address: string;
  numRequests: number;
  fails: number;
}

/** What the status needs of the project's configuration. */
export interface ObservedProject {
  projectName: string;
  colored: readonly ColoredService[];
  shared: ReadonlyArray<{ name: string }>;
}

export interface ObservedDocker {
  containers: readonly ObservedContainer[];
  /** Published ports of the colored containers, for telling which color a host-mode dial reaches. */
  instances: readonly ColorInstance[];
  /** Presence of each shared service; empty when the configuration could not be loaded. */
  shared: readonly ObservedShared[];
}

export interface ObservedCaddy {
  config: JsonValue;
  upstreams: Observed<readonly ObservedUpstream[]>;
}

/** One Caddy instance's config as status read it (several instances: docs/multi-instance.md). */
export interface ObservedCaddyInstance {
  address: string;
  config: Observed<JsonValue>;
  /** Its in-flight rows; the status shows their sum over the instances. */
  upstreams?: Observed<readonly ObservedUpstream[]>;
}

export interface StatusInput {
  observedAt: Date;
  projectDir: string;
  /** The state file's path, as shown to the user. */
  stateFile: string;
  caddyAdmin: string;
  dockerEndpoint: string;
  project: Observed<ObservedProject>;
  /** null: there is no state file. */
  state: Observed<State | null>;
  lock: LockStatus;
  docker: Observed<ObservedDocker>;
  caddy: Observed<ObservedCaddy>;
  /** Every Caddy instance, the first being `caddy`'s; absent: that one alone. */
  instances?: readonly ObservedCaddyInstance[];
}

/** What could be read of the input, each part undefined (or null) when it could not. */
export interface StatusFacts {
  project: ObservedProject | undefined;
  /** null: no state file, or an unreadable one (`stateRead` tells them apart). */
  state: State | null;
  stateRead: boolean;
  docker: ObservedDocker | undefined;
  caddy: ObservedCaddy | undefined;
  upstreamCounts: readonly ObservedUpstream[] | undefined;
}

export function factsOf(input: StatusInput): StatusFacts {
  const caddy = input.caddy.ok ? input.caddy.value : undefined;
  return {
    project: input.project.ok ? input.project.value : undefined,
    state: input.state.ok ? input.state.value : null,
    stateRead: input.state.ok,
    docker: input.docker.ok ? input.docker.value : undefined,
    caddy,
    upstreamCounts: input.instances !== undefined ? sumUpstreamCounts(input.instances) : caddy?.upstreams.ok === true ? caddy.upstreams.value : undefined,
  };
}
