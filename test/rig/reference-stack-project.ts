/**
 * The reference repository's final blue-green files (test/fixtures/seed-configs/
 * bluegreen-final-b60f50ce0: compose.yml, compose.blue.yml, compose.green.yml and
 * the proxy's Caddyfile) as a project that runs on this machine, with stand-in
 * images under the stack's own image names (ghcr.io/tale-project/tale/tale-*).
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
 * `.env` holds example values (SITE_URL=http://tale.local: plain HTTP, no certificate).
 *
 * The stand-ins (reference-stand-in/stand-in.mjs) answer 200 on every port of the
 * stack with their version and the port that answered; a `curl` shim runs the
 * overlays' `curl -f` healthchecks. The proxy's stand-in is the offline Caddy
 * image with the Caddyfile baked in, as the stack's own proxy image has it.
 */
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { buildTestCaddyImage, CADDY_ADMIN_PORT, CADDY_HTTP_PORT } from './caddy-image.js';
import { freePort } from './free-port.js';
import { followJsonStream, labelInstruction } from './rootfs-image.js';
import { runTempPrefix, type TestScope } from './run-id.js';
import { buildTestImage } from './test-image.js';

const SEEDS = fileURLToPath(new URL('../fixtures/seed-configs/', import.meta.url));
const STAND_IN = fileURLToPath(new URL('../fixtures/reference-stand-in/', import.meta.url));
export const FINAL_SEED = 'bluegreen-final-b60f50ce0';
const REPO = 'ghcr.io/tale-project/tale';
const APP_IMAGES = ['tale-platform', 'tale-rag', 'tale-crawler', 'tale-search', 'tale-db', 'tale-graph-db'];
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
        APP_IMAGES.map((image) => `${REPO}/${image}:${version}`),
        scope.labels,
        { 'stand-in.mjs': { source: path.join(STAND_IN, 'stand-in.mjs'), target: '/app/stand-in.mjs' }, curl: { source: path.join(STAND_IN, 'curl'), target: '/usr/bin/curl' } },
        [`ENV APP_VERSION=${version}`, 'CMD ["node", "/app/stand-in.mjs"]'],
      );
      await buildFrom(docker, caddyBase, [`${REPO}/tale-proxy:${version}`], scope.labels, { Caddyfile: { source: path.join(caddyDir, 'Caddyfile'), target: '/etc/caddy/Caddyfile' } }, []);
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
    .map((line) => line.replace(/^(\s*handle_errors)(\s+\d{3})+\s*\{/, '$1 {'));
  const global = kept.findIndex((line) => line.trim() === '{');
  if (global < 0) throw new Error(`${seed}/${file} has no global options block`);
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
export async function createReferenceStackProject(docker: Docker, scope: TestScope, env: Record<string, string> = {}): Promise<ReferenceStackProject> {
  const name = scope.prefix;
  const dir = await mkdtemp(path.join(os.tmpdir(), `${name}-tale-`));
  const httpPort = await freePort();
  const adminPort = await freePort();
  const seedDir = path.join(SEEDS, FINAL_SEED);
  const base = await readFile(path.join(seedDir, 'compose.yml'), 'utf8');
  await writeFile(path.join(dir, 'compose.yml'), loopbackPorts(renamed(withLabels(base, scope.labels), name), httpPort, adminPort));
  for (const color of ['blue', 'green']) {
    const overlay = await readFile(path.join(seedDir, `compose.${color}.yml`), 'utf8');
    await writeFile(path.join(dir, `compose.${color}.yml`), renamed(withLabels(overlay, scope.labels), name));
  }
  const dotenv = {
    COMPOSE_PROJECT_NAME: name,
    SITE_URL: `http://${SITE_HOST}`,
    HOST: SITE_HOST,
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
