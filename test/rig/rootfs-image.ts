/**
 * Offline Docker images from this machine's own files. No registry is
 * reachable, so an image is a root filesystem assembled in a temp dir (a
 * binary with exactly the libraries `ldd` lists, a few files of /etc, empty
 * dirs), tarred with the system `tar` and `docker import`ed; smaller
 * variations are then cheap `docker build`s FROM it.
 *
 * Used by the test app image (test-image.ts), the Caddy image (caddy-image.ts)
 * and the demo (scripts/demo/), which differ only in their recipe, names and
 * labels.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';

const execFileAsync = promisify(execFile);

/** What goes into a root filesystem. Paths inside the image are absolute. */
export interface RootfsRecipe {
  /** Names the recipe in its hash; change it when the recipe's code changes. */
  name: string;
  /** Host files copied to the same path in the image (symlinks are followed: the image gets the real files). */
  hostFiles: string[];
  /** Host files copied to another path. */
  copies?: Array<{ from: string; to: string }>;
  /** Path in the image → what the symlink points to. */
  symlinks?: Record<string, string>;
  /** Path in the image → text content. */
  texts?: Record<string, string>;
  /** Empty directories; `/tmp` gets mode 1777. */
  dirs?: string[];
}

/** A minimal /etc for root and nobody, enough for programs that look up their user. */
export const MINIMAL_ETC: Record<string, string> = {
  '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  '/etc/group': 'root:x:0:\nnogroup:x:65534:\n',
  '/etc/nsswitch.conf': 'hosts: files dns\n',
};

/** The shared libraries and the loader `ldd` lists for a binary (absolute paths on this machine). */
export async function sharedLibraries(binary: string): Promise<string[]> {
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

/** A binary and the libraries it needs, as host files for a recipe. */
export async function binaryWithLibraries(binary: string): Promise<string[]> {
  return [binary, ...(await sharedLibraries(binary))];
}

/**
 * 12 hex digits that change when the recipe or its inputs change. Size and
 * mtime identify the system binaries well enough without reading 100 MB;
 * copied files (small, from this repo) are hashed by content.
 */
export async function recipeHash(recipe: RootfsRecipe): Promise<string> {
  const hash = createHash('sha256').update(`${recipe.name}\n`);
  for (const file of recipe.hostFiles) {
    const info = await stat(file);
    hash.update(`${file}:${info.size}:${info.mtimeMs}\n`);
  }
  for (const { from, to } of recipe.copies ?? []) hash.update(`${to}\n`).update(await readFile(from));
  hash.update(JSON.stringify([recipe.symlinks ?? {}, recipe.texts ?? {}, recipe.dirs ?? []]));
  return hash.digest('hex').slice(0, 12);
}

async function assembleRootfs(dir: string, recipe: RootfsRecipe): Promise<void> {
  const inImage = (file: string): string => path.join(dir, file);
  const place = async (file: string): Promise<string> => {
    await mkdir(path.dirname(inImage(file)), { recursive: true });
    return inImage(file);
  };
  for (const file of recipe.hostFiles) await copyFile(file, await place(file));
  for (const { from, to } of recipe.copies ?? []) await copyFile(from, await place(to));
  for (const [file, target] of Object.entries(recipe.symlinks ?? {})) await symlink(target, await place(file));
  for (const [file, text] of Object.entries(recipe.texts ?? {})) await writeFile(await place(file), text);
  for (const folder of recipe.dirs ?? []) {
    await mkdir(inImage(folder), { recursive: true });
    if (folder === '/tmp') await chmod(inImage(folder), 0o1777);
  }
}

/** Reads a Docker JSON progress stream (import, build, push) to its end; an `error` in it rejects. */
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

export async function imagePresent(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/** The label in which an imported image carries its recipe's hash, so a caller can tell whether an existing image is current. */
export const RECIPE_LABEL = 'cutover.image.recipe';

/** The recipe hash `ref` carries, or undefined when the image is absent or carries none. */
export async function imageRecipe(docker: Docker, ref: string): Promise<string | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    return info.Config?.Labels?.[RECIPE_LABEL] ?? undefined;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

/** `LABEL k="v" ...` for a Dockerfile or an import's changes. */
export function labelInstruction(labels: Record<string, string>): string {
  return `LABEL ${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`;
}

/** Tars `dir` with the system tar and imports it as `repo:tag`, applying Dockerfile-style `changes`. */
async function importDir(docker: Docker, dir: string, repo: string, tag: string, changes: string[]): Promise<void> {
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

/**
 * Assembles the recipe's root filesystem in a temp dir under `tempPrefix`
 * (so a sweep can find what an interrupted run left), imports it as
 * `repo:tag` with the Dockerfile-style `changes` (ENV, CMD, LABEL, ...), and
 * removes the dir.
 */
export async function importRootfs(
  docker: Docker,
  recipe: RootfsRecipe,
  image: { repo: string; tag: string; changes: string[]; tempPrefix: string },
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), image.tempPrefix));
  try {
    await assembleRootfs(dir, recipe);
    await importDir(docker, dir, image.repo, image.tag, image.changes);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return `${image.repo}:${image.tag}`;
}

/**
 * `ref`, built FROM `base` with the labels (first, so every intermediate
 * image carries them too), the ENV and small text files added.
 */
export async function buildOnBase(
  docker: Docker,
  build: { base: string; ref: string; labels: Record<string, string>; env?: Record<string, string>; texts?: Record<string, string>; tempPrefix: string },
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), build.tempPrefix));
  try {
    const lines = [`FROM ${build.base}`, labelInstruction(build.labels)];
    for (const [key, value] of Object.entries(build.env ?? {})) lines.push(`ENV ${key}=${JSON.stringify(value)}`);
    const src = ['Dockerfile'];
    for (const [index, [target, text]] of Object.entries(build.texts ?? {}).entries()) {
      const name = `file-${index}`;
      await writeFile(path.join(dir, name), text);
      src.push(name);
      lines.push(`COPY ${name} ${target}`);
    }
    await writeFile(path.join(dir, 'Dockerfile'), `${lines.join('\n')}\n`);
    const stream = await docker.buildImage({ context: dir, src }, { t: build.ref, rm: true, forcerm: true });
    await followJsonStream(stream, `building ${build.ref}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return build.ref;
}
