import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Color } from '../../../src/config/model.js';
import type { JsonValue } from '../../../src/domain/caddy-json.js';
import { rewriteCaddyConfig } from '../../../src/domain/rewrite-caddy-config.js';
import { buildStatusReport } from '../../../src/domain/status/build-status-report.js';
import { renderStatus } from '../../../src/domain/status/render-status.js';
import type { ObservedCaddyInstance, ObservedContainer, StatusInput } from '../../../src/domain/status/status-input.js';
import { proxy, server } from '../../fixtures/make-caddy-config.js';
import { makeColoredService } from '../../fixtures/make-service.js';
import { demoState } from './demo-state.js';

// One service `web`, each color on its own host port; Caddy on the host.
const PORT: Record<Color, number> = { blue: 8101, green: 8201 };
const dial = (color: Color): string => `127.0.0.1:${PORT[color]}`;
const A = 'http://127.0.0.1:2019';
const B = 'http://127.0.0.1:2020';
const web = makeColoredService('web', (color) => ({ containerName: `demo-web-${color}`, ports: [{ hostIp: '127.0.0.1', hostPort: PORT[color], containerPort: 3000, protocol: 'tcp' }] }));
const containers: ObservedContainer[] = (['blue', 'green'] as const).map((color) => ({ name: `demo-web-${color}`, service: 'web', color, version: color === 'blue' ? 'v2' : 'v1', state: 'running', health: 'healthy' }));

function caddy(color: Color, previews = true): JsonValue {
  const base = server([{ handle: [proxy([dial(color)])] }]);
  if (!previews) return base;
  return rewriteCaddyConfig(base, [], [{ service: 'web', pointer: ['apps', 'http', 'servers', 'srv0', 'routes', 0, 'handle', 0], dialsByColor: { blue: [dial('blue')], green: [dial('green')] } }]);
}

const state = demoState({ history: [], targets: { web: { caddyAdmin: A, blue: [dial('blue')], green: [dial('green')] } } });

function input(instances?: ObservedCaddyInstance[]): StatusInput {
  const first = instances?.[0]?.config ?? { ok: true, value: caddy('blue') };
  return {
    observedAt: new Date('2025-03-01T12:05:00.000Z'),
    projectDir: '/srv/demo',
    stateFile: 'caddy/cutover-state.json',
    caddyAdmin: A,
    dockerEndpoint: 'unix:///var/run/docker.sock',
    project: { ok: true, value: { projectName: 'demo', colored: [web], shared: [] } },
    state: { ok: true, value: state },
    lock: { kind: 'free' },
    docker: { ok: true, value: { containers, instances: containers.map((c) => ({ service: 'web', color: c.color as Color, published: [{ containerPort: 3000, hostPort: PORT[c.color as Color] }] })), shared: [] } },
    caddy: first.ok ? { ok: true, value: { config: first.value, upstreams: { ok: true, value: [] } } } : { ok: false, failure: first.failure },
    ...(instances === undefined ? {} : { instances }),
  };
}

test('one Caddy: instances[] holds it alone, and the text output has no instance lines', () => {
  const report = buildStatusReport(input());
  assert.equal(report.schemaVersion, 4);
  assert.deepEqual(report.instances, [{ address: A, reachable: true, traffic: { kind: 'color', color: 'blue' }, previewRoutes: true, drift: false }]);
  assert.equal(report.exitCode, 0);
  assert.doesNotMatch(renderStatus(report), /^ {2}caddy /m);
});

test('two instances that agree: one line each, the top-level traffic as for one', () => {
  const report = buildStatusReport(input([{ address: A, config: { ok: true, value: caddy('blue') } }, { address: B, config: { ok: true, value: caddy('blue') } }]));
  assert.deepEqual(report.traffic, { kind: 'color', color: 'blue' });
  assert.deepEqual(report.instances.map((i) => [i.address, i.reachable, i.drift]), [[A, true, false], [B, true, false]]);
  assert.equal(report.exitCode, 0);
  assert.match(renderStatus(report), new RegExp(`caddy    ${B}: every service → blue`));
});

test('one instance on the other color: it drifts alone, exit 13, the top-level traffic is mixed and names each', () => {
  const report = buildStatusReport(input([{ address: A, config: { ok: true, value: caddy('blue') } }, { address: B, config: { ok: true, value: caddy('green') } }]));
  assert.deepEqual(report.instances.map((i) => i.drift), [false, true]);
  assert.equal(report.traffic.kind, 'mixed');
  assert.match(report.traffic.kind === 'mixed' ? report.traffic.detail : '', new RegExp(`Caddy at ${B} on green`));
  assert.equal(report.exitCode, 13);
  assert.match(report.problems.find((p) => p.kind === 'drift')?.message ?? '', new RegExp(`Caddy at ${B} sends traffic on green`));
  assert.match(renderStatus(report), /\[DRIFT\]/);
});

test('one instance restarted from its config (no preview routes): a warning for it; one unreachable: exit 4', () => {
  const restarted = buildStatusReport(input([{ address: A, config: { ok: true, value: caddy('blue') } }, { address: B, config: { ok: true, value: caddy('blue', false) } }]));
  assert.deepEqual([restarted.exitCode, restarted.instances[1]?.previewRoutes], [0, false]);
  assert.ok(restarted.problems.some((p) => p.kind === 'previews-missing' && p.message.includes(B)));
  const failure = { message: `Caddy's admin API at ${B} is unreachable (connection refused) during GET /config/`, hint: null, exitCode: 4, unreachable: true, details: [] };
  const down = buildStatusReport(input([{ address: A, config: { ok: true, value: caddy('blue') } }, { address: B, config: { ok: false, failure } }]));
  assert.deepEqual([down.exitCode, down.instances[1]?.reachable, down.traffic], [4, false, { kind: 'color', color: 'blue' }]);
});

test('in flight: each instance keeps its own counts, so the rows are their sum (an unread instance adds nothing)', () => {
  const rows = (blue: number, green: number) => ({ ok: true as const, value: [{ address: dial('blue'), numRequests: blue, fails: 0 }, { address: dial('green'), numRequests: green, fails: 1 }] });
  const C = 'http://127.0.0.1:2021';
  const report = buildStatusReport(
    input([
      { address: A, config: { ok: true, value: caddy('blue') }, upstreams: rows(2, 0) },
      { address: B, config: { ok: true, value: caddy('blue') }, upstreams: rows(3, 4) },
      { address: C, config: { ok: true, value: caddy('blue') }, upstreams: { ok: false, failure: { message: 'unreachable', hint: null, exitCode: 4, unreachable: true, details: [] } } },
    ]),
  );
  assert.deepEqual(
    report.upstreams.map((u) => [u.address, u.color, u.inFlight, u.fails]),
    [
      [dial('blue'), 'blue', 5, 0],
      [dial('green'), 'green', 4, 2],
    ],
  );
});
