/**
 * Test rig: runs a real `caddy run` on loopback, in its own temporary home.
 *
 *   const caddy = await startCaddy({ config: { apps: { http: { servers: { s: {
 *     listen: ['127.0.0.1:{{HTTP_PORT}}'], routes: [...] } } } } } });
 *   try { ... caddy.url('/x') ... caddy.adminAddress ... } finally { await caddy.stop(); }
 *
 * - `{{HTTP_PORT}}` anywhere in the config (or Caddyfile) becomes `httpPort`, a
 *   port that was free just before start.
 * - The runner owns `admin.listen` (a free 127.0.0.1 port, or a unix socket with
 *   `admin: 'unix'`), rewrites listeners without a host (`:8080`, which a
 *   Caddyfile's `http://127.0.0.1:8080` adapts to) to 127.0.0.1, and disables
 *   automatic HTTPS so Caddy never binds :80/:443 or asks for certificates.
 * - A Caddyfile is adapted with `caddy adapt` first, then run as JSON, so the
 *   same rewrites apply.
 * - HOME, XDG_CONFIG_HOME and XDG_DATA_HOME point into a mkdtemp dir (autosave,
 *   certificates); stop() kills Caddy and removes the dir. If the test process
 *   exits or is interrupted first, an exit/signal handler does both.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { sleep } from '../../src/sleep.js';

export const HTTP_PORT_PLACEHOLDER = '{{HTTP_PORT}}';

export type CaddySource = { config: object } | { caddyfile: string };

export interface StartCaddyOptions {
  /** Where the admin API listens. Default `tcp` (127.0.0.1:<free port>). */
  admin?: 'tcp' | 'unix';
  /** Default 10 000 ms. */
  startTimeoutMs?: number;
  /** Default `caddy` from PATH, or CADDY_BIN. */
  caddyBinary?: string;
}

export interface RunningCaddy {
  /** `http://127.0.0.1:PORT` or `unix//path/admin.sock`, as CaddyAdmin takes it. */
  adminAddress: string;
  httpPort: number;
  /** `http://127.0.0.1:<httpPort><path>` */
  url(path?: string): string;
  /** Caddy's stdout and stderr so far. */
  logs(): string;
  /** Kills Caddy, waits for it, removes its temp dir. Idempotent. */
  stop(): Promise<void>;
  /**
   * Kills Caddy (SIGKILL: a crash, a reboot) and starts it again on the same
   * ports from its source, as a restart of `caddy run --config Caddyfile` does:
   * a Caddyfile is adapted again (its imports read again), and every change
   * made through the admin API is forgotten. With `from`, it starts from that
   * source instead (and keeps it for later restarts): a user who edited the
   * Caddyfile, e.g. to unwire cutover's snippets.
   */
  restart(from?: CaddySource): Promise<void>;
  pid: number;
  /** The temp dir holding the config, the admin socket, autosave and data. */
  dir: string;
}

type Json = Record<string, unknown>;

const runExecFile = promisify(execFile);
const STOP_GRACE_MS = 2_000;

/** Caddies this process started and has not stopped yet, for the exit handler. */
const live = new Set<{ child: ChildProcess; dir: string }>();
let cleanupInstalled = false;

class PortTakenError extends Error {}

export async function startCaddy(source: CaddySource, options: StartCaddyOptions = {}): Promise<RunningCaddy> {
  // The free ports can be taken between finding and binding them: try again with new ones.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(source, options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= 3) throw error;
    }
  }
}

async function startOnce(initial: CaddySource, options: StartCaddyOptions): Promise<RunningCaddy> {
  installCleanup();
  let source = initial;
  const caddyBinary = options.caddyBinary ?? process.env.CADDY_BIN ?? 'caddy';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cutover-caddy-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_DATA_HOME: path.join(dir, 'data'),
  };
  await Promise.all([mkdir(env.XDG_CONFIG_HOME), mkdir(env.XDG_DATA_HOME)]);

  let child: ChildProcess | undefined;
  let output = '';
  let entry: { child: ChildProcess; dir: string } | undefined;
  const cleanUp = async (): Promise<void> => {
    if (child !== undefined) await killAndWait(child);
    if (entry !== undefined) live.delete(entry);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const httpPort = await freePort();
    const adminListen = options.admin === 'unix' ? `unix/${path.join(dir, 'admin.sock')}` : `127.0.0.1:${await freePort()}`;
    const adminAddress = options.admin === 'unix' ? adminListen : `http://${adminListen}`;

    const substitute = (text: string): string => text.replaceAll(HTTP_PORT_PLACEHOLDER, String(httpPort));
    const json =
      'caddyfile' in source
        ? await adaptCaddyfile(caddyBinary, substitute(source.caddyfile), dir, env)
        : (JSON.parse(substitute(JSON.stringify(source.config))) as Json);
    const configPath = path.join(dir, 'caddy.json');
    await writeFile(configPath, JSON.stringify(confine(json, adminListen), null, 2));

    const launch = async (): Promise<ChildProcess> => {
      child = spawn(caddyBinary, ['run', '--config', configPath], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      entry = { child, dir };
      live.add(entry);
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const spawned = child;
      let spawnError: Error | undefined; // e.g. ENOENT: no caddy binary
      spawned.once('error', (error) => (spawnError = error));
      await waitForAdmin(spawned, adminListen, options.startTimeoutMs ?? 10_000, () => output, () => spawnError);
      return spawned;
    };
    let spawned = await launch();

    let stopping: Promise<void> | undefined;
    const running: RunningCaddy = {
      adminAddress,
      httpPort,
      url: (urlPath = '/') => `http://127.0.0.1:${httpPort}${urlPath}`,
      logs: () => output,
      stop: () => (stopping ??= cleanUp()),
      restart: async (from?: CaddySource) => {
        if (from !== undefined) source = from;
        spawned.kill('SIGKILL');
        await exited(spawned, STOP_GRACE_MS);
        if (entry !== undefined) live.delete(entry);
        if ('caddyfile' in source) {
          const again = await adaptCaddyfile(caddyBinary, substitute(source.caddyfile), dir, env);
          await writeFile(configPath, JSON.stringify(confine(again, adminListen), null, 2));
        } else if (from !== undefined) {
          await writeFile(configPath, JSON.stringify(confine(JSON.parse(substitute(JSON.stringify(source.config))) as Json, adminListen), null, 2));
        }
        // The autosave of the admin changes is not what `caddy run --config` loads: they are gone.
        spawned = await launch();
        running.pid = spawned.pid ?? -1;
      },
      pid: spawned.pid ?? -1,
      dir,
    };
    return running;
  } catch (error) {
    await cleanUp();
    if (/address already in use/.test(output)) throw new PortTakenError(output);
    throw error;
  }
}

async function adaptCaddyfile(caddyBinary: string, caddyfile: string, dir: string, env: NodeJS.ProcessEnv): Promise<Json> {
  const file = path.join(dir, 'Caddyfile');
  await writeFile(file, caddyfile);
  try {
    const { stdout } = await runExecFile(caddyBinary, ['adapt', '--config', file, '--adapter', 'caddyfile'], { cwd: dir, env });
    return JSON.parse(stdout) as Json;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`caddy adapt failed: ${stderr || String(error)}`, { cause: error });
  }
}

/** Pins admin to our address, listeners to loopback, and turns automatic HTTPS off. */
function confine(config: Json, adminListen: string): Json {
  const result = structuredClone(config);
  result.admin = { ...(isObject(result.admin) ? result.admin : {}), listen: adminListen };
  const apps = isObject(result.apps) ? result.apps : undefined;
  const httpApp = apps !== undefined && isObject(apps.http) ? apps.http : undefined;
  const servers = httpApp !== undefined && isObject(httpApp.servers) ? httpApp.servers : {};
  for (const server of Object.values(servers)) {
    if (!isObject(server)) continue;
    if (Array.isArray(server.listen)) {
      server.listen = server.listen.map((address: unknown) =>
        typeof address === 'string' && /^:\d+$/.test(address) ? `127.0.0.1${address}` : address,
      );
    }
    server.automatic_https = { ...(isObject(server.automatic_https) ? server.automatic_https : {}), disable: true };
  }
  return result;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Polls `GET /config/` until it answers 200. Caddy serves that only once the
 * initial config is fully loaded (the read waits on the config lock), so the
 * HTTP listeners are up too.
 */
async function waitForAdmin(
  child: ChildProcess,
  adminListen: string,
  timeoutMs: number,
  logs: () => string,
  spawnError: () => Error | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failed = spawnError();
    if (failed !== undefined) throw new Error(`could not run caddy: ${failed.message}`, { cause: failed });
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`caddy exited during start (${child.exitCode ?? child.signalCode}):\n${tail(logs())}`);
    }
    const status = await probeAdmin(adminListen);
    if (status === 200) return;
    // The read waits for the initial load, so any other answer will not change by waiting.
    if (status !== undefined) throw new Error(`caddy's admin answered GET /config/ with ${status}:\n${tail(logs())}`);
    if (Date.now() > deadline) throw new Error(`caddy's admin did not answer within ${timeoutMs} ms:\n${tail(logs())}`);
    await sleep(25);
  }
}

function tail(text: string): string {
  return text.length > 4_000 ? `...${text.slice(-4_000)}` : text;
}

function probeAdmin(adminListen: string): Promise<number | undefined> {
  const target = adminListen.startsWith('unix/')
    ? // Caddy 2.6.2 wants an empty Host on its unix-socket admin.
      // Node fills in `localhost` for an empty Host unless told not to (setHost: false).
      { socketPath: adminListen.slice('unix/'.length), headers: { host: '' }, setHost: false }
    : { host: '127.0.0.1', port: Number(adminListen.split(':')[1]) };
  return new Promise((resolve) => {
    const request = http.get({ ...target, path: '/config/', timeout: 1_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || (await exited(child, 0))) return; // never started, or already gone
  // SIGTERM lets Caddy shut down cleanly; it may wait for in-flight requests, so escalate.
  child.kill('SIGTERM');
  if (await exited(child, STOP_GRACE_MS)) return;
  child.kill('SIGKILL');
  await exited(child, STOP_GRACE_MS);
}

/** Synchronous last resort: no Caddy and no temp dir outlive the test process. */
function killAllSync(): void {
  for (const { child, dir } of live) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  live.clear();
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllSync();
      process.removeListener(signal, onSignal);
      // Re-raise only when nobody else handles the signal, so the default (die) still happens.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
