import { existsSync } from 'node:fs';
import http from 'node:http';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCaddy } from '../rig/caddy-runner.js';

function getText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return true;
}

test('the runner starts Caddy from a Caddyfile on loopback and stop() leaves nothing behind', async () => {
  const caddy = await startCaddy({ caddyfile: 'http://127.0.0.1:{{HTTP_PORT}} {\n\trespond "from a Caddyfile"\n}\n' });
  try {
    assert.equal(await getText(caddy.url('/')), 'from a Caddyfile');
    const config = JSON.parse(await getText(`${caddy.adminAddress}/config/apps/http/servers`)) as Record<string, { listen: string[] }>;
    // `caddy adapt` gives ":PORT" (all interfaces); the runner pins it to loopback.
    assert.deepEqual(Object.values(config).map((server) => server.listen), [[`127.0.0.1:${caddy.httpPort}`]]);
  } finally {
    await caddy.stop();
  }
  assert.equal(existsSync(caddy.dir), false);
  // Reaped by us, so a dead pid is really gone (not a zombie of ours).
  assert.equal(isRunning(caddy.pid), false);
});

test('a config Caddy refuses fails the start with its logs, and cleans up', async () => {
  const error = await startCaddy({ config: { apps: { http: { servers: { s: { listen: ['127.0.0.1:{{HTTP_PORT}}'], routes: [{ handle: [{ handler: 'no_such_handler' }] }] } } } } } }).then(
    () => assert.fail('Caddy started with an unknown handler'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof Error);
  assert.match(error.message, /exited during start[\s\S]*no_such_handler/);
});
