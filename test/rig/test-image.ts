/**
 * Offline images of the test app (test/fixtures/app/server.mjs). No registry is
 * reachable, so the base is assembled from this machine's files: /usr/bin/node
 * with exactly the libraries `ldd` lists, a static busybox for sh/wget/..., the
 * app, a minimal /etc. It is tarred with the system `tar` and imported once per
 * run (~100 MB); every version is then a cheap build FROM it that bakes the
 * version in (ENV APP_VERSION and /app/VERSION), so deploying another tag
 * really changes what the app answers.
 *
 *   const ref = await buildTestImage(docker, scope, 'v1');   // `<scope>-app:v1`
 *   ...
 *   await removeTestImages(docker, scope);                   // in after()
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, open, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { RUN_LABEL, runId, runIsOwned, runPrefix, runTempPrefix, SCOPE_LABEL, type TestScope } from './run-id.js';

const NODE_BINARY = '/usr/bin/node';
const BUSYBOX = '/bin/busybox';
const APP_SOURCE = fileURLToPath(new URL('../fixtures/app/server.mjs', import.meta.url));
const BUSYBOX_TOOLS = ['sh', 'wget', 'cat', 'ls', 'echo', 'sleep', 'env', 'ps', 'kill', 'grep', 'true', 'false', 'nslookup'];
/** Bump when the recipe below changes, so a stale base of the same run is not reused. */
const RECIPE = 'app-base-1';
export const APP_PORT = 3000;

const execFileAsync = promisify(execFile);

/** The shared libraries and the loader `ldd` lists for a binary (absolute paths on this machine). */
async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await execFileAsync('ldd', [binary]);
  const libs: string[] = [];
  for (const line of stdout.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"; the vdso has no file.
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (match?.[1] !== undefined) libs.push(match[1]);
  }
  if (libs.length === 0) throw new Error(`ldd ${binary} listed no libraries; is it statically linked?`);
  return libs;
}

interface BaseInputs {
  files: string[];
  hash: string;
}

async function baseInputs(): Promise<BaseInputs> {
  const files = [NODE_BINARY, BUSYBOX, ...(await sharedLibraries(NODE_BINARY))];
  const hash = createHash('sha256').update(RECIPE);
  // Size and mtime identify the system binaries well enough without reading 100 MB; the app is hashed by content.
  for (const file of files) {
    const info = await stat(file);
    hash.update(`${file}:${info.size}:${info.mtimeMs}\n`);
  }
  hash.update(await readFile(APP_SOURCE));
  return { files, hash: hash.digest('hex').slice(0, 12) };
}

async function assembleRootfs(dir: string, files: string[]): Promise<void> {
  for (const file of files) {
    await mkdir(path.join(dir, path.dirname(file)), { recursive: true });
    await copyFile(file, path.join(dir, file)); // follows symlinks: the image gets the real files
  }
  for (const tool of BUSYBOX_TOOLS) await symlink('busybox', path.join(dir, 'bin', tool));
  await mkdir(path.join(dir, 'app'), { recursive: true });
  await copyFile(APP_SOURCE, path.join(dir, 'app', 'server.mjs'));
  await mkdir(path.join(dir, 'etc'), { recursive: true });
  await writeFile(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(path.join(dir, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  await mkdir(path.join(dir, 'root'));
  await mkdir(path.join(dir, 'tmp'));
  await chmod(path.join(dir, 'tmp'), 0o1777);
}

/** Reads a Docker JSON progress stream (import, build) to its end; an `error` in it rejects. */
export function followJsonStream(stream: NodeJS.ReadableStream, what: string): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const events: Array<Record<string, unknown>> = [];
    let buffered = '';
    stream.on('data', (chunk: Buffer) => (buffered += chunk.toString('utf8')));
    stream.on('error', reject);
    stream.on('end', () => {
      for (const line of buffered.split('\n')) {
        if (line.trim() === '') continue;
        const event = JSON.parse(line) as Record<string, unknown>;
        if (event.error !== undefined) return reject(new Error(`${what}: ${String(event.error)}`));
        events.push(event);
      }
      resolve(events);
    });
  });
}

async function imagePresent(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/** Tars `dir` with the system tar and imports it as `repo:tag`, applying Dockerfile-style `changes`. */
async function importRootfs(docker: Docker, dir: string, repo: string, tag: string, changes: string[]): Promise<void> {
  const tar = spawn('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', dir, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tarErr = '';
  tar.stderr.on('data', (chunk: Buffer) => (tarErr += chunk.toString('utf8')));
  const tarDone = new Promise<void>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited with ${code}: ${tarErr}`))));
  });
  const stream = (await docker.importImage(tar.stdout, { repo, tag, changes })) as NodeJS.ReadableStream;
  await Promise.all([followJsonStream(stream, `importing ${repo}:${tag}`), tarDone]);
}

async function importBase(docker: Docker, inputs: BaseInputs, repo: string): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${runTempPrefix()}rootfs-`));
  try {
    await assembleRootfs(dir, inputs.files);
    await importRootfs(docker, dir, repo, inputs.hash, [
      'ENV PATH=/usr/local/bin:/usr/bin:/bin',
      'WORKDIR /app',
      `EXPOSE ${APP_PORT}`,
      'CMD ["node", "/app/server.mjs"]',
      `LABEL ${RUN_LABEL}=${runId}`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `<scope>-tiny:<tag>`: one ~2 MB layer (busybox and /etc/tiny-version), no
 * node and no app. For tests that move images around (push, pull) and would
 * otherwise copy the 100 MB app base each time.
 */
export async function buildTinyImage(docker: Docker, scope: TestScope, tag: string): Promise<string> {
  const repo = `${scope.prefix}-tiny`;
  const dir = await mkdtemp(path.join(os.tmpdir(), `${runTempPrefix()}tiny-`));
  try {
    await mkdir(path.join(dir, 'bin'));
    await copyFile(BUSYBOX, path.join(dir, 'bin', 'busybox'));
    await symlink('busybox', path.join(dir, 'bin', 'sh'));
    await mkdir(path.join(dir, 'etc'));
    await writeFile(path.join(dir, 'etc', 'tiny-version'), `${tag}\n`);
    const labels = Object.entries(scope.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
    await importRootfs(docker, dir, repo, tag, ['CMD ["/bin/busybox", "cat", "/etc/tiny-version"]', `LABEL ${labels}`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return `${repo}:${tag}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The base image of this run, imported at most once: test files of one run
 * share it (they may start at the same moment, so a lock file decides who
 * imports; the others wait for the image to appear).
 */
async function ensureBase(docker: Docker): Promise<string> {
  const inputs = await baseInputs();
  const repo = `${runPrefix}-app-base`;
  const ref = `${repo}:${inputs.hash}`;
  const lockPath = path.join(os.tmpdir(), `${runTempPrefix()}${inputs.hash}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (await imagePresent(docker, ref)) return ref;
    let lock;
    try {
      lock = await open(lockPath, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (lock !== undefined) {
      try {
        await lock.writeFile(String(process.pid));
        if (!(await imagePresent(docker, ref))) await importBase(docker, inputs, repo);
        return ref;
      } finally {
        await lock.close();
        await unlink(lockPath).catch(() => undefined);
      }
    }
    // Another process is importing. Take over its lock if it died; else look again shortly.
    const holder = Number(await readFile(lockPath, 'utf8').catch(() => ''));
    if (holder > 0 && !processAlive(holder)) await unlink(lockPath).catch(() => undefined);
    if (Date.now() > deadline) throw new Error(`waited 180 s for another test process to import ${ref} (lock ${lockPath})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const baseOf = new WeakMap<Docker, Promise<string>>();
const built = new Map<string, Promise<string>>();

/**
 * `<scope>-app:<version>`: the test app answering `version` on /version. Built
 * once per scope and version; carries the run and scope labels.
 */
export async function buildTestImage(docker: Docker, scope: TestScope, version: string): Promise<string> {
  const ref = `${scope.prefix}-app:${version}`;
  let pending = built.get(ref);
  if (pending === undefined) {
    pending = (async () => {
      let base = baseOf.get(docker);
      if (base === undefined) {
        base = ensureBase(docker);
        baseOf.set(docker, base);
      }
      const baseRef = await base;
      const dir = await mkdtemp(path.join(os.tmpdir(), `${runTempPrefix()}build-`));
      try {
        // LABEL first: then every intermediate image of the build carries the scope too.
        const labels = Object.entries(scope.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
        await writeFile(path.join(dir, 'Dockerfile'), `FROM ${baseRef}\nLABEL ${labels}\nENV APP_VERSION=${version}\nCOPY VERSION /app/VERSION\n`);
        await writeFile(path.join(dir, 'VERSION'), `${version}\n`);
        const stream = await docker.buildImage({ context: dir, src: ['Dockerfile', 'VERSION'] }, { t: ref, rm: true, forcerm: true });
        await followJsonStream(stream, `building ${ref}`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      return ref;
    })();
    built.set(ref, pending);
    pending.catch(() => built.delete(ref));
  }
  return pending;
}

/**
 * Removes the scope's images; also the run's base image when nothing outside
 * this process will sweep after it (the test file runs on its own).
 */
export async function removeTestImages(docker: Docker, scope: TestScope): Promise<void> {
  const filters = [`${SCOPE_LABEL}=${scope.prefix}`, ...(runIsOwned ? [`${RUN_LABEL}=${runId}`] : [])];
  for (const label of filters) {
    await removeImagesByLabel(docker, label);
  }
  for (const key of built.keys()) if (key.startsWith(`${scope.prefix}-`)) built.delete(key);
  if (runIsOwned) baseOf.delete(docker);
}

/** Removes every image with the label, children before parents (Docker refuses a parent first). Returns the removed tags or ids. */
export async function removeImagesByLabel(docker: Docker, label: string): Promise<string[]> {
  const removed: string[] = [];
  for (let pass = 0; pass < 5; pass += 1) {
    const images = await docker.listImages({ all: true, filters: { label: [label] } });
    if (images.length === 0) break;
    const results = await Promise.allSettled(
      images.map(async (image) => {
        await docker.getImage(image.Id).remove({ force: true });
        const tags = (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
        removed.push(...(tags.length > 0 ? tags : [image.Id.slice(7, 19)]));
      }),
    );
    if (results.every((r) => r.status === 'fulfilled')) break;
  }
  return removed;
}
