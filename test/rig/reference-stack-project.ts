/**
 * The reference repository's blue-green files (test/fixtures/seed-configs/:
 * the final ones, bluegreen-final-b60f50ce0, or the first ones, bluegreen-v1-9a57a4a74;
 * compose.yml, compose.blue.yml, compose.green.yml and the proxy's Caddyfile) as a
 * project that runs on this machine, with stand-in images under the stack's own
 * image names (ghcr.io/tale-project/tale/tale-*).
 *
 * The files are copied as they are, then changed only where a shared test
 * machine needs it, each change mechanical and listed here:
 * - every service gets the scope's labels (so the scope cleanup finds what cutover starts);
 * - container names `tale-*` and the overlays' external `tale_*` network and volume
 *   names carry the scope prefix, and `.env` sets COMPOSE_PROJECT_NAME to it;
 * - published ports go to 127.0.0.1: the proxy's 80 on a free port, its admin API
 *   (2019) published on another, every other port on an ephemeral one;
 * - the Caddyfile: the subdirectives Caddy 2.6.2 does not know are removed
 *   (`health_passes`, ...), so are the status codes after `handle_errors` (newer than 2.6), and `admin 0.0.0.0:2019` goes into its global options so
 *   that the published port reaches the admin API.
 * - the first files build every image (`build:` only): each service gets the `image:`
 *   line the final files have (`.../tale-<service>:${VERSION:-latest}`), and their
 *   Caddyfile, which has no global options block, gets one for the admin address;
 *   their overlays get the plain alias after each `<svc>-<color>` (withSharedAlias), and
 *   their handler's `to platform-blue:3000 platform-green:3000 platform:3000` becomes
 *   `to platform:3000`, as the repository itself changed it later (referenceCaddyfile);
 * - the newest Caddyfile reaches `convex` and `docs`, which the final files lack: they
 *   are added as shared stand-in services (withSharedServices).
 * `.env` holds example values (SITE_URL and DOMAIN http://tale.local: plain HTTP, no certificate).
 *
 * The stand-ins (reference-stand-in/stand-in.mjs) answer 200 on every port of the
 * stack with their version and the port that answered; a `curl` shim runs the
 * overlays' `curl -f` healthchecks, a `python` shim the first files' graph-db
 * check. The proxy's stand-in is the offline Caddy
 * image with the Caddyfile baked in, as the stack's own proxy image has it.
 */
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { buildTestCaddyImage, CADDY_ADMIN_PORT, CADDY_HTTP_PORT } from './caddy-image.js';
import { freePorts } from './free-port.js';
import { followJsonStream, labelInstruction } from './rootfs-image.js';
import { runTempPrefix, type TestScope } from './run-id.js';
import { buildTestImage } from './test-image.js';

const SEEDS = fileURLToPath(new URL('../fixtures/seed-configs/', import.meta.url));
const STAND_IN = fileURLToPath(new URL('../fixtures/reference-stand-in/', import.meta.url));
export const FINAL_SEED = 'bluegreen-final-b60f50ce0';
/** The first blue-green files: overlays that redefine compose.yml's services (same names, `container_name: tale-<svc>-<color>`). */
export const V1_SEED = 'bluegreen-v1-9a57a4a74';
/** The newest Caddyfile of the fixtures (a later commit than the newest snapshot). */
export const NEWEST_CADDYFILE_SEED = 'newest-index-404f0061';
/**
 * Services the newest Caddyfile reaches that the final compose files do not
 * have (later commits generate the compose files at run time): `convex` on
 * 3210, 3211 and 6791, `docs` on 3002. Added to compose.yml as shared services
 * running the stand-in.
 */
export const NEWEST_EXTRA_SERVICES = ['convex', 'docs'];
/** Where the reference files name their images. */
const REPO = 'ghcr.io/tale-project/tale';

/**
 * The stand-in images of one test scope: the three reference-stack files run side by side, each
 * with its own Caddyfile baked into the proxy image, so one shared name raced (a file got another's
 * Caddyfile). The files' image names are rewritten to this.
 */
function scopeRepo(scope: TestScope): string {
  return `${scope.prefix}/tale`;
}
const APP_IMAGES = ['tale-platform', 'tale-rag', 'tale-crawler', 'tale-search', 'tale-db', 'tale-graph-db', 'tale-convex', 'tale-docs'];
/** Subdirectives of Caddy 2.7 and later that 2.6.2 refuses; their lines are dropped. */
const NEWER_SUBDIRECTIVES = ['health_passes', 'health_fails', 'log_skip', 'stream_close_delay', 'stream_timeout'];
/** The Host of the site block (SITE_URL in .env). */
export const SITE_HOST = 'tale.local';

export interface ReferenceStackProject {
  dir: string;
  name: string;
  httpPort: number;
  adminAddress: string;
  url(urlPath?: string): string;
  remove(): Promise<void>;
}

async function buildFrom(docker: Docker, from: string, refs: string[], labels: Record<string, string>, files: Record<string, { source: string; target: string }>, extra: string[]): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${runTempPrefix()}refstack-build-`));
  try {
    const lines = [`FROM ${from}`, labelInstruction(labels), ...extra];
    const src = ['Dockerfile'];
    for (const [name, file] of Object.entries(files)) {
      // copyFile keeps the mode: the classic builder's COPY keeps it too (the curl shim stays executable).
      await copyFile(file.source, path.join(dir, name));
      src.push(name);
      lines.push(`COPY ${name} ${file.target}`);
    }
    await writeFile(path.join(dir, 'Dockerfile'), `${lines.join('\n')}\n`);
    const [first, ...others] = refs as [string, ...string[]];
    await followJsonStream(await docker.buildImage({ context: dir, src }, { t: first, rm: true, forcerm: true }), `building ${first}`);
    for (const ref of others) {
      const colon = ref.lastIndexOf(':');
      await docker.getImage(first).tag({ repo: ref.slice(0, colon), tag: ref.slice(colon + 1) });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The stand-in images of the stack for each version, under the stack's names. */
export async function buildReferenceImages(docker: Docker, scope: TestScope, versions: readonly string[], caddyfile: string): Promise<void> {
  const [base, caddyBase] = await Promise.all([buildTestImage(docker, scope, 'stand-in-base'), buildTestCaddyImage(docker, scope)]);
  const caddyDir = await mkdtemp(path.join(os.tmpdir(), `${runTempPrefix()}refstack-caddyfile-`));
  try {
    await writeFile(path.join(caddyDir, 'Caddyfile'), caddyfile);
    for (const version of versions) {
      await buildFrom(
        docker,
        base,
        APP_IMAGES.map((image) => `${scopeRepo(scope)}/${image}:${version}`),
        scope.labels,
        {
          'stand-in.mjs': { source: path.join(STAND_IN, 'stand-in.mjs'), target: '/app/stand-in.mjs' },
          curl: { source: path.join(STAND_IN, 'curl'), target: '/usr/bin/curl' },
          python: { source: path.join(STAND_IN, 'python'), target: '/usr/bin/python' },
        },
        [`ENV APP_VERSION=${version}`, 'CMD ["node", "/app/stand-in.mjs"]'],
      );
      await buildFrom(docker, caddyBase, [`${scopeRepo(scope)}/tale-proxy:${version}`], scope.labels, { Caddyfile: { source: path.join(caddyDir, 'Caddyfile'), target: '/etc/caddy/Caddyfile' } }, []);
    }
  } finally {
    await rm(caddyDir, { recursive: true, force: true });
  }
}

/** The reference Caddyfile as Caddy 2.6.2 takes it, with the admin API on the container's interfaces. */
export async function referenceCaddyfile(seed: string, file = 'Caddyfile'): Promise<string> {
  const text = await readFile(path.join(SEEDS, seed, file), 'utf8');
  const kept = text
    .split('\n')
    .filter((line) => !NEWER_SUBDIRECTIVES.includes(line.trim().split(/\s+/)[0] ?? ''))
    // Status codes after handle_errors are newer than 2.6; 2.6.2 takes the block for every error.
    .map((line) => line.replace(/^(\s*handle_errors)(\s+\d{3})+\s*\{/, '$1 {'))
    // The first Caddyfile lists both colors and the plain name under `lb_policy first`, so Caddy's health
    // checks pick the live color: cutover refuses to guess ("Caddy does not send all services to one
    // color"). The repository itself replaced the line by `to platform:3000` (7fa7a3a75); so does the test.
    .map((line) => line.replace(/^(\s*to) ([a-z-]+)-blue:(\d+) \2-green:\3 \2:\3\s*$/, '$1 $2:$3'));
  const global = kept.findIndex((line) => line.trim() === '{');
  // The first Caddyfile has no global options block: it gets one.
  if (global < 0) return [`{\n\tadmin 0.0.0.0:${CADDY_ADMIN_PORT}\n}`, ...kept].join('\n');
  kept.splice(global + 1, 0, `\tadmin 0.0.0.0:${CADDY_ADMIN_PORT}`);
  return kept.join('\n');
}

/** Adds the scope's labels to every service of a compose file (services are the 2-space keys under `services:`). */
function withLabels(yaml: string, labels: Record<string, string>): string {
  const out: string[] = [];
  let section = '';
  for (const line of yaml.split('\n')) {
    out.push(line);
    const top = /^([a-z_]+):/.exec(line);
    if (top !== null) section = top[1] as string;
    if (section === 'services' && /^ {2}[a-z0-9-]+:\s*$/.test(line)) {
      out.push('    labels:', ...Object.entries(labels).map(([k, v]) => `      ${k}: "${v}"`));
    }
  }
  return out.join('\n');
}

/**
 * The first files build every image (`build:`, no `image:`), so a deploy could
 * not choose a version: each service without `image:` gets the line the later
 * files have, `image: ghcr.io/tale-project/tale/tale-<service>:${VERSION:-latest}`.
 * The final files have it everywhere: nothing changes there.
 */
function withImages(yaml: string): string {
  const lines = yaml.split('\n');
  const out: string[] = [];
  let section = '';
  let service: { name: string; at: number; image: boolean } | undefined;
  const close = (): void => {
    if (service !== undefined && !service.image) out.splice(service.at + 1, 0, `    image: ${REPO}/tale-${service.name}:\${VERSION:-latest}`);
    service = undefined;
  };
  for (const line of lines) {
    const top = /^([a-z_]+):/.exec(line);
    if (top !== null) {
      close();
      section = top[1] as string;
    }
    const key = section === 'services' ? /^ {2}([a-z0-9-]+):\s*$/.exec(line) : null;
    if (key !== null) {
      close();
      service = { name: key[1] as string, at: out.length, image: false };
    }
    if (service !== undefined && /^ {4}image:/.test(line)) service.image = true;
    out.push(line);
  }
  close();
  return out.join('\n');
}

/**
 * The first overlays give each color the alias `<svc>-<color>` only; the plain
 * `<svc>` that platform uses for rag, crawler, search and graph-db comes from
 * Compose (every container carries its service's name, and cutover gives it
 * too). cutover does not count that implicit name when it decides that a service
 * without a Caddy handler is internal (docs/handlers.md), so the plain name is
 * written after each `<svc>-<color>` alias, as the final overlays write it. No
 * change for Compose, which adds that alias anyway; none for the final files,
 * which list it already.
 */
function withSharedAlias(yaml: string, color: string): string {
  return yaml.replace(new RegExp(`^(\\s+)- ([a-z-]+)-${color}$`, 'gm'), (line: string, indent: string, service: string) =>
    yaml.includes(`${indent}- ${service}\n`) ? line : `${line}\n${indent}- ${service}`,
  );
}

function renamed(yaml: string, prefix: string): string {
  return yaml.replace(/container_name: tale-/g, `container_name: ${prefix}-tale-`).replace(/name: tale_/g, `name: ${prefix}_`);
}

/** compose.yml's published ports on 127.0.0.1: the proxy's HTTP port and admin API on the given ports, the others ephemeral. */
function loopbackPorts(yaml: string, httpPort: number, adminPort: number): string {
  return yaml.replace(/^(\s+)- '(\d+):(\d+)'$/gm, (_match, indent: string, _host: string, container: string) => {
    if (container === String(CADDY_HTTP_PORT)) return `${indent}- '127.0.0.1:${httpPort}:${CADDY_HTTP_PORT}'\n${indent}- '127.0.0.1:${adminPort}:${CADDY_ADMIN_PORT}'`;
    return `${indent}- '127.0.0.1::${container}'`;
  });
}

const VOLUMES = ['db-data', 'db-backup', 'rag-data', 'graph-db-data', 'platform-convex-data', 'caddy-data', 'caddy-config'];

/**
 * The project directory, and the network and volumes the files name, created
 * beforehand with the scope's labels (cutover would create them without).
 */
/** compose.yml with more shared services, each the stand-in under `tale-<service>`, on the `internal` network. */
function withSharedServices(yaml: string, services: readonly string[]): string {
  if (services.length === 0) return yaml;
  const at = yaml.search(/^volumes:/m);
  if (at < 0) throw new Error('compose.yml has no top-level volumes: section to add services before');
  const added = services.map((service) => `  ${service}:\n    image: ${REPO}/tale-${service}:\${VERSION:-latest}\n    networks:\n      - internal\n`).join('');
  return `${yaml.slice(0, at)}${added}\n${yaml.slice(at)}`;
}

export async function createReferenceStackProject(
  docker: Docker,
  scope: TestScope,
  env: Record<string, string> = {},
  seed = FINAL_SEED,
  extraServices: readonly string[] = [],
): Promise<ReferenceStackProject> {
  const name = scope.prefix;
  const dir = await mkdtemp(path.join(os.tmpdir(), `${name}-tale-`));
  const [httpPort, adminPort] = (await freePorts(2)) as [number, number];
  const seedDir = path.join(SEEDS, seed);
  const base = await readFile(path.join(seedDir, 'compose.yml'), 'utf8');
  const ownImages = (yaml: string): string => yaml.replaceAll(`${REPO}/`, `${scopeRepo(scope)}/`);
  await writeFile(path.join(dir, 'compose.yml'), ownImages(loopbackPorts(renamed(withLabels(withSharedServices(withImages(base), extraServices), scope.labels), name), httpPort, adminPort)));
  for (const color of ['blue', 'green']) {
    const overlay = await readFile(path.join(seedDir, `compose.${color}.yml`), 'utf8');
    await writeFile(path.join(dir, `compose.${color}.yml`), ownImages(renamed(withLabels(withSharedAlias(overlay, color), scope.labels), name)));
  }
  const dotenv = {
    COMPOSE_PROJECT_NAME: name,
    SITE_URL: `http://${SITE_HOST}`,
    HOST: SITE_HOST,
    // The first Caddyfile's site address and the proxy's alias on the network.
    DOMAIN: `http://${SITE_HOST}`,
    DOMAIN_HOST: SITE_HOST,
    // The newest Caddyfile's site addresses.
    SITE_ORIGIN: `http://${SITE_HOST}`,
    DOCS_ORIGIN: `http://docs.${SITE_HOST}`,
    TLS_MODE: 'selfsigned',
    POSTGRES_USER: 'tale',
    POSTGRES_PASSWORD: 'change-me',
    POSTGRES_DB: 'tale',
    DRAIN_TIMEOUT: '15',
    HEALTH_CHECK_TIMEOUT: '300',
    HEALTH_CHECK_INTERVAL: '1',
    ...env,
  };
  await writeFile(path.join(dir, '.env'), `${Object.entries(dotenv).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  await mkdir(path.join(dir, 'caddy'));
  await chmod(dir, 0o755);
  await docker.createNetwork({ Name: `${name}_internal`, Driver: 'bridge', Labels: scope.labels });
  for (const volume of VOLUMES) await docker.createVolume({ Name: `${name}_${volume}`, Labels: scope.labels });
  return {
    dir,
    name,
    httpPort,
    adminAddress: `http://127.0.0.1:${adminPort}`,
    url: (urlPath = '/') => `http://127.0.0.1:${httpPort}${urlPath}`,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
