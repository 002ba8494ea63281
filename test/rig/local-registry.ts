/**
 * A real image registry on 127.0.0.1: Debian's docker-registry (distribution
 * v2), with its own temp config and storage. Docker treats 127.0.0.0/8 as an
 * insecure (plain HTTP) registry by default, so push and pull just work.
 *
 *   const registry = await startLocalRegistry();
 *   try { ... `${registry.host}/name:tag` ... } finally { await registry.stop(); }
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';
import { runTempPrefix } from './run-id.js';
import { sleep } from '../../src/sleep.js';

export interface LocalRegistry {
  /** `127.0.0.1:<port>`: the registry part of an image reference. */
  host: string;
  /** The registry's storage root (blobs under docker/registry/v2/blobs), for tests that break it on purpose. */
  storageDir: string;
  /** The registry's output so far, for failure messages. */
  logs(): string;
  /** Stops the registry, waits for it, removes its storage. Idempotent. */
  stop(): Promise<void>;
}

const BINARY = process.env.DOCKER_REGISTRY_BIN ?? 'docker-registry';

async function answersV2(host: string): Promise<boolean> {
  try {
    const response = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function startOnce(dir: string, timeoutMs: number): Promise<LocalRegistry | 'port-taken'> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = path.join(dir, `config-${port}.yml`);
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${host}`,
      '',
    ].join('\n'),
  );
  const child = spawn(BINARY, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
  // If the test process dies without calling stop(), the registry must not outlive it.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    child.kill('SIGTERM');
    await exited(child);
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await answersV2(host)) return { host, storageDir: path.join(dir, 'data'), logs: () => output, stop };
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      if (/address already in use/i.test(output)) return 'port-taken';
      throw new Error(`docker-registry exited (${child.exitCode ?? child.signalCode}) before answering:\n${output}`);
    }
    const failed = await Promise.race([spawnFailed, sleep(50).then(() => undefined)]);
    if (failed !== undefined) {
      await stop();
      throw new Error(`cannot run ${BINARY}: ${failed.message} (apt-get install docker-registry)`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer http://${host}/v2/ within ${timeoutMs} ms:\n${output}`);
    }
  }
}

export async function startLocalRegistry(options: { timeoutMs?: number } = {}): Promise<LocalRegistry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${runTempPrefix()}registry-`));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  try {
    // freePort() only says the port was free a moment ago; try another if someone took it meanwhile.
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const registry = await startOnce(dir, options.timeoutMs ?? 10_000);
      if (registry === 'port-taken') continue;
      return {
        ...registry,
        stop: async () => {
          await registry.stop();
          process.removeListener('exit', removeDir);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    throw new Error('docker-registry found its port taken three times');
  } catch (err) {
    process.removeListener('exit', removeDir);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
