// The canary analysis against a real Caddy: both colors are probed through
// Caddy's preview routes (the Cutover-Color header), a healthy pair passes the
// whole step even across reloads, a green that starts answering 500 is caught
// long before its step ends, and Caddy's passive health `fails` of green's dial is
// read and judged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { CaddyAdmin } from '../../src/adapters/caddy/caddy-admin.js';
import type { CanaryFigures } from '../../src/domain/canary-verdict.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../src/domain/caddy-json.js';
import { findProxyHandlers } from '../../src/domain/find-proxy-handlers.js';
import { rewriteCaddyConfig, stripPreviewRoutes } from '../../src/domain/rewrite-caddy-config.js';
import { silentLogger } from '../../src/log.js';
import { ABORT_REQUESTED_REASON, analyzeCanary, type AnalyzeCanaryOptions } from '../../src/run/analyze-canary.js';
import { flattenFigures } from '../../src/run/flatten-figures.js';
import { probeColors, type ProbeResult } from '../../src/run/probe-colors.js';
import { startCaddy } from '../rig/caddy-runner.js';
import { startHostApp } from '../rig/host-app.js';
import { httpGet } from '../rig/http-get.js';
import { waitUntil } from '../rig/wait-until.js';
import { sleep } from '../../src/sleep.js';

async function post(url: string): Promise<void> {
  const response = await fetch(url, { method: 'POST' });
  await response.text();
  assert.equal(response.status, 200, `POST ${url}`);
}

test('analyzeCanary probes both colors through Caddy and aborts a failing green long before its step ends', async (t) => {
  const bluePort = await startHostApp(t, 'v1');
  const greenPort = await startHostApp(t, 'v2');
  const blueDial = `127.0.0.1:${bluePort}`;
  const greenDial = `127.0.0.1:${greenPort}`;
  // Passive health checks on, so Caddy counts green's 5xx as `fails`; max_fails
  // high enough that Caddy keeps sending to green, as a canary would.
  const caddy = await startCaddy({
    caddyfile:
      `:{{HTTP_PORT}} {\n\treverse_proxy ${blueDial} {\n\t\tfail_duration 30s\n\t\tmax_fails 100000\n\t\tunhealthy_status 5xx\n\t}\n}\n`,
  });
  t.after(() => caddy.stop());
  const admin = new CaddyAdmin(caddy.adminAddress, { logger: silentLogger() });
  t.after(() => admin.close());

  // Preview routes for blue and green, built the way a switch builds them.
  const read = await admin.readConfig();
  const base = stripPreviewRoutes(read.value as JsonValue);
  const handlers = findProxyHandlers(base);
  assert.equal(handlers.length, 1, JSON.stringify(handlers));
  const pointer = handlers[0]!.pointer;
  const withPreviews = rewriteCaddyConfig(base, [], [{ service: 'platform', pointer, dialsByColor: { blue: [blueDial], green: [greenDial] } }]);
  const servers = (withPreviews.apps as { http: { servers: JsonObject } }).http.servers;
  await admin.changeConfig('PATCH', '/config/apps/http/servers', servers, { ifMatch: read.etag });
  assert.equal((await httpGet(caddy.url('/version'), { headers: { 'Cutover-Color': 'green' } })).body, 'v2');
  assert.equal((await httpGet(caddy.url('/version'), { headers: { 'Cutover-Color': 'blue' } })).body, 'v1');

  /** A real reload: the same servers with another read_header_timeout (Caddy skips an identical config). */
  let reloads = 0;
  const reload = async (): Promise<void> => {
    const current = await admin.readConfig();
    const next = structuredClone(servers);
    const srv = Object.values(next)[0];
    assert.ok(isJsonObject(srv));
    reloads += 1;
    srv.read_header_timeout = `${10 + reloads}s`;
    await admin.changeConfig('PATCH', '/config/apps/http/servers', next, { ifMatch: current.etag });
  };

  const options = (overrides: Partial<AnalyzeCanaryOptions>): AnalyzeCanaryOptions => ({
    admin,
    probeUrl: caddy.url('/version'),
    colors: { old: 'blue', new: 'green' },
    newDials: [greenDial],
    durationMs: 10_000,
    signal: new AbortController().signal,
    logger: silentLogger(),
    ...overrides,
  });

  await t.test('healthy colors pass the whole step, across reloads, without a single error', async (t) => {
    const seen: CanaryFigures[] = [];
    const reloading = (async () => {
      for (let i = 0; i < 4; i++) {
        await sleep(500);
        await reload();
      }
    })();
    const result = await analyzeCanary(options({ durationMs: 3_000, onFigures: (figures) => void seen.push(figures) }));
    await reloading;
    t.diagnostic(`figures: ${JSON.stringify(flattenFigures(result))}`);
    assert.equal(result.ok, true, result.reason);
    assert.equal(result.reason, undefined);
    // The whole step and not much more (a busy machine may add a probe's time-out to its end).
    assert.ok(result.elapsedMs >= 3_000 && result.elapsedMs < 8_000, `elapsed ${result.elapsedMs} ms`);
    for (const role of ['old', 'new'] as const) {
      const figures = result.figures[role];
      // One per 100 ms at most; at least the 10 a verdict needs, also when the machine is busy.
      assert.ok(figures.probes >= 10 && figures.probes <= 35, `${role}: ${figures.probes} probes in 3 s at one per 100 ms`);
      assert.equal(figures.errors, 0, `${role}: errors (resets: ${figures.resets})`);
      assert.ok(figures.p99Ms > 0 && figures.p99Ms < 2_000, `${role}: p99 ${figures.p99Ms} ms`);
    }
    assert.equal(result.figures.caddyFails, 0);
    assert.ok(seen.length >= 3, `onFigures called ${seen.length} times`);
    const flat = flattenFigures(result);
    assert.equal(flat['new.errors'], 0);
    assert.equal(flat.caddyFails, 0);
    assert.ok(Object.values(flat).every((value) => typeof value === 'number' && Number.isFinite(value)), JSON.stringify(flat));
  });

  await t.test('green answering 500 is aborted at its first verdict, long before the 10 s step ends, naming its error rate', async (t) => {
    await post(`http://127.0.0.1:${greenPort}/control/errors?fail=1`);
    // Judge by the probes here: Caddy's fails (checked next) would otherwise win the race. Caddy's
    // counters are read rarely, so the early abort can only come from judging after every probe.
    const result = await analyzeCanary(options({ thresholds: { maxCaddyFails: 1_000_000 }, upstreamsPollMs: 5_000 }));
    t.diagnostic(`${result.reason ?? ''} after ${Math.round(result.elapsedMs)} ms; ${JSON.stringify(flattenFigures(result))}`);
    assert.equal(result.ok, false);
    // About a second on a quiet machine (10 probes at one per 100 ms); judged only at the step's end it would be 10 s.
    assert.ok(result.elapsedMs < 5_000, `aborted after ${result.elapsedMs} ms`);
    const match = /^green error rate 100\.0% \((\d+) of (\d+) probes\) is above --max-error-rate 1\.0% \(blue: 0\.0%\)$/.exec(result.reason ?? '');
    assert.ok(match !== null, result.reason);
    assert.equal(match[1], match[2]);
    assert.ok(result.figures.new.probes >= 10 && result.figures.new.probes <= 20, `${result.figures.new.probes} probes of green: a verdict at the 10th`);
    assert.equal(result.figures.old.errors, 0);
    // Blue is judged over the same interval: about as many probes.
    assert.ok(Math.abs(result.figures.old.probes - result.figures.new.probes) <= 3, JSON.stringify(result.figures));
  });

  await t.test("Caddy's passive health fails of green's dial fail the step before the probes are enough", async (t) => {
    // No reload since green's 500s: Caddy still counts them (fail_duration 30s).
    const rows = await admin.readUpstreams();
    const greenFails = rows.find((row) => row.address === greenDial)?.fails ?? 0;
    assert.ok(greenFails >= 10, JSON.stringify(rows));
    const result = await analyzeCanary(options({}));
    t.diagnostic(`${result.reason ?? ''} after ${Math.round(result.elapsedMs)} ms`);
    assert.equal(result.ok, false);
    assert.match(result.reason ?? '', /^Caddy counted \d+ failures of green's upstreams in this step \(passive health checks\), more than the 0 allowed$/);
    assert.ok((result.figures.caddyFails ?? 0) >= greenFails, JSON.stringify(result.figures));
    assert.ok(result.elapsedMs < 5_000, `after ${result.elapsedMs} ms (the step is 10 s)`);
  });

  await t.test('cutover abort from another process ends the analysis; Ctrl-C rejects it', async () => {
    await post(`http://127.0.0.1:${greenPort}/control/errors?fail=0`);
    const begun = performance.now();
    const requested = await analyzeCanary(
      options({ thresholds: { maxCaddyFails: 1_000_000 }, abortRequested: async () => performance.now() - begun > 300, abortPollMs: 50 }),
    );
    assert.deepEqual([requested.ok, requested.reason], [false, ABORT_REQUESTED_REASON]);
    assert.ok(requested.elapsedMs < 5_000, `after ${requested.elapsedMs} ms (the step is 10 s)`);

    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(new Error('interrupted')), 300);
    const started = performance.now();
    await assert.rejects(analyzeCanary(options({ thresholds: { maxCaddyFails: 1_000_000 }, signal: interrupt.signal })), /interrupted/);
    assert.ok(performance.now() - started < 5_000, 'Ctrl-C ends the 10 s step at once');
  });
});

/**
 * A bare HTTP/1.1 server on 127.0.0.1 that closes a connection, without an
 * answer, at its `dieAt`-th request: the race a Caddy reload creates for a
 * request sent on an idle keep-alive connection just as Caddy closes it.
 */
async function closingServer(t: import('node:test').TestContext, dieAt: number): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let requests = 0;
    let buffered = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      while (buffered.includes('\r\n\r\n')) {
        buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4);
        requests += 1;
        if (requests >= dieAt) {
          socket.destroy();
          return;
        }
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as net.AddressInfo).port;
}

/** Probes `url` every 50 ms until `count` probes have finished (however busy the machine), then stops. */
async function probeUntil(url: string, count: number): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  const run = probeColors({ url, colors: ['green'], intervalMs: 50, timeoutMs: 2_000, signal: new AbortController().signal, onResult: (r) => void results.push(r) });
  try {
    await waitUntil(`${count} probes`, 60_000, () => (results.length >= count ? true : undefined));
  } finally {
    await run.finish();
  }
  return results;
}

test('a probe whose keep-alive connection closes before any answer is retried once on a fresh connection', async (t) => {
  // Each connection answers once, then closes at its second request: every reuse meets a closed connection.
  const flaky = await closingServer(t, 2);
  const results = await probeUntil(`http://127.0.0.1:${flaky}/health`, 12);
  t.diagnostic(`${results.length} probes, ${results.filter((r) => r.reset).length} resets`);
  assert.deepEqual(results.filter((r) => r.error), [], 'a reset answered on the retry is not an error');
  assert.ok(results.filter((r) => r.reset).length >= results.length / 3, 'reused connections met a close and were retried');
  assert.ok(results.every((r) => r.status === 200));

  // A connection that closes on every request: the retry fails too, and that is an error.
  const dead = await closingServer(t, 1);
  const failed = await probeUntil(`http://127.0.0.1:${dead}/health`, 4);
  for (const result of failed) {
    assert.equal(result.error, true);
    assert.equal(result.reset, true);
    assert.match(result.failure ?? '', /^connection closed/);
  }
});
