import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { freePort } from './free-port.js';
import { httpGet } from './http-get.js';
import { waitUntil } from './wait-until.js';

export const TEST_APP = fileURLToPath(new URL('../fixtures/app/server.mjs', import.meta.url));

/** The test app as a host process on 127.0.0.1 and a free port; killed when the test ends. Returns its port. */
export async function startHostApp(t: TestContext, version = 'v1', env: Record<string, string> = {}): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, [TEST_APP], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', APP_VERSION: version, ...env },
    stdio: 'ignore',
  });
  t.after(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  });
  await waitUntil('the test app to answer /health', 30_000, async () =>
    (await httpGet(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status === 200 ? true : undefined,
  );
  return port;
}
