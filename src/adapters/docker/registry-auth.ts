import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DockerOperationError } from '../../errors.js';

/**
 * Registry credentials the way the docker CLI finds them: config.json in
 * $DOCKER_CONFIG (default ~/.docker); a credential helper for the registry
 * (`credHelpers`), else the default store (`credsStore`), else the base64
 * `auth` of `auths`. No credentials found means an anonymous pull.
 */

/** The body of Docker's X-Registry-Auth header. */
export interface RegistryAuth {
  serveraddress: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string } | undefined>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** Docker Hub's key in config.json and for credential helpers. */
const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';

/** The registry host of an image reference: `ghcr.io`, `127.0.0.1:5000`, or `docker.io` for Hub images. */
export function registryHostOf(ref: string): string {
  const slash = ref.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = ref.slice(0, slash);
  // Like Docker: the first component is a registry only if it looks like a host.
  if (first.includes('.') || first.includes(':') || first === 'localhost') return first === 'index.docker.io' ? 'docker.io' : first;
  return 'docker.io';
}

function hostOfConfigKey(key: string): string {
  const host = key.replace(/^https?:\/\//, '').split('/')[0] ?? key;
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

async function readDockerConfig(path: string): Promise<DockerConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DockerOperationError(`reading registry credentials from ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text) as DockerConfigFile;
  } catch (cause) {
    throw new DockerOperationError(`reading registry credentials: ${path} is not valid JSON`, { cause, hint: 'Fix the file, or run `docker login` to rewrite it.' });
  }
}

export async function resolveRegistryAuth(ref: string, env: NodeJS.ProcessEnv = process.env): Promise<RegistryAuth | undefined> {
  const configPath = join(env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker'), 'config.json');
  const config = await readDockerConfig(configPath);
  if (config === undefined) return undefined;
  const host = registryHostOf(ref);
  const serveraddress = host === 'docker.io' ? DOCKER_HUB_SERVER : host;

  const helperKey = Object.keys(config.credHelpers ?? {}).find((key) => hostOfConfigKey(key) === host);
  const helper = (helperKey === undefined ? undefined : config.credHelpers?.[helperKey]) ?? config.credsStore;
  if (helper !== undefined && helper !== '') {
    const fromHelper = await askCredentialHelper(helper, serveraddress, configPath, env);
    if (fromHelper !== undefined) return fromHelper;
  }

  const authKey = Object.keys(config.auths ?? {}).find((key) => hostOfConfigKey(key) === host);
  const entry = authKey === undefined ? undefined : config.auths?.[authKey];
  if (entry === undefined) return undefined;
  if (entry.identitytoken) return { serveraddress, identitytoken: entry.identitytoken };
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    throw new DockerOperationError(`reading registry credentials: the auth of ${authKey} in ${configPath} is not base64 "user:password"`, {
      hint: `Run \`docker login ${host}\` again.`,
    });
  }
  return { serveraddress, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Runs `docker-credential-<name> get` (the docker-credential-helpers protocol:
 * server URL on stdin, JSON {Username, Secret} on stdout). undefined when the
 * helper has nothing stored for this registry.
 */
async function askCredentialHelper(name: string, serverUrl: string, configPath: string, env: NodeJS.ProcessEnv): Promise<RegistryAuth | undefined> {
  const program = `docker-credential-${name}`;
  const { code, stdout, stderr, spawnError } = await new Promise<{ code: number | null; stdout: string; stderr: string; spawnError?: NodeJS.ErrnoException }>(
    (resolve) => {
      const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', (spawnError: NodeJS.ErrnoException) => resolve({ code: null, stdout, stderr, spawnError }));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.on('error', () => undefined); // a helper that exits without reading stdin
      child.stdin.end(serverUrl);
    },
  );
  if (spawnError?.code === 'ENOENT') {
    throw new DockerOperationError(`credential helper ${program} named in ${configPath} is not installed`, {
      cause: spawnError,
      hint: `Install ${program}, or remove "${name}" from credsStore/credHelpers in ${configPath}.`,
    });
  }
  if (spawnError !== undefined) throw new DockerOperationError(`running credential helper ${program}: ${spawnError.message}`, { cause: spawnError });
  if (code !== 0) {
    // The protocol's fixed answer for "nothing stored for this server": fall back to anonymous.
    if (/credentials not found/i.test(stdout + stderr)) return undefined;
    throw new DockerOperationError(`credential helper ${program} failed for ${serverUrl}: ${(stdout + stderr).trim() || `exit code ${code}`}`, {
      hint: `Check \`echo ${serverUrl} | ${program} get\`, or log in again with \`docker login\`.`,
    });
  }
  let answer: { Username?: string; Secret?: string };
  try {
    answer = JSON.parse(stdout) as { Username?: string; Secret?: string };
  } catch (cause) {
    throw new DockerOperationError(`credential helper ${program} answered something that is not JSON`, { cause });
  }
  // A Username of "<token>" means Secret is an identity token, not a password.
  if (answer.Username === '<token>') return { serveraddress: serverUrl, identitytoken: answer.Secret ?? '' };
  return { serveraddress: serverUrl, username: answer.Username ?? '', password: answer.Secret ?? '' };
}
