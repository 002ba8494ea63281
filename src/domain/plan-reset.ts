import type { ServiceContainer } from '../adapters/docker/service-container.js';
import type { Color, ColoredService, ServiceSpec } from '../config/model.js';
import type { ConfigProblem } from '../errors.js';
import type { ImageIdentity, ServiceImages } from './image-identity.js';
import type { TrafficView } from './read-traffic.js';
import { plainDialFor } from './service-addresses.js';

/** One plain service that reset starts: compose.yml's definition, reachable by its service name. */
export interface PlainStart {
  service: string;
  spec: ServiceSpec;
  /** The identity the active color runs, when recorded: the plain containers run exactly that. */
  image: ImageIdentity | undefined;
  /** How Caddy will reach it: `web:3000` on the compose network, `127.0.0.1:8080` on the host. */
  dials: string[];
}

/**
 * What `cutover reset` does, computed before anything changes:
 * - `switch`: Caddy is on one color; start the plain services next to it, wait
 *   until healthy, switch Caddy to them in one change, drain `fromColor`, remove
 *   every blue/green container;
 * - `already-plain`: Caddy already uses the plain services; only the colored
 *   containers left are removed.
 */
export type ResetPlan =
  | {
      kind: 'switch';
      fromColor: Color;
      version: string;
      start: PlainStart[];
      /** Plain containers an earlier reset started, idle now that Caddy is on a color: replaced. */
      replacePlain: ServiceContainer[];
      /** Every blue and green container of the colored services (parked ones included). */
      remove: ServiceContainer[];
    }
  | { kind: 'already-plain'; version: string | null; remove: ServiceContainer[] };

export type PlanResetResult = { ok: true; plan: ResetPlan } | { ok: false; problems: ConfigProblem[] } | { ok: false; refusal: string; hint: string };

export interface PlanResetInput {
  colored: readonly ColoredService[];
  view: TrafficView;
  containers: readonly ServiceContainer[];
  /** The active version and its identities, from the state file (null when none is recorded). */
  active: { version: string; images?: ServiceImages | undefined } | null;
  /** compose.yml's file name, for the problems. */
  baseFile: string;
}

/**
 * The spec to run as the plain service: compose.yml's, plus what Compose
 * itself adds: the service name as a network alias on each network, so Caddy
 * on the compose network reaches it as `web:3000`.
 */
export function plainSpecToRun(spec: ServiceSpec): ServiceSpec {
  return { ...spec, networks: spec.networks.map((n) => ({ ...n, aliases: n.aliases.includes(spec.name) ? n.aliases : [spec.name, ...n.aliases] })) };
}

/**
 * Plans a reset over what Docker, Caddy and the state file say now. Pure. A
 * service Caddy could not reach in plain mode is a problem naming the service
 * and what to add to compose.yml; every problem is reported before anything
 * changes.
 */
export function planReset(input: PlanResetInput): PlanResetResult {
  const { view, colored } = input;
  const coloredNames = new Set(colored.map((s) => s.name));
  const colorContainers = input.containers.filter((c) => c.color !== undefined && coloredNames.has(c.service));
  const live = view.live;
  if (live.kind === 'plain') return { ok: true, plan: { kind: 'already-plain', version: input.active?.version ?? null, remove: colorContainers } };
  if (live.kind === 'mixed') {
    return {
      ok: false,
      refusal: `Caddy splits traffic between the colors (${live.detail}), so there is no one version to run in plain mode; nothing was changed`,
      hint: 'end the canary first with cutover promote or cutover abort (cutover status shows where traffic goes), then run cutover reset',
    };
  }
  const version = input.active?.version ?? input.containers.find((c) => c.color === live.color && coloredNames.has(c.service))?.version ?? 'unknown';
  const problems: ConfigProblem[] = [];
  const start: PlainStart[] = [];
  for (const service of colored) {
    const at = `services.${service.name}`;
    const traffic = view.services.find((t) => t.service === service.name);
    if (service.plain === undefined) {
      problems.push({
        file: input.baseFile,
        path: at,
        message: `reset needs ${service.name} as compose.yml alone defines it, and there is none cutover can run: add a service ${service.name} with its own image: to ${input.baseFile}`,
      });
      continue;
    }
    if (traffic === undefined) continue;
    const dials: string[] = [];
    const unpublished: number[] = [];
    for (const handler of traffic.handlers) {
      const dial = plainDialFor(traffic.addresses, handler.mode);
      if (dial === undefined) unpublished.push(handler.port);
      else if (!dials.includes(dial)) dials.push(dial);
    }
    if (unpublished.length > 0) {
      const ports = [...new Set(unpublished)];
      problems.push({
        file: input.baseFile,
        path: `${at}.ports`,
        message: `Caddy reaches ${service.name} on a host port, but ${input.baseFile} publishes none for its port ${ports.join(', ')}: add ports: [${ports.map((p) => `"127.0.0.1:<free port>:${p}"`).join(', ')}] to ${service.name} in ${input.baseFile} (and ports: !override [...] in the overlays)`,
      });
      continue;
    }
    start.push({ service: service.name, spec: plainSpecToRun(service.plain), image: input.active?.images?.[service.name], dials });
  }
  if (problems.length > 0) return { ok: false, problems };
  const replacePlain = input.containers.filter((c) => c.color === undefined && coloredNames.has(c.service));
  return { ok: true, plan: { kind: 'switch', fromColor: live.color, version, start, replacePlain, remove: colorContainers } };
}
