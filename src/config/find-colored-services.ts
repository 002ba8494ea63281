import type { ConfigProblem } from '../errors.js';
import { childPath } from './config-path.js';
import { COLORS, type Color } from './model.js';
import type { ServiceRole } from './validate-compose-file.js';

export interface ComposeFileServices {
  /** File name for messages (`compose.blue.yml`). */
  file: string;
  /** Service keys in the order of the file. */
  services: string[];
}

/** Where one color of a colored service is defined. */
export interface ColoredPart {
  file: string;
  /** Key in the overlay: `platform` (merged over compose.yml) or `platform-blue` (standalone). */
  key: string;
  /**
   * true: the overlay defines `<name>-<color>` on its own, and compose.yml's
   * `<name>` is not merged in. Such overlays are run as `docker compose -f
   * compose.blue.yml` (see the bluegreen-final seed): they restate image,
   * healthcheck, volumes and networks, and merging compose.yml's dev service
   * would add its build, ports and depends_on on services the file does not have.
   */
  standalone: boolean;
}

export interface Coloring {
  /** By name without color, in the order of the blue overlay. */
  colored: Map<string, Record<Color, ColoredPart>>;
  /** compose.yml services that are not colored: shared and stateful. */
  shared: string[];
  roleOf(file: string, service: string): ServiceRole;
  problems: ConfigProblem[];
}

/**
 * Decides which services are colored from the service names alone. An overlay
 * service is either a compose.yml service redefined under the same name
 * (`platform` with a blue container_name and alias, the bluegreen-v1 seed) or a
 * standalone `platform-blue` (the bluegreen-final seed). Both overlays must
 * color the same set of services. A missing overlay (undefined) was reported already.
 */
export function findColoredServices(base: ComposeFileServices, overlays: Record<Color, ComposeFileServices | undefined>): Coloring {
  const problems: ConfigProblem[] = [];
  const baseNames = new Set(base.services);
  const byColor: Record<Color, Map<string, ColoredPart>> = { blue: new Map(), green: new Map() };

  for (const color of COLORS) {
    const overlay = overlays[color];
    if (overlay === undefined) continue;
    const suffix = `-${color}`;
    for (const key of overlay.services) {
      const path = childPath('services', key);
      const standalone = !baseNames.has(key);
      if (standalone && !(key.endsWith(suffix) && key.length > suffix.length)) {
        problems.push({ file: overlay.file, path, message: `is neither a service of ${base.file} nor named <service>${suffix}, so cutover cannot tell which service it colors` });
        continue;
      }
      const name = standalone ? key.slice(0, -suffix.length) : key;
      const earlier = byColor[color].get(name);
      if (earlier !== undefined) {
        problems.push({ file: overlay.file, path, message: `colors ${name} a second time (services.${earlier.key} does already)` });
        continue;
      }
      byColor[color].set(name, { file: overlay.file, key, standalone });
    }
  }

  const colored = new Map<string, Record<Color, ColoredPart>>();
  const [blue, green] = [overlays.blue, overlays.green];
  if (blue !== undefined && green !== undefined) {
    for (const [color, other] of [['blue', 'green'], ['green', 'blue']] as const) {
      for (const [name, part] of byColor[color]) {
        if (byColor[other].has(name)) continue;
        const otherFile = overlays[other]?.file ?? '';
        problems.push({ file: part.file, path: childPath('services', part.key), message: `${otherFile} has no ${name} or ${name}-${other}; both overlays must color the same services` });
      }
    }
    for (const [name, bluePart] of byColor.blue) {
      const greenPart = byColor.green.get(name);
      if (greenPart !== undefined) colored.set(name, { blue: bluePart, green: greenPart });
    }
    if (byColor.blue.size === 0 && byColor.green.size === 0) {
      problems.push({ file: blue.file, path: 'services', message: `names no services; ${blue.file} and ${green.file} must name the services that run in blue and green` });
    }
  }

  // A base service is colored when some overlay merges over it, skipped when the overlays replace it with standalone services.
  const mergedBases = new Set<string>();
  const replacedBases = new Set<string>();
  for (const color of COLORS) {
    for (const [name, part] of byColor[color]) (part.standalone ? replacedBases : mergedBases).add(name);
  }
  const shared = base.services.filter((name) => !mergedBases.has(name) && !replacedBases.has(name));
  const roleOf = (file: string, service: string): ServiceRole => {
    if (file !== base.file) return 'colored';
    if (mergedBases.has(service)) return 'colored';
    return replacedBases.has(service) ? 'skipped' : 'shared';
  };
  return { colored, shared, roleOf, problems };
}
