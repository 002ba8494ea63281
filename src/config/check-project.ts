import type { ConfigProblem } from '../errors.js';
import { childPath } from './config-path.js';
import type { ColoredPart } from './find-colored-services.js';
import type { Color, ColoredService, ServiceSpec } from './model.js';

/** Checks that need the whole project: references between services, networks and volumes, and the two colors side by side. */

/** A normalized spec and where it came from, for messages. */
export interface PlacedSpec {
  spec: ServiceSpec;
  file: string;
  /** Key in `file` (`platform` or `platform-blue`). */
  composeName: string;
  /** undefined for shared services. */
  color: Color | undefined;
  optionalDependencies: string[];
}

/**
 * Dependencies must be services of the project. A standalone overlay may
 * depend on `rag-blue`; that is the colored service `rag` (the same color is
 * implied), so the name is rewritten without color. Optional dependencies
 * (`required: false`) that do not exist are dropped. Rewrites the specs in place.
 */
export function resolveDependencies(placed: PlacedSpec[], serviceNames: ReadonlySet<string>, colored: ReadonlyMap<string, Record<Color, ColoredPart>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const { spec, file, composeName, color, optionalDependencies } of placed) {
    const uncolor = (dep: string): string => {
      const suffix = `-${color ?? ''}`;
      const name = color !== undefined && dep.endsWith(suffix) ? dep.slice(0, -suffix.length) : dep;
      return colored.has(name) ? name : dep;
    };
    const kept: string[] = [];
    const conditions: NonNullable<ServiceSpec['dependencyConditions']> = {};
    for (const dep of spec.dependsOn) {
      const name = uncolor(dep);
      if (serviceNames.has(name)) {
        kept.push(name);
        const condition = spec.dependencyConditions?.[dep];
        if (condition !== undefined) conditions[name] = condition;
      } else if (!optionalDependencies.includes(dep)) {
        problems.push({ file, path: childPath(childPath(childPath('services', composeName), 'depends_on'), dep), message: `"${dep}" is not a service of this project` });
      }
    }
    spec.dependsOn = kept;
    spec.dependencyConditions = conditions;
  }
  return problems;
}

/** Networks and named volumes that services use must be defined at the top level (as Compose requires). */
export function checkReferences(placed: PlacedSpec[], networks: Readonly<Record<string, unknown>>, volumes: Readonly<Record<string, unknown>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const { spec, file, composeName } of placed) {
    const at = childPath('services', composeName);
    for (const network of spec.networks) {
      if (network.key !== 'default' && networks[network.key] === undefined) {
        problems.push({ file, path: childPath(childPath(at, 'networks'), network.key), message: `network "${network.key}" is not defined under the top-level networks:` });
      }
    }
    for (const volume of spec.volumes) {
      if (volume.type === 'volume' && volume.source !== undefined && volumes[volume.source] === undefined) {
        problems.push({ file, path: childPath(at, 'volumes'), message: `volume "${volume.source}" is not defined under the top-level volumes:` });
      }
    }
  }
  return problems;
}

/** Blue and green run side by side during a deploy: they cannot share a container name or a published host port. */
export function checkColorsCanCoexist(colored: ColoredService[], parts: ReadonlyMap<string, Record<Color, ColoredPart>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const service of colored) {
    const part = parts.get(service.name);
    if (part === undefined) continue;
    const at = childPath('services', part.green.key);
    const { blue, green } = service.byColor;
    if (blue.containerName !== undefined && blue.containerName === green.containerName) {
      problems.push({ file: part.green.file, path: childPath(at, 'container_name'), message: `blue and green would both be named "${blue.containerName}"; give each overlay its own container_name` });
    }
    const key = (p: ServiceSpec['ports'][number]): string => `${p.hostIp ?? ''}|${p.hostPort ?? ''}|${p.protocol}`;
    const bluePorts = new Set(blue.ports.filter((p) => p.hostPort !== undefined).map(key));
    for (const port of green.ports) {
      if (port.hostPort === undefined || !bluePorts.has(key(port))) continue;
      problems.push({
        file: part.green.file,
        path: childPath(at, 'ports'),
        message: `blue and green both publish host port ${port.hostPort}/${port.protocol}, but they run side by side during a deploy; publish through Caddy instead (ports: !reset [] in the overlays)`,
      });
    }
  }
  return problems;
}
