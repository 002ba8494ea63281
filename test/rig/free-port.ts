import { randomInt } from 'node:crypto';
import { mkdirSync, openSync, closeSync, statSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Ports are drawn below the kernel's ephemeral range (32768 and up here), so
 * the local end of one of the load clients' many outgoing connections never
 * takes a port between our check and the caller's bind.
 */
const LOW = 20_000;
const HIGH = 32_000;

/**
 * Test files run side by side in separate processes, and a port one of them
 * checked and released looks just as free to the next: two files once
 * published the same host port and Docker refused the second ("port is
 * already allocated"). Each port handed out is claimed with a file created
 * exclusively in a directory every test process shares; a claim older than
 * CLAIM_LIFETIME_MS (a run long gone) may be taken again.
 */
const CLAIMS = path.join(os.tmpdir(), 'cutover-test-port-claims');
const CLAIM_LIFETIME_MS = 3 * 60 * 60 * 1000;

function claim(port: number): boolean {
  mkdirSync(CLAIMS, { recursive: true });
  const file = path.join(CLAIMS, String(port));
  try {
    closeSync(openSync(file, 'wx'));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  try {
    if (Date.now() - statSync(file).mtimeMs < CLAIM_LIFETIME_MS) return false;
    unlinkSync(file);
    closeSync(openSync(file, 'wx'));
    return true;
  } catch {
    return false;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago and that no other test
 * process was handed in this run. Another program can still take it before
 * the caller binds it; callers that start servers retry on "address in use".
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const port = randomInt(LOW, HIGH);
    if (claim(port) && (await bindable(port))) return port;
  }
  throw new Error(`no free port found between ${LOW} and ${HIGH} in 500 tries (claims in ${CLAIMS})`);
}

/** `count` ports that were free a moment ago, all different. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
