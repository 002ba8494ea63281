import net from 'node:net';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { CaddyAdmin } from '../../src/adapters/caddy/caddy-admin.js';
import { CaddyConflictError, CaddyRejectedError, CaddyUnavailableError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { startCaddy, type RunningCaddy } from '../rig/caddy-runner.js';
import { freePort } from '../rig/free-port.js';
import { startHostApp as startApp } from '../rig/host-app.js';
import { httpGet as get } from '../rig/http-get.js';
import { waitUntil as until } from '../rig/wait-until.js';

const BODY_PATH = '/config/apps/http/servers/s/routes/0/handle/0/body';
const ETAG_SHAPE = /^"\/config\/ ([0-9a-f]{8}|[0-9a-f]{16})"$/;

function greetingConfig(body: string): object {
  return {
    apps: { http: { servers: { s: { listen: ['127.0.0.1:{{HTTP_PORT}}'], routes: [{ handle: [{ handler: 'static_response', body }] }] } } } },
  };
}

async function caddyFor(t: TestContext, config: object, admin: 'tcp' | 'unix' = 'tcp'): Promise<{ caddy: RunningCaddy; client: CaddyAdmin }> {
  const caddy = await startCaddy({ config }, { admin });
  t.after(() => caddy.stop());
  const client = newClient(t, caddy.adminAddress);
  return { caddy, client };
}

function newClient(t: TestContext, address: string, readRetries?: number): CaddyAdmin {
  const client = new CaddyAdmin(address, { logger: silentLogger(), timeoutMs: 3_000, ...(readRetries === undefined ? {} : { readRetries }) });
  t.after(() => client.close());
  return client;
}

test('an ETag of the documented shape allows exactly one change', async (t) => {
  const { caddy, client } = await caddyFor(t, greetingConfig('v1'));

  const first = await client.readConfig();
  assert.match(first.etag, ETAG_SHAPE);
  // 2.5.2–2.7: trailer with 8 hex (FNV-1a); 2.8+: header with 16 hex (xxhash64).
  assert.equal(first.etagHashLength, first.etagSource === 'trailer' ? 8 : 16);
  assert.equal((await client.readConfig(BODY_PATH)).value, 'v1');

  await client.changeConfig('PATCH', BODY_PATH, 'v2', { ifMatch: first.etag });
  assert.equal((await get(caddy.url('/'))).body, 'v2');

  const second = await client.readConfig();
  assert.notEqual(second.etag, first.etag);
  await assert.rejects(client.changeConfig('PATCH', BODY_PATH, 'v3', { ifMatch: first.etag }), CaddyConflictError);
  assert.equal((await get(caddy.url('/'))).body, 'v2');
  assert.equal((await client.readConfig()).etag, second.etag);
});

test("someone else's change between our read and write is a conflict, and theirs stays", async (t) => {
  const { caddy, client: ours } = await caddyFor(t, greetingConfig('v1'));
  const theirs = newClient(t, caddy.adminAddress);

  const ourRead = await ours.readConfig();
  const theirRead = await theirs.readConfig();
  await theirs.changeConfig('PATCH', BODY_PATH, 'theirs', { ifMatch: theirRead.etag });

  const error = await ours.changeConfig('PATCH', BODY_PATH, 'ours', { ifMatch: ourRead.etag }).then(
    () => assert.fail('the stale change was accepted'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof CaddyConflictError, String(error));
  assert.equal(error.exitCode, 6);
  assert.match(error.hint ?? '', /re-read/i);
  assert.equal((await get(caddy.url('/'))).body, 'theirs');
  assert.equal((await ours.readConfig(BODY_PATH)).value, 'theirs');
});

test('readUpstreams shows a slow request in flight, then drained', async (t) => {
  const appPort = await startApp(t);
  const dial = `127.0.0.1:${appPort}`;
  const { caddy, client } = await caddyFor(t, {
    apps: {
      http: {
        servers: {
          s: { listen: ['127.0.0.1:{{HTTP_PORT}}'], routes: [{ handle: [{ handler: 'reverse_proxy', upstreams: [{ dial }] }] }] },
        },
      },
    },
  });
  const inFlight = async (): Promise<number | undefined> => (await client.readUpstreams()).find((row) => row.address === dial)?.numRequests;

  assert.equal(await inFlight(), 0);
  const started = Date.now();
  const slow = get(caddy.url('/slow?ms=1500'));
  await until('num_requests 1', 1_200, async () => ((await inFlight()) === 1 ? true : undefined));
  assert.ok(Date.now() - started < 1_500, 'the in-flight count was seen only after the request could have ended');

  const response = await slow;
  assert.equal(response.status, 200);
  await until('num_requests back to 0', 2_000, async () => ((await inFlight()) === 0 ? true : undefined));
});

test('an unreachable admin is CaddyUnavailableError; reads are retried, changes are not', async (t) => {
  const nobody = `127.0.0.1:${await freePort()}`;
  const refused = newClient(t, nobody, 1);
  const error = await refused.readConfig().catch((caught: unknown) => caught);
  assert.ok(error instanceof CaddyUnavailableError, String(error));
  assert.equal(error.exitCode, 4);
  assert.match(error.message, new RegExp(`http://${nobody}.*connection refused`));
  assert.match(error.hint ?? '', /--caddy-admin.*CADDY_ADMIN/);

  const missingSocket = newClient(t, 'unix//tmp/cutover-no-such-dir/admin.sock', 0);
  await assert.rejects(missingSocket.readConfig(), (caught: unknown) => caught instanceof CaddyUnavailableError && /no socket at/.test(caught.message));

  // An endpoint that accepts and drops every connection: count how often each call knocks.
  let connections = 0;
  const dropper = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => dropper.close(() => resolve())));
  const port = (dropper.address() as net.AddressInfo).port;
  const dropped = newClient(t, `127.0.0.1:${port}`, 2);

  await assert.rejects(dropped.readConfig(), CaddyUnavailableError);
  assert.equal(connections, 3, 'a read is tried 1 + 2 times');
  connections = 0;
  const changeError = await dropped.changeConfig('PATCH', BODY_PATH, 'x', { ifMatch: '"/config/ 00000000"' }).catch((caught: unknown) => caught);
  assert.ok(changeError instanceof CaddyUnavailableError, String(changeError));
  assert.equal(connections, 1, 'a change is sent once');
  assert.match(changeError.hint ?? '', /may or may not have been applied/);
});

test("a rejected change is CaddyRejectedError with Caddy's own message", async (t) => {
  const { client } = await caddyFor(t, greetingConfig('v1'));
  const { etag } = await client.readConfig();

  const missing = await client.changeConfig('PATCH', '/config/apps/http/servers/nope', {}, { ifMatch: etag }).catch((caught: unknown) => caught);
  assert.ok(missing instanceof CaddyRejectedError, String(missing));
  assert.equal(missing.exitCode, 5);
  assert.equal(missing.status, 500);
  assert.match(missing.caddyMessage, /key does not exist/);
  assert.match(missing.message, /PATCH \/config\/apps\/http\/servers\/nope/);

  await assert.rejects(
    client.changeConfig('PATCH', BODY_PATH, 'x', { ifMatch: 'not-quoted' }),
    (caught: unknown) => caught instanceof CaddyRejectedError && caught.status === 400 && /If-Match/.test(caught.caddyMessage),
  );
  // Nothing was applied.
  assert.equal((await client.readConfig()).etag, etag);
});

test('the unix-socket admin works for read, change and upstreams', async (t) => {
  const { caddy, client } = await caddyFor(t, greetingConfig('v1'), 'unix');
  assert.match(caddy.adminAddress, /^unix\/\/.*admin\.sock$/);

  const read = await client.readConfig();
  assert.match(read.etag, ETAG_SHAPE);
  await client.changeConfig('PATCH', BODY_PATH, 'via-socket', { ifMatch: read.etag });
  assert.equal((await get(caddy.url('/'))).body, 'via-socket');
  assert.deepEqual(await client.readUpstreams(), []);
});

test('adapt converts a Caddyfile without loading it', async (t) => {
  const { client } = await caddyFor(t, greetingConfig('v1'));
  const before = await client.readConfig();

  const adapted = await client.adapt('http://127.0.0.1:9 {\n\treverse_proxy 127.0.0.1:7\n}\n');
  assert.match(JSON.stringify(adapted.config), /"handler":"reverse_proxy".*"dial":"127\.0\.0\.1:7"/);
  assert.ok(Array.isArray(adapted.warnings));

  await assert.rejects(
    client.adapt('http://127.0.0.1:9 {\n\tno_such_directive\n}\n'),
    (caught: unknown) => caught instanceof CaddyRejectedError && caught.status === 400 && /no_such_directive/.test(caught.caddyMessage),
  );
  assert.equal((await client.readConfig()).etag, before.etag);
});
