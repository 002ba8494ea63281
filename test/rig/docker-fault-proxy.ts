import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runTempPrefix } from './run-id.js';

/**
 * Test rig: a unix socket in front of the REAL Docker engine's socket, for
 * engine faults without touching dockerd (other tests and people use it; it is
 * never restarted or stopped). Every connection is piped byte for byte to the
 * engine, so cutover sees the real API; give it `DOCKER_HOST=<dockerHost>`.
 *
 * Faults, until `heal()`:
 * - `cut()`: the engine is unreachable: every open connection (event streams
 *   included) is destroyed and every new one is closed at once, as when
 *   dockerd is gone;
 * - `stall()`: the engine hangs: open connections stay but carry nothing more
 *   either way, new ones are accepted and never answered.
 *
 * The socket lives in a temp dir with the run's prefix, so the sweep removes
 * it when a test dies before `close()`.
 */
export interface DockerFaultProxy {
  /** `unix:///tmp/.../docker.sock`: the value for DOCKER_HOST. */
  dockerHost: string;
  cut(): void;
  stall(): void;
  heal(): void;
  /** Connections accepted so far (to show cutover really went through the proxy). */
  connections(): number;
  close(): Promise<void>;
}

export async function startDockerFaultProxy(engineSocket = '/var/run/docker.sock'): Promise<DockerFaultProxy> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${runTempPrefix()}docker-proxy-`));
  const socketPath = path.join(dir, 'docker.sock');
  let mode: 'pass' | 'cut' | 'stall' = 'pass';
  let accepted = 0;
  const open = new Set<{ client: net.Socket; engine: net.Socket }>();

  const server = net.createServer((client) => {
    accepted += 1;
    if (mode === 'cut') {
      client.destroy();
      return;
    }
    if (mode === 'stall') {
      // Accepted, never answered; destroyed when the proxy closes.
      client.pause();
      const pair = { client, engine: new net.Socket() };
      open.add(pair);
      client.on('close', () => open.delete(pair));
      client.on('error', () => undefined);
      return;
    }
    const engine = net.connect(engineSocket);
    const pair = { client, engine };
    open.add(pair);
    const end = (): void => {
      open.delete(pair);
      client.destroy();
      engine.destroy();
    };
    client.on('error', end);
    engine.on('error', end);
    client.on('close', end);
    engine.on('close', end);
    client.pipe(engine);
    engine.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });

  return {
    dockerHost: `unix://${socketPath}`,
    cut() {
      mode = 'cut';
      for (const { client, engine } of open) {
        client.destroy();
        engine.destroy();
      }
      open.clear();
    },
    stall() {
      mode = 'stall';
      for (const { client, engine } of open) {
        client.unpipe(engine);
        engine.unpipe(client);
        client.pause();
        engine.pause();
      }
    },
    heal() {
      mode = 'pass';
    },
    connections: () => accepted,
    async close() {
      for (const { client, engine } of open) {
        client.destroy();
        engine.destroy();
      }
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
