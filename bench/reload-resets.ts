/**
 * `npm run bench -- resets [switches]`: how many NEW connections Caddy resets
 * at a config reload (issue: about 1 in 1,400 requests under load at a switch
 * on 2.6.2), and whether anything in the shape or timing of cutover's switch
 * changes it. No Docker: two copies of the test app on the host (v1, v2) and
 * a real Caddy (the one on PATH, 2.6.2 here) proxying to one of them; the
 * switch is what cutover sends, one PATCH of `apps.http.servers` with
 * If-Match, flipping the upstream between the two apps.
 *
 * Each variant runs the same load (fresh-connection clients, a new TCP
 * connection per request, as `curl` in a loop or a client without a pool;
 * plus keep-alive clients) through `switches` switches spaced `gapMs` apart,
 * and counts:
 * - fresh resets: a new connection reset (ECONNRESET / socket hang up)
 *   before any response byte; a client sees a failed request unless it retries;
 * - keep-alive resets: a reused idle connection reset before any response
 *   byte; HTTP clients retry those (Node's agent, browsers), so they are
 *   retried once here and counted.
 * Prints one table; docs/crash-safety.md keeps the figures and what they mean.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { startCaddy, type RunningCaddy } from '../test/rig/caddy-runner.js';
import { freePort } from '../test/rig/free-port.js';
import { TEST_APP } from '../test/rig/host-app.js';
import { httpGet } from '../test/rig/http-get.js';
import { waitUntil } from '../test/rig/wait-until.js';
import { say } from './progress.js';

interface Variant {
  name: string;
  /** Caddyfile global options. */
  global: string[];
  /** Milliseconds between two switches. */
  gapMs: number;
}

interface Counts {
  variant: string;
  switches: number;
  requests: number;
  fresh: number;
  freshResets: number;
  keepAliveResets: number;
  otherFailures: number;
  ms: number;
}

async function startApp(version: string): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [TEST_APP], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', APP_VERSION: version }, stdio: 'ignore' });
  await waitUntil(`the ${version} app to answer`, 10_000, async () => ((await httpGet(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status === 200 ? true : undefined));
  return { port, child };
}

function request(url: string, agent: http.Agent | false): Promise<{ ok: boolean; reset: boolean; reused: boolean }> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ok: (res.statusCode ?? 0) < 300, reset: false, reused: req.reusedSocket }));
      res.on('error', () => resolve({ ok: false, reset: false, reused: req.reusedSocket }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const reset = error.code === 'ECONNRESET' || error.code === 'EPIPE' || error.message === 'socket hang up';
      resolve({ ok: false, reset, reused: req.reusedSocket });
    });
  });
}

/** One PATCH of apps.http.servers with If-Match, the dial replaced: cutover's switch, in its shape. */
async function switchTo(caddy: RunningCaddy, from: number, to: number): Promise<void> {
  const read = await fetch(`${caddy.adminAddress}/config/apps/http/servers`);
  const etag = read.headers.get('etag') ?? '';
  const body = (await read.text()).replaceAll(`127.0.0.1:${from}`, `127.0.0.1:${to}`);
  const answer = await fetch(`${caddy.adminAddress}/config/apps/http/servers`, { method: 'PATCH', headers: { 'content-type': 'application/json', 'if-match': etag, connection: 'close' }, body });
  if (!answer.ok) throw new Error(`the switch answered ${answer.status}: ${await answer.text()}`);
}

async function runVariant(variant: Variant, switches: number, apps: [number, number]): Promise<Counts> {
  const caddyfile = [...(variant.global.length > 0 ? ['{', ...variant.global.map((g) => `\t${g}`), '}', ''] : []), ':{{HTTP_PORT}} {', `\treverse_proxy 127.0.0.1:${apps[0]}`, '}', ''].join('\n');
  const caddy = await startCaddy({ caddyfile });
  const counts: Counts = { variant: variant.name, switches, requests: 0, fresh: 0, freshResets: 0, keepAliveResets: 0, otherFailures: 0, ms: 0 };
  let running = true;
  const url = caddy.url('/version');
  const agents = [0, 1, 2, 3].map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const freshLoop = async (): Promise<void> => {
    while (running) {
      const r = await request(url, false);
      counts.requests += 1;
      counts.fresh += 1;
      if (r.reset) counts.freshResets += 1;
      else if (!r.ok) counts.otherFailures += 1;
    }
  };
  const keepAliveLoop = async (agent: http.Agent): Promise<void> => {
    while (running) {
      let r = await request(url, agent);
      counts.requests += 1;
      if (r.reset && r.reused) {
        counts.keepAliveResets += 1;
        r = await request(url, false);
      }
      if (!r.ok) counts.otherFailures += 1;
    }
  };
  const began = Date.now();
  const loops = [freshLoop(), freshLoop(), freshLoop(), freshLoop(), ...agents.map(keepAliveLoop)];
  try {
    for (let n = 0; n < switches; n += 1) {
      await new Promise((resolve) => setTimeout(resolve, variant.gapMs));
      await switchTo(caddy, apps[n % 2] as number, apps[(n + 1) % 2] as number);
    }
    await new Promise((resolve) => setTimeout(resolve, variant.gapMs));
  } finally {
    running = false;
    await Promise.all(loops);
    for (const agent of agents) agent.destroy();
    counts.ms = Date.now() - began;
    await caddy.stop();
  }
  return counts;
}

const switches = Number(process.argv[2] ?? 100);
if (!Number.isInteger(switches) || switches < 1) {
  say(`resets: "${process.argv[2]}" is not a number of switches; run npm run bench -- resets 100`);
  process.exit(2);
}
const variants: Variant[] = [
  { name: 'default (as cutover switches today)', global: [], gapMs: 250 },
  { name: 'grace_period 10s', global: ['grace_period 10s'], gapMs: 250 },
  { name: 'switches 1 s apart', global: [], gapMs: 1000 },
];
const apps = [await startApp('v1'), await startApp('v2')];
try {
  const rows: Counts[] = [];
  for (const variant of variants) {
    say(`resets: ${variant.name}, ${switches} switches...`);
    rows.push(await runVariant(variant, switches, [apps[0]?.port ?? 0, apps[1]?.port ?? 0]));
  }
  const per = (n: number, d: number): string => (d === 0 ? 'n/a' : (n / d).toFixed(3));
  const lines = [
    '| variant | switches | requests (fresh) | fresh resets | per switch | 1 in (fresh requests) | keep-alive resets (retried) | other failures |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.variant} | ${r.switches} | ${r.requests} (${r.fresh}) | ${r.freshResets} | ${per(r.freshResets, r.switches)} | ${r.freshResets === 0 ? 'none' : Math.round(r.fresh / r.freshResets)} | ${r.keepAliveResets} | ${r.otherFailures} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  for (const app of apps) app?.child.kill('SIGKILL');
}
