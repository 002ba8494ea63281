import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { aggregateTraffic, type DialOwner } from '../../src/domain/aggregate-traffic.js';
import type { JsonObject } from '../../src/domain/caddy-json.js';
import { readRoundtrips, type RoundtripBatch } from '../../src/domain/read-roundtrips.js';
import { hasTrafficLog, withoutTrafficLog, withTrafficLog } from '../../src/domain/traffic-log-config.js';
import { startCaddy } from '../rig/caddy-runner.js';
import { freePort } from '../rig/free-port.js';
import { httpGet } from '../rig/http-get.js';
import { waitUntil } from '../rig/wait-until.js';

/** An upstream on 127.0.0.1: 500 for /fail..., 200 otherwise. Closed when the test ends. */
async function upstream(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const server = http.createServer((request, response) => {
    response.statusCode = (request.url ?? '/').startsWith('/fail') ? 500 : 200;
    response.end('x');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function roundtripsIn(file: string): Promise<RoundtripBatch> {
  return readRoundtrips(await readFile(file, 'utf8'));
}

/**
 * POST /load on a connection of its own: a load restarts Caddy's admin server,
 * which closes kept-alive connections (a pooled fetch after it fails).
 */
function load(adminAddress: string, config: JsonObject): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${adminAddress}/load`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`POST /load: ${response.statusCode} ${body}`))));
    });
    request.on('error', reject);
    request.end(JSON.stringify(config));
  });
}

async function readConfig(adminAddress: string): Promise<JsonObject> {
  const answer = await httpGet(`${adminAddress}/config/`);
  assert.equal(answer.status, 200, answer.body);
  return JSON.parse(answer.body) as JsonObject;
}

test("real traffic per color, read from Caddy 2.6.2's reverse_proxy log that withTrafficLog adds and withoutTrafficLog removes", async (t) => {
  const blue = await upstream(t);
  const green = await upstream(t);
  const deadGreen = `127.0.0.1:${await freePort()}`; // a green replica that is gone: every dial refused
  // The user's default log is at DEBUG: without cutover's exclude it would get every round trip too.
  const userConfig: JsonObject = {
    logging: { logs: { default: { level: 'DEBUG' } } },
    apps: {
      http: {
        servers: {
          s: {
            listen: ['127.0.0.1:{{HTTP_PORT}}'],
            routes: [
              { match: [{ path: ['/dead*'] }], handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: deadGreen }] }] },
              { match: [{ header: { 'X-Color': ['green'] } }], handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: green }] }] },
              { handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: blue }] }] },
            ],
          },
        },
      },
    },
  };
  const caddy = await startCaddy({ config: userConfig });
  t.after(() => caddy.stop());
  const running = await readConfig(caddy.adminAddress);
  const logFile = path.join(caddy.dir, 'cutover-traffic.log');

  await load(caddy.adminAddress, withTrafficLog(running, { filename: logFile }));
  assert.equal(hasTrafficLog(await readConfig(caddy.adminAddress)), true);

  const sent = { blue: 0, green: 0, greenErrors: 0 };
  for (let i = 0; i < 40; i++) {
    assert.equal((await httpGet(caddy.url(`/users/${i}?page=${i}`))).status, 200);
    sent.blue++;
  }
  for (let i = 0; i < 20; i++) {
    const failing = i % 4 === 0;
    const answer = await httpGet(caddy.url(failing ? `/fail/${i}` : `/users/${i}`), { headers: { 'X-Color': 'green' } });
    assert.equal(answer.status, failing ? 500 : 200);
    sent.green++;
    if (failing) sent.greenErrors++;
  }
  for (let i = 0; i < 3; i++) {
    assert.equal((await httpGet(caddy.url('/dead/x'))).status, 502);
    sent.green++;
    sent.greenErrors++;
  }
  const total = sent.blue + sent.green;
  const { roundtrips, unparseable, rest } = await waitUntil(`${total} round trips in ${logFile}`, 5_000, async () => {
    const read = existsSync(logFile) ? await roundtripsIn(logFile) : undefined;
    return read !== undefined && read.roundtrips.length >= total ? read : undefined;
  });
  assert.equal(roundtrips.length, total);
  assert.equal(unparseable, 0);
  assert.equal(rest, '', 'Caddy writes whole lines');

  const owners = new Map<string, DialOwner>([
    [blue, { service: 'web', color: 'blue' }],
    [green, { service: 'web', color: 'green' }],
    [deadGreen, { service: 'web', color: 'green' }],
  ]);
  const traffic = aggregateTraffic(roundtrips, owners, { fromMs: 0, toMs: Date.now() + 60_000 });
  assert.equal(traffic.unknownDials, 0);
  assert.deepEqual([traffic.colors.blue.total.requests, traffic.colors.blue.total.errors], [sent.blue, 0]);
  assert.deepEqual(
    [traffic.colors.green.total.requests, traffic.colors.green.total.errors, traffic.colors.green.total.failedRoundtrips],
    [sent.green, sent.greenErrors, 3],
  );
  const routes = (color: 'blue' | 'green') =>
    Object.fromEntries(Object.entries(traffic.colors[color].services.web?.routes ?? {}).map(([route, f]) => [route, [f.requests, f.errors]]));
  assert.deepEqual(routes('blue'), { 'GET /users/:id': [40, 0] });
  assert.deepEqual(routes('green'), { 'GET /users/:id': [15, 0], 'GET /fail/:id': [5, 5], 'GET /dead/x': [3, 3] });
  assert.ok((traffic.colors.blue.total.p99Ms ?? 0) > 0);

  // Caddy's own output (the DEBUG default log) got none of them: the exclude works.
  assert.doesNotMatch(caddy.logs(), /upstream roundtrip/);

  // Removed by the next change: the config is the user's again, and round trips are no longer written.
  const withLog = await readConfig(caddy.adminAddress);
  await load(caddy.adminAddress, withoutTrafficLog(withLog));
  const after = await readConfig(caddy.adminAddress);
  assert.deepEqual(after.logging, running.logging);
  assert.equal((await httpGet(caddy.url('/after'))).status, 200);
  // Caddy answered, so a round trip logged anywhere would already be written: the default log (DEBUG) has it now.
  await waitUntil('the round trip of /after in the default log', 5_000, () => (caddy.logs().includes('"uri":"/after"') ? true : undefined));
  assert.equal((await roundtripsIn(logFile)).roundtrips.length, total);
});

test('a traffic log file Caddy 2.6.2 cannot open yet, or at all, fails neither the load nor a request', async (t) => {
  const app = await upstream(t);
  const caddy = await startCaddy({ config: { apps: { http: { servers: { s: { listen: ['127.0.0.1:{{HTTP_PORT}}'], routes: [{ handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: app }] }] }] } } } } } });
  t.after(() => caddy.stop());
  const running = await readConfig(caddy.adminAddress);

  // A directory that is not there: the file (rolled, the default) opens at the first line, and its directory is made then.
  const missing = path.join(caddy.dir, 'not', 'yet', 'cutover-traffic.log');
  await load(caddy.adminAddress, withTrafficLog(running, { filename: missing }));
  assert.equal(existsSync(path.dirname(missing)), false, 'Caddy opened the file at load time: a later load could fail on it');
  assert.equal((await httpGet(caddy.url('/one'))).status, 200);
  const lines = await waitUntil('the first round trip in the new directory', 5_000, async () =>
    existsSync(missing) ? ((await roundtripsIn(missing)).roundtrips.length === 1 ? true : undefined) : undefined,
  );
  assert.equal(lines, true);

  // A path no one can write (under /proc): every line is lost with a "write error" on stderr, nothing else happens.
  await load(caddy.adminAddress, withTrafficLog(running, { filename: '/proc/cutover-traffic.log' }));
  assert.equal((await httpGet(caddy.url('/two'))).status, 200);
  await waitUntil('the write error on stderr', 5_000, () => (/write error: can't open new logfile/.test(caddy.logs()) ? true : undefined));
});
