import type { ServiceContainer } from '../adapters/docker/service-container.js';
import type { ColoredService, ProjectConfig } from '../config/model.js';
import type { JsonValue } from '../domain/caddy-json.js';
import { type LiveTraffic, readTraffic, type TrafficView } from '../domain/read-traffic.js';
import type { ColorInstance } from '../domain/service-addresses.js';
import { ConfigInvalidError } from '../errors.js';
import { readState } from '../state/state-store.js';
import type { State } from '../state/state-schema.js';
import { caddyInstances, type Runtime } from './runtime.js';

/** Docker, Caddy and the state file read into plain data: the input of every plan. */
export interface Observation {
  containers: ServiceContainer[];
  instances: ColorInstance[];
  /** The first Caddy instance's config. */
  caddyConfig: JsonValue;
  /** Where traffic goes; with several Caddy instances that disagree, `live` is mixed and says which does what. */
  traffic: TrafficView;
  /** Each Caddy instance, in the order given (one for a single Caddy). */
  caddyInstances: ObservedInstance[];
  state: State | null;
}

/** One Caddy instance as read by observeProject. */
export interface ObservedInstance {
  address: string;
  config: JsonValue;
  traffic: TrafficView;
}

/** Host ports a container publishes; whatever address they bind, 127.0.0.1 reaches them. */
export function colorInstances(containers: readonly ServiceContainer[]): ColorInstance[] {
  return containers.flatMap((c) =>
    c.color === undefined
      ? []
      : [{ service: c.service, color: c.color, published: c.ports.filter((p) => p.protocol === 'tcp').map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort })) }],
  );
}

/** Reads which handler serves each colored service; a config cutover cannot switch is an error listing every problem. */
export function trafficOf(runtime: Runtime, config: JsonValue, colored: readonly ColoredService[], instances: readonly ColorInstance[], address = runtime.admin.address.text): TrafficView {
  const result = readTraffic(config, colored, instances);
  if (!result.ok) {
    throw new ConfigInvalidError(
      result.problems.map((message) => ({ file: `Caddy config (${address})`, path: '', message })),
      { hint: "give each colored service reverse_proxy handlers in Caddy's config whose upstreams name only it (e.g. platform-blue:3000, or 127.0.0.1:<published port>); docs/handlers.md" },
    );
  }
  return result.view;
}

export async function observeProject(runtime: Runtime, project: ProjectConfig): Promise<Observation> {
  await runtime.docker.ping();
  const containers = await runtime.docker.listContainers({ project: project.projectName });
  const instances = colorInstances(containers);
  // Every Caddy instance at once; one that cannot be read stops the command before it changes anything.
  const caddyInstancesRead = await Promise.all(
    caddyInstances(runtime).map(async (admin) => {
      const config = (await admin.readConfig('/config/')).value as JsonValue;
      return { address: admin.address.text, config, traffic: trafficOf(runtime, config, project.colored, instances, admin.address.text) };
    }),
  );
  const first = caddyInstancesRead[0] as ObservedInstance;
  const state = await readState(runtime.stateDir);
  return { containers, instances, caddyConfig: first.config, traffic: combinedTraffic(caddyInstancesRead), caddyInstances: caddyInstancesRead, state };
}

function describeLive(live: LiveTraffic): string {
  return live.kind === 'color' ? `on ${live.color}` : live.kind === 'plain' ? 'on the plain Compose names' : `mixed (${live.detail})`;
}

/** The first instance's view; when the instances do not all send traffic to the same place, its `live` is mixed and names each. */
export function combinedTraffic(all: readonly ObservedInstance[]): TrafficView {
  const first = all[0] as ObservedInstance;
  const key = (live: LiveTraffic): string => JSON.stringify(live);
  if (all.every((each) => key(each.traffic.live) === key(first.traffic.live))) return first.traffic;
  const detail = all.map((each) => `Caddy at ${each.address} ${describeLive(each.traffic.live)}`).join('; ');
  return { ...first.traffic, live: { kind: 'mixed', detail } };
}
