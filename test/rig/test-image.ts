/**
 * Offline images of the test app (test/fixtures/app/server.mjs). No registry is
 * reachable, so the base is assembled from this machine's files (rootfs-image.ts):
 * /usr/bin/node with exactly the libraries `ldd` lists, a static busybox for
 * sh/wget/..., the app, a minimal /etc. It is imported once per
 * run (~100 MB); every version is then a cheap build FROM it that bakes the
 * version in (ENV APP_VERSION and /app/VERSION), so deploying another tag
 * really changes what the app answers.
 *
 *   const ref = await buildTestImage(docker, scope, 'v1');   // `<scope>-app:v1`
 *   ...
 *   await removeTestImages(docker, scope);                   // in after()
 */
import { type FileHandle, open, readFile, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { binaryWithLibraries, buildOnBase, imagePresent, importRootfs, labelInstruction, MINIMAL_ETC, recipeHash, type RootfsRecipe } from './rootfs-image.js';
import { RUN_LABEL, runId, runIsOwned, runPrefix, runTempPrefix, SCOPE_LABEL, type TestScope } from './run-id.js';
import { sleep } from '../../src/sleep.js';

export { followJsonStream } from './rootfs-image.js';

const NODE_BINARY = '/usr/bin/node';
const BUSYBOX = '/bin/busybox';
const APP_SOURCE = fileURLToPath(new URL('../fixtures/app/server.mjs', import.meta.url));
const BUSYBOX_TOOLS = ['sh', 'wget', 'cat', 'ls', 'echo', 'sleep', 'env', 'ps', 'kill', 'grep', 'true', 'false', 'nslookup'];
export const APP_PORT = 3000;

/**
 * The app's root filesystem: node with its libraries, a static busybox for
 * sh/wget/..., the app in /app, a minimal /etc. Also the demo's app image.
 */
export async function appRootfsRecipe(): Promise<RootfsRecipe> {
  return {
    // Bump when the recipe changes, so a stale base of the same run is not reused.
    name: 'app-base-2',
    hostFiles: [...(await binaryWithLibraries(NODE_BINARY)), BUSYBOX],
    copies: [{ from: APP_SOURCE, to: '/app/server.mjs' }],
    symlinks: Object.fromEntries(BUSYBOX_TOOLS.map((tool) => [`/bin/${tool}`, 'busybox'])),
    texts: MINIMAL_ETC,
    dirs: ['/root', '/tmp'],
  };
}

/** Dockerfile-style settings of the app base: how the app runs. */
export const APP_IMAGE_CHANGES = ['ENV PATH=/usr/local/bin:/usr/bin:/bin', 'WORKDIR /app', `EXPOSE ${APP_PORT}`, 'CMD ["node", "/app/server.mjs"]'];

/** What makes an app image answer `version`: the env the app reads and /app/VERSION. */
export function versionBakedIn(version: string): { env: Record<string, string>; texts: Record<string, string> } {
  return { env: { APP_VERSION: version }, texts: { '/app/VERSION': `${version}\n` } };
}

async function importBase(docker: Docker, recipe: RootfsRecipe, repo: string, tag: string): Promise<void> {
  await importRootfs(docker, recipe, { repo, tag, changes: [...APP_IMAGE_CHANGES, `LABEL ${RUN_LABEL}=${runId}`], tempPrefix: `${runTempPrefix()}rootfs-` });
}

/**
 * `<scope>-tiny:<tag>`: one ~2 MB layer (busybox and /etc/tiny-version), no
 * node and no app. For tests that move images around (push, pull) and would
 * otherwise copy the 100 MB app base each time.
 */
export async function buildTinyImage(docker: Docker, scope: TestScope, tag: string): Promise<string> {
  const recipe: RootfsRecipe = {
    name: 'tiny',
    hostFiles: [BUSYBOX],
    symlinks: { '/bin/sh': 'busybox' },
    texts: { '/etc/tiny-version': `${tag}\n` },
  };
  return importRootfs(docker, recipe, {
    repo: `${scope.prefix}-tiny`,
    tag,
    changes: ['CMD ["/bin/busybox", "cat", "/etc/tiny-version"]', labelInstruction(scope.labels)],
    tempPrefix: `${runTempPrefix()}tiny-`,
  });
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
  const recipe = await appRootfsRecipe();
  const hash = await recipeHash(recipe);
  const repo = `${runPrefix}-app-base`;
  const ref = `${repo}:${hash}`;
  const lockPath = path.join(os.tmpdir(), `${runTempPrefix()}${hash}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (await imagePresent(docker, ref)) return ref;
    let lock: FileHandle | undefined;
    try {
      lock = await open(lockPath, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (lock !== undefined) {
      try {
        await lock.writeFile(String(process.pid));
        if (!(await imagePresent(docker, ref))) await importBase(docker, recipe, repo, hash);
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
    await sleep(250);
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
      await buildOnBase(docker, { base: baseRef, ref, labels: scope.labels, ...versionBakedIn(version), tempPrefix: `${runTempPrefix()}build-` });
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
