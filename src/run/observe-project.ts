import type { ServiceContainer } from '../adapters/docker/service-container.js';
import type { ColoredService, ProjectConfig } from '../config/model.js';
import type { JsonValue } from '../domain/caddy-json.js';
import { readTraffic, type TrafficView } from '../domain/read-traffic.js';
import type { ColorInstance } from '../domain/service-addresses.js';
import { ConfigInvalidError } from '../errors.js';
import { readState } from '../state/state-store.js';
import type { State } from '../state/state-schema.js';
import type { Runtime } from './runtime.js';

/** Docker, Caddy and the state file read into plain data: the input of every plan. */
export interface Observation {
  containers: ServiceContainer[];
  instances: ColorInstance[];
  caddyConfig: JsonValue;
  traffic: TrafficView;
  state: State | null;
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
export function trafficOf(runtime: Runtime, config: JsonValue, colored: readonly ColoredService[], instances: readonly ColorInstance[]): TrafficView {
  const result = readTraffic(config, colored, instances);
  if (!result.ok) {
    throw new ConfigInvalidError(
      result.problems.map((message) => ({ file: `Caddy config (${runtime.admin.address.text})`, path: '', message })),
      { hint: "give each colored service reverse_proxy handlers in Caddy's config whose upstreams name only it (e.g. platform-blue:3000, or 127.0.0.1:<published port>); docs/handlers.md" },
    );
  }
  return result.view;
}

export async function observeProject(runtime: Runtime, project: ProjectConfig): Promise<Observation> {
  await runtime.docker.ping();
  const containers = await runtime.docker.listContainers({ project: project.projectName });
  const instances = colorInstances(containers);
  const read = await runtime.admin.readConfig('/config/');
  const caddyConfig = read.value as JsonValue;
  const traffic = trafficOf(runtime, caddyConfig, project.colored, instances);
  const state = await readState(runtime.stateDir);
  return { containers, instances, caddyConfig, traffic, state };
}
