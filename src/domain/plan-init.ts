import { COLORS, type Color } from '../config/model.js';
import { parsePort } from '../config/parse-port.js';

/**
 * `cutover init [services...]`: the two color overlays for a Compose project
 * that has none, planned from compose.yml alone. Pure: the parsed (not
 * interpolated) compose.yml in, the overlay texts and what was assumed out.
 *
 * Merge style (the reference repository's first overlays): each overlay names
 * the compose.yml service again and adds only what differs per color, so the
 * image, environment, volumes and healthcheck stay in one place.
 * - every color: `container_name: <project>-<service>-<color>` and, on each
 *   network the service joins, the alias `<service>-<color>` (what a Caddy on
 *   the compose network dials);
 * - Caddy on the host: `ports: !override` with each published container port
 *   on 127.0.0.1 at a port Docker picks (`127.0.0.1::3000`), so blue and green
 *   never fight over a host port; cutover reads the port from the container;
 * - Caddy on the compose network: `ports: !reset []`, since both colors cannot
 *   publish compose.yml's fixed host ports and Caddy needs none.
 */

export type CaddyPlacement = 'host' | 'network';

export interface InitInput {
  projectName: string;
  /** compose.yml as parsed, before interpolation. */
  compose: unknown;
  /** The services to color; empty: the ones the Caddyfile proxies to (`proxied`). */
  services: readonly string[];
  /** Services the Caddyfile's reverse_proxy upstreams name (by name, or by a host port they publish). */
  proxied: readonly string[];
  /** --caddy-on; undefined: decided from compose.yml (a service whose image is Caddy means the compose network). */
  caddyOn: CaddyPlacement | undefined;
}

export interface InitService {
  name: string;
  /** The container ports Caddy reaches it on: published ones (host) or every one known (network). */
  containerPorts: number[];
  /** Host port → container port, as compose.yml publishes them (how a Caddy on the host reaches the plain service). */
  published: Array<{ hostPort: number; containerPort: number }>;
  networks: string[];
}

export interface InitPlan {
  caddyOn: CaddyPlacement;
  services: InitService[];
  overlays: Record<Color, string>;
  /** Said to the user: every guess init made. */
  assumptions: string[];
}

export type InitPlanning = { ok: true; plan: InitPlan } | { ok: false; problems: string[] };

/** The first line of every overlay init writes: how it recognises its own files (it never overwrites others). */
export const INIT_MARKER = '# Written by cutover init';

type Tree = Record<string, unknown>;
const isTree = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

function servicesOf(compose: unknown): Tree {
  const services = isTree(compose) ? compose.services : undefined;
  return isTree(services) ? services : {};
}

/** `ports:` entries of a service: short strings/numbers and the long syntax, TCP only. */
function publishedPorts(service: Tree): { published: InitService['published']; unpublished: number[] } {
  const published: InitService['published'] = [];
  const unpublished: number[] = [];
  const entries = Array.isArray(service.ports) ? service.ports : [];
  for (const entry of entries) {
    if (isTree(entry)) {
      const target = Number(entry.target);
      if ((entry.protocol ?? 'tcp') !== 'tcp' || !Number.isInteger(target)) continue;
      const hostPort = Number(entry.published);
      if (entry.published !== undefined && Number.isInteger(hostPort)) published.push({ hostPort, containerPort: target });
      else unpublished.push(target);
      continue;
    }
    const parsed = parsePort(String(entry));
    if (!parsed.ok) continue;
    for (const mapping of parsed.mappings) {
      if (mapping.protocol !== 'tcp') continue;
      if (mapping.hostPort === undefined) unpublished.push(mapping.containerPort);
      else published.push({ hostPort: mapping.hostPort, containerPort: mapping.containerPort });
    }
  }
  return { published, unpublished };
}

function exposedPorts(service: Tree): number[] {
  const entries = Array.isArray(service.expose) ? service.expose : [];
  return entries.map((e) => Number(String(e).split('/')[0])).filter((n) => Number.isInteger(n) && n > 0);
}

function networksOf(service: Tree): string[] {
  if (Array.isArray(service.networks)) return service.networks.map(String);
  if (isTree(service.networks)) return Object.keys(service.networks);
  return ['default'];
}

function imageOf(service: Tree): string {
  return typeof service.image === 'string' ? service.image : '';
}

const isCaddy = (service: Tree): boolean => /(^|\/)caddy(:|@|$)/.test(imageOf(service)) || /caddy/i.test(imageOf(service));

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];

export function planInit(input: InitInput): InitPlanning {
  const problems: string[] = [];
  const assumptions: string[] = [];
  const all = servicesOf(input.compose);
  const names = Object.keys(all);
  if (names.length === 0) return { ok: false, problems: ['compose.yml defines no services'] };

  const caddyServices = names.filter((name) => isCaddy(all[name] as Tree));
  let caddyOn = input.caddyOn;
  if (caddyOn === undefined) {
    caddyOn = caddyServices.length > 0 ? 'network' : 'host';
    assumptions.push(
      caddyOn === 'network'
        ? `Caddy runs as the compose service ${caddyServices.join(', ')} on the compose network (its image is Caddy) and reaches each color by its alias <service>-<color>; --caddy-on host says otherwise`
        : 'Caddy runs on the host (no compose service has a Caddy image) and reaches each color on 127.0.0.1 at a port Docker picks; --caddy-on network says otherwise',
    );
  }

  let chosen = [...input.services];
  if (chosen.length === 0) {
    chosen = input.proxied.filter((name) => names.includes(name) && !caddyServices.includes(name));
    if (chosen.length === 0) {
      return { ok: false, problems: [`name the services to color (the Caddyfile's reverse_proxy upstreams name none of ${names.join(', ')}): cutover init <service>...`] };
    }
    assumptions.push(`colored: ${chosen.join(', ')} (the services the Caddyfile proxies to); every other service (${names.filter((n) => !chosen.includes(n)).join(', ') || 'none'}) is shared and never touched by a deploy`);
  }
  for (const name of unique(chosen)) {
    if (!names.includes(name)) problems.push(`"${name}" is not a service of compose.yml (services: ${names.join(', ')})`);
    else if (caddyServices.includes(name)) problems.push(`"${name}" is Caddy itself: it stays shared; color the services it proxies to`);
    else if (COLORS.some((color) => name.endsWith(`-${color}`))) problems.push(`"${name}" already ends in a color; cutover init is for a project without colors`);
  }
  if (problems.length > 0) return { ok: false, problems };

  const services: InitService[] = [];
  for (const name of unique(chosen)) {
    const service = all[name] as Tree;
    const { published, unpublished } = publishedPorts(service);
    const containerPorts = unique([...published.map((p) => p.containerPort), ...(caddyOn === 'network' ? [...unpublished, ...exposedPorts(service)] : [])]);
    if (caddyOn === 'host' && published.length === 0) {
      problems.push(`${name} publishes no port, so a Caddy on the host cannot reach it: add ports: ["127.0.0.1:8080:<container port>"] to ${name} in compose.yml, or run init with --caddy-on network`);
    }
    if (service.deploy !== undefined && isTree(service.deploy) && Number(service.deploy.replicas) > 1) {
      assumptions.push(`${name} has several replicas: the overlays still set container_name, which Compose refuses with replicas; remove it from both overlays for docker compose (cutover numbers the replicas itself)`);
    }
    if (!/\$\{?VERSION/.test(imageOf(service))) {
      assumptions.push(`${name}'s image (${imageOf(service) || 'built locally'}) does not name \${VERSION}: "cutover deploy v2" starts the same image; write image: <repo>:\${VERSION} to deploy versions`);
    }
    services.push({ name, containerPorts, published, networks: networksOf(service) });
  }
  if (problems.length > 0) return { ok: false, problems };

  if (caddyOn === 'host') {
    assumptions.push('each color publishes its ports on 127.0.0.1 only (Caddy on the same host reaches it; nobody else does), at ports Docker picks, read back from the containers');
  } else if (services.some((s) => s.published.length > 0)) {
    assumptions.push(`the colors publish no host port (ports: !reset []): Caddy reaches them on the compose network; ${services.filter((s) => s.published.length > 0).map((s) => s.name).join(', ')} published some in compose.yml (kept for plain docker compose up)`);
  }
  const overlays = Object.fromEntries(COLORS.map((color) => [color, renderOverlay(input.projectName, color, caddyOn, services)])) as Record<Color, string>;
  return { ok: true, plan: { caddyOn, services, overlays, assumptions } };
}

function renderOverlay(project: string, color: Color, caddyOn: CaddyPlacement, services: readonly InitService[]): string {
  const lines = [
    `${INIT_MARKER} (${caddyOn === 'host' ? 'Caddy on the host' : 'Caddy on the compose network'}). Edit it freely: init then leaves it alone.`,
    `# The ${color} color, merged over compose.yml: docker compose -f compose.yml -f compose.${color}.yml`,
    'services:',
  ];
  for (const service of services) {
    lines.push(`  ${service.name}:`, `    container_name: ${project}-${service.name}-${color}`);
    if (caddyOn === 'host') {
      lines.push('    ports: !override');
      for (const port of service.containerPorts) lines.push(`      - "127.0.0.1::${port}"`);
    } else if (service.published.length > 0) {
      lines.push('    ports: !reset []');
    }
    lines.push('    networks:');
    for (const network of service.networks) lines.push(`      ${network}:`, '        aliases:', `          - ${service.name}-${color}`);
  }
  return `${lines.join('\n')}\n`;
}

/** compose.yml's service names and the host ports each publishes: how the Caddyfile's upstreams are told apart. */
export function composeAddresses(compose: unknown): { names: string[]; published: Map<number, string> } {
  const all = servicesOf(compose);
  const published = new Map<number, string>();
  for (const [name, service] of Object.entries(all)) {
    if (!isTree(service)) continue;
    for (const p of publishedPorts(service).published) published.set(p.hostPort, name);
  }
  return { names: Object.keys(all), published };
}
