/**
 * `npm run bench -- instances [switches]`: how long one switch takes when it
 * goes to several Caddy instances (docs/multi-instance.md): 1, 2 and 4 real
 * Caddy processes on loopback, with 4 and with 50 colored services. Each
 * switch is what every cutover step does: read every instance's config, plan
 * over each (cutover's own planSwitch), one If-Match PATCH per instance, read
 * each back. No Docker: the upstreams are Compose names (`svc7-blue:3000`),
 * which Caddy resolves only when a request comes, so no container is needed
 * to load them; the switch itself does not depend on the containers.
 * Prints a table and writes it into docs/benchmarks.md between its markers.
 */
import os from 'node:os';
import { CaddyAdmin } from '../src/adapters/caddy/caddy-admin.js';
import type { Color } from '../src/config/model.js';
import { serversOf, type JsonValue } from '../src/domain/caddy-json.js';
import { planSwitch } from '../src/domain/plan-switch.js';
import { readTraffic } from '../src/domain/read-traffic.js';
import { createLogger } from '../src/log.js';
import { switchTraffic } from '../src/run/switch-traffic.js';
import { startCaddy, type RunningCaddy } from '../test/rig/caddy-runner.js';
import { seedStyleService } from '../test/fixtures/make-service.js';
import { say } from './progress.js';
import { writeReport } from './write-report.js';

const MARKERS = { start: '<!-- bench:instances:start (written by `npm run bench -- instances`; edit outside these markers) -->', end: '<!-- bench:instances:end -->' };
const INSTANCES = [1, 2, 4];
const SERVICES = [4, 50];
const switches = Number(process.argv[2] ?? '20');

function config(services: number): object {
  const routes = Array.from({ length: services }, (_, i) => ({ match: [{ path: [`/svc${i}/*`] }], handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: `svc${i}-blue:3000` }] }] }));
  return { apps: { http: { servers: { srv0: { listen: ['127.0.0.1:{{HTTP_PORT}}'], routes } } } } };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

async function measure(admins: readonly CaddyAdmin[], services: number): Promise<number[]> {
  const colored = Array.from({ length: services }, (_, i) => seedStyleService(`svc${i}`));
  const logger = createLogger('json', 'warn');
  const times: number[] = [];
  for (let n = 0; n < switches; n += 1) {
    const color: Color = n % 2 === 0 ? 'green' : 'blue';
    const started = performance.now();
    const outcome = await switchTraffic(
      admins,
      (current: JsonValue) => {
        const read = readTraffic(current, colored, []);
        if (!read.ok) return read;
        const planned = planSwitch(read.view, color, [], serversOf(current), {});
        return planned.ok ? { ok: true, servers: planned.plan.servers, unchanged: planned.plan.unchanged, plan: planned.plan } : planned;
      },
      { logger, what: `sends every service to ${color}` },
    );
    times.push(performance.now() - started);
    if (!outcome.changed || outcome.instances.some((i) => !i.changed)) throw new Error(`switch ${n + 1} changed not every instance`);
  }
  return times;
}

const loadAtStart = os.loadavg()[0] ?? 0;
const rows: string[] = [];
for (const services of SERVICES) {
  say(`instances: starting ${Math.max(...INSTANCES)} Caddy processes with ${services} services each`);
  const caddies: RunningCaddy[] = [];
  try {
    for (let i = 0; i < Math.max(...INSTANCES); i += 1) caddies.push(await startCaddy({ config: config(services) }));
    for (const count of INSTANCES) {
      const admins = caddies.slice(0, count).map((c) => new CaddyAdmin(c.adminAddress, { logger: createLogger('json', 'warn') }));
      try {
        const sorted = (await measure(admins, services)).sort((a, b) => a - b);
        const row = `| ${count} | ${services} | ${switches} | ${percentile(sorted, 0.5).toFixed(0)} ms | ${percentile(sorted, 0.9).toFixed(0)} ms | ${(sorted.at(-1) ?? 0).toFixed(0)} ms | ${count} |`;
        say(`  ${row}`);
        rows.push(row);
      } finally {
        await Promise.all(admins.map((a) => a.close()));
      }
    }
  } finally {
    await Promise.all(caddies.map((c) => c.stop()));
  }
}
const cpus = os.cpus();
const machine = `Measured ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC on ${cpus.length} CPU(s), Node ${process.versions.node}, Caddy from PATH; 1-minute load average ${loadAtStart.toFixed(1)} at the start and ${(os.loadavg()[0] ?? 0).toFixed(1)} at the end (above ${cpus.length}: other work competed for the CPUs, so the figures are upper bounds).`;
const table = [
  '| Caddy instances | colored services | switches | median | p90 | max | admin changes per switch |',
  '|---|---|---|---|---|---|---|',
  ...rows,
  '',
].join('\n');
process.stdout.write(`\n${table}`);
await writeReport(machine, table, MARKERS);
say('wrote the table into docs/benchmarks.md');
