import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Color } from '../../../src/config/model.js';
import type { JsonValue } from '../../../src/domain/caddy-json.js';
import { rewriteCaddyConfig } from '../../../src/domain/rewrite-caddy-config.js';
import type { ColorInstance } from '../../../src/domain/service-addresses.js';
import { buildStatusReport } from '../../../src/domain/status/build-status-report.js';
import { renderStatus } from '../../../src/domain/status/render-status.js';
import type { ObservedContainer, ObservedFailure, ObservedProject, ObservedUpstream, StatusInput } from '../../../src/domain/status/status-input.js';
import type { StatusReport } from '../../../src/domain/status/status-report-types.js';
import { PROBLEM_RULES, problem } from '../../../src/domain/status/problem-rules.js';
import { ConfigInvalidError, DriftError } from '../../../src/errors.js';
import type { LockStatus } from '../../../src/state/deploy-lock.js';
import type { State } from '../../../src/state/state-schema.js';
import { proxy, server } from '../../fixtures/make-caddy-config.js';
import { makeColoredService } from '../../fixtures/make-service.js';
import { demoState } from './demo-state.js';

// A host-mode project like the integration rig's: web and api, each color on its own fixed host port.
const PORTS: Record<Color, Record<'web' | 'api', number>> = { blue: { web: 8101, api: 8102 }, green: { web: 8201, api: 8202 } };
const SERVICES = ['web', 'api'] as const;
type ServiceName = (typeof SERVICES)[number];
const ADMIN = 'http://127.0.0.1:2019';
const dial = (color: Color, service: ServiceName): string => `127.0.0.1:${PORTS[color][service]}`;

const project: ObservedProject = {
  projectName: 'demo',
  colored: SERVICES.map((name) =>
    makeColoredService(name, (color) => ({
      containerName: `demo-${name}-${color}`,
      ports: [{ hostIp: '127.0.0.1', hostPort: PORTS[color][name], containerPort: 3000, protocol: 'tcp' }],
    })),
  ),
  shared: [{ name: 'db' }],
};

const pointerOf = (service: ServiceName): Array<string | number> => ['apps', 'http', 'servers', 'srv0', 'routes', service === 'api' ? 0 : 1, 'handle', 0];

/** Caddy's config with these upstreams per service, and cutover's preview routes as a deploy leaves them. */
function caddyConfig(upstreams: Record<ServiceName, string[]>, options: { preview?: boolean } = {}): JsonValue {
  const base = server([{ match: [{ path: ['/api/*'] }], handle: [proxy(upstreams.api)] }, { handle: [proxy(upstreams.web)] }]);
  if (options.preview === false) return base;
  return rewriteCaddyConfig(
    base,
    [],
    SERVICES.map((service) => ({ service, pointer: pointerOf(service), dialsByColor: { blue: [dial('blue', service)], green: [dial('green', service)] } })),
  );
}
const allTo = (color: Color): Record<ServiceName, string[]> => ({ web: [dial(color, 'web')], api: [dial(color, 'api')] });

function container(service: ServiceName, color: Color, version: string, overrides: Partial<ObservedContainer> = {}): ObservedContainer {
  return { name: `demo-${service}-${color}`, service, color, version, state: 'running', health: 'healthy', ...overrides };
}
const instancesOf = (containers: readonly ObservedContainer[]): ColorInstance[] =>
  containers.flatMap((c) =>
    c.color === undefined || !(SERVICES as readonly string[]).includes(c.service)
      ? []
      : [{ service: c.service, color: c.color, published: [{ containerPort: 3000, hostPort: PORTS[c.color][c.service as ServiceName] }] }],
  );

/** The state after deploying v1 (green) then v2 (blue). */
const deployedState: State = demoState({
  history: [
    {
      id: 'deploy-1',
      kind: 'deploy',
      version: 'v1',
      color: 'green',
      fromVersion: null,
      fromColor: null,
      startedAt: '2025-03-01T11:00:00.000Z',
      finishedAt: '2025-03-01T11:00:20.000Z',
      outcome: 'succeeded',
    },
    {
      id: 'deploy-2',
      kind: 'deploy',
      version: 'v2',
      color: 'blue',
      fromVersion: 'v1',
      fromColor: 'green',
      startedAt: '2025-03-01T11:59:40.000Z',
      finishedAt: '2025-03-01T12:00:00.000Z',
      outcome: 'succeeded',
    },
  ],
  targets: Object.fromEntries(SERVICES.map((s) => [s, { caddyAdmin: ADMIN, blue: [dial('blue', s)], green: [dial('green', s)] }])),
});

const runningBoth = [container('api', 'blue', 'v2'), container('api', 'green', 'v1'), container('web', 'blue', 'v2'), container('web', 'green', 'v1')];

const counts = (inFlight: Partial<Record<string, number>> = {}): ObservedUpstream[] =>
  SERVICES.flatMap((s) => (['blue', 'green'] as const).map((c) => ({ address: dial(c, s), numRequests: inFlight[dial(c, s)] ?? 0, fails: 0 })));

const unreachable = (message: string, exitCode: number): ObservedFailure => ({ message, hint: 'start it', exitCode, unreachable: true, details: [] });

interface Parts {
  state?: State | null | ObservedFailure;
  containers?: ObservedContainer[];
  docker?: ObservedFailure;
  caddy?: JsonValue | ObservedFailure;
  upstreams?: ObservedUpstream[];
  lock?: LockStatus;
}

const isFailure = (value: unknown): value is ObservedFailure => typeof value === 'object' && value !== null && 'unreachable' in value && 'exitCode' in value;

function input(parts: Parts = {}): StatusInput {
  const containers = parts.containers ?? runningBoth;
  const state = parts.state === undefined ? deployedState : parts.state;
  const caddy = parts.caddy === undefined ? caddyConfig(allTo('blue')) : parts.caddy;
  return {
    observedAt: new Date('2025-03-01T12:05:00.000Z'),
    projectDir: '/srv/demo',
    stateFile: 'caddy/cutover-state.json',
    caddyAdmin: ADMIN,
    dockerEndpoint: 'unix:///var/run/docker.sock',
    project: { ok: true, value: project },
    state: isFailure(state) ? { ok: false, failure: state } : { ok: true, value: state },
    lock: parts.lock ?? { kind: 'free' },
    docker:
      parts.docker !== undefined
        ? { ok: false, failure: parts.docker }
        : { ok: true, value: { containers, instances: instancesOf(containers), shared: [{ service: 'db', containers: [{ name: 'demo-db', state: 'running' }] }] } },
    caddy: isFailure(caddy) ? { ok: false, failure: caddy } : { ok: true, value: { config: caddy, upstreams: { ok: true, value: parts.upstreams ?? counts() } } },
  };
}

const kinds = (report: StatusReport): string[] => report.problems.map((p) => `${p.severity}:${p.kind}`);
const service = (report: StatusReport, name: string) => report.services.find((s) => s.name === name)!;

interface Case {
  name: string;
  input: StatusInput;
  exitCode: number;
  check(report: StatusReport): void;
}

const cases: Case[] = [
  {
    name: 'healthy after v1 then v2: blue v2 serves, green v1 stands by',
    input: input({ upstreams: counts({ [dial('blue', 'web')]: 3 }) }),
    exitCode: 0,
    check(report) {
      assert.deepEqual(report.active, deployedState.active);
      assert.deepEqual(report.traffic, { kind: 'color', color: 'blue' });
      assert.deepEqual(report.standby, { color: 'green', version: 'v1', running: true, healthy: true, detail: [], images: null });
      assert.deepEqual(service(report, 'web').dials, [{ dial: dial('blue', 'web'), color: 'blue', inFlight: 3 }]);
      assert.deepEqual(service(report, 'web').weights, { blue: 100, green: 0, plain: 0 });
      assert.deepEqual(service(report, 'web').handlers.map((h) => [h.pointer, h.port]), [['/apps/http/servers/srv0/routes/1/handle/0', 3000]]);
      assert.deepEqual(
        service(report, 'web').containers.map((c) => [c.name, c.serving, c.ready]),
        [['demo-web-blue', true, true], ['demo-web-green', false, true]],
      );
      // The standby's rows stay listed through the preview routes and are not live.
      assert.deepEqual(
        report.upstreams.filter((u) => u.service === 'web').map((u) => [u.color, u.live, u.inFlight]),
        [['blue', true, 3], ['green', false, 0]],
      );
      assert.deepEqual(report.preview, { header: 'Cutover-Color', colors: ['blue', 'green'] });
      assert.deepEqual(report.shared, [{ name: 'db', present: true, running: true, containers: [{ name: 'demo-db', state: 'running' }] }]);
      assert.deepEqual(report.history.map((h) => h.version), ['v2', 'v1'], 'newest first');
      assert.deepEqual(report.drift, []);
      assert.deepEqual(report.problems, []);
      assert.equal(report.ok, true);
    },
  },
  {
    name: 'drift: the state says blue, Caddy sends everything to green',
    input: input({ caddy: caddyConfig(allTo('green')) }),
    exitCode: 13,
    check(report) {
      assert.deepEqual(report.traffic, { kind: 'color', color: 'green' });
      assert.deepEqual(report.drift.map((d) => [d.kind, d.service]), [['active-color', null]]);
      assert.deepEqual(kinds(report), ['error:drift']);
      assert.match(report.problems[0]!.message, /state file says blue is active, but Caddy sends traffic to green/);
    },
  },
  {
    name: 'drift: the color agrees but a dial is not the recorded target',
    input: input({
      state: { ...deployedState, targets: { ...deployedState.targets, web: { caddyAdmin: ADMIN, blue: ['127.0.0.1:8111'], green: [dial('green', 'web')] } } },
    }),
    exitCode: 13,
    check(report) {
      assert.deepEqual(report.drift.map((d) => [d.kind, d.service]), [['targets', 'web']]);
      assert.match(report.drift[0]!.message, /web: Caddy dials 127\.0\.0\.1:8101, but cutover pointed it at 127\.0\.0\.1:8111/);
    },
  },
  {
    name: 'drift: Caddy splits web over both colors and no canary is recorded',
    input: input({ caddy: caddyConfig({ web: [dial('blue', 'web'), dial('green', 'web')], api: [dial('blue', 'api')] }) }),
    exitCode: 13,
    check(report) {
      assert.equal(report.traffic.kind, 'mixed');
      assert.deepEqual(service(report, 'web').weights, { blue: 50, green: 50, plain: 0 });
      assert.deepEqual(report.drift.map((d) => d.kind), ['mixed']);
    },
  },
  {
    name: 'a paused canary explains split traffic: no drift',
    input: input({
      caddy: caddyConfig({ web: [dial('blue', 'web'), dial('blue', 'web'), dial('blue', 'web'), dial('green', 'web')], api: [dial('blue', 'api'), dial('blue', 'api'), dial('blue', 'api'), dial('green', 'api')] }),
      containers: [...runningBoth.filter((c) => c.color === 'blue'), container('api', 'green', 'v3'), container('web', 'green', 'v3')],
      state: {
        ...deployedState,
        standby: null,
        operation: {
          id: 'canary-3',
          kind: 'canary',
          fromColor: 'blue',
          toColor: 'green',
          fromVersion: 'v2',
          toVersion: 'v3',
          phase: 'paused',
          phaseStartedAt: '2025-03-01T12:04:00.000Z',
          phases: [],
          startedAt: '2025-03-01T12:03:00.000Z',
          pid: 999_999,
          host: 'web1',
          stopOld: false,
          previousStandby: null,
          parked: [],
          canary: { steps: [25, 50], stepIndex: 0, pauseAfter: [], paused: false, originalLoadBalancing: {}, weights: { blue: 75, green: 25 } },
        },
      },
    }),
    exitCode: 0,
    check(report) {
      assert.equal(report.traffic.kind, 'mixed');
      assert.deepEqual(service(report, 'api').weights, { blue: 75, green: 25, plain: 0 });
      assert.equal(report.operation?.status, 'paused');
      assert.deepEqual(report.operation?.canary, { steps: [25, 50], stepIndex: 0, weights: { blue: 75, green: 25 }, paused: false, analysis: null });
      assert.deepEqual(report.drift, []);
      assert.deepEqual(kinds(report), []);
    },
  },
  {
    name: 'the active color has an unhealthy container and a missing one',
    input: input({ containers: [container('web', 'blue', 'v2', { health: 'unhealthy' }), container('web', 'green', 'v1'), container('api', 'green', 'v1')] }),
    exitCode: 13,
    check(report) {
      assert.deepEqual(kinds(report), ['error:active-unhealthy', 'error:active-unhealthy']);
      const messages = report.problems.map((p) => p.message).join('\n');
      assert.match(messages, /web blue: 0 of 1 container\(s\) ready \(demo-web-blue is unhealthy\), but Caddy sends web's traffic to blue/);
      assert.match(messages, /api has no blue container, but Caddy sends api's traffic to blue/);
      assert.equal(service(report, 'web').containers[0]?.ready, false);
    },
  },
  {
    name: 'never deployed: no state file, Caddy on the plain Compose names, no colored containers',
    input: input({ state: null, containers: [], caddy: caddyConfig({ web: ['web:3000'], api: ['api:3000'] }, { preview: false }), upstreams: [] }),
    exitCode: 0,
    check(report) {
      assert.equal(report.active, null);
      assert.equal(report.standby, null);
      assert.deepEqual(report.traffic, { kind: 'plain' });
      assert.deepEqual(service(report, 'web').dials, [{ dial: 'web:3000', color: 'plain', inFlight: null }]);
      assert.deepEqual(service(report, 'web').weights, { blue: 0, green: 0, plain: 100 });
      assert.deepEqual(report.preview.colors, []);
      assert.deepEqual(report.history, []);
      assert.deepEqual(report.problems, []);
    },
  },
  {
    name: 'Caddy unreachable: what the state file and Docker say is still shown',
    input: input({ caddy: unreachable("Caddy's admin API at http://127.0.0.1:2019 is unreachable (connection refused)", 4) }),
    exitCode: 4,
    check(report) {
      assert.equal(report.traffic.kind, 'unknown');
      assert.deepEqual(report.active, deployedState.active);
      assert.deepEqual(report.standby?.healthy, true);
      assert.deepEqual(service(report, 'web').handlers, []);
      assert.equal(service(report, 'web').containers[0]?.serving, null);
      assert.equal(service(report, 'api').containers.length, 2);
      assert.deepEqual(kinds(report), ['error:caddy-unreachable', 'warning:drift-unchecked']);
      assert.equal(report.problems[0]?.hint, 'start it');
    },
  },
  {
    name: 'Caddy unreachable and the recorded active color unhealthy: Caddy decides the exit code, both are reported',
    input: input({ caddy: unreachable('Caddy is unreachable', 4), containers: [container('web', 'blue', 'v2', { state: 'exited', health: 'none' }), container('api', 'blue', 'v2')] }),
    exitCode: 4,
    check(report) {
      assert.deepEqual(kinds(report), ['error:caddy-unreachable', 'error:active-unhealthy', 'warning:standby-not-ready', 'warning:drift-unchecked']);
      assert.match(report.problems[1]!.message, /demo-web-blue is exited\), but the state file says blue is active/);
    },
  },
  {
    name: 'a corrupt state file: Caddy and Docker are still shown, drift is not judged',
    input: input({ state: { message: 'caddy/cutover-state.json is not valid JSON', hint: 'fix or move it aside', exitCode: 11, unreachable: false, details: [] } }),
    exitCode: 11,
    check(report) {
      assert.equal(report.active, null);
      assert.deepEqual(report.traffic, { kind: 'color', color: 'blue' });
      assert.deepEqual(report.drift, []);
      assert.deepEqual(kinds(report), ['error:state-invalid']);
    },
  },
  {
    name: 'Docker unreachable: Caddy routing is still read from the fixed ports',
    input: input({ docker: unreachable('Docker engine at unix:///var/run/docker.sock is unreachable', 7) }),
    exitCode: 7,
    check(report) {
      assert.deepEqual(report.traffic, { kind: 'color', color: 'blue' });
      assert.deepEqual(report.standby, { color: 'green', version: 'v1', running: null, healthy: null, detail: [], images: null });
      assert.deepEqual(service(report, 'web').containers, []);
      assert.deepEqual(kinds(report), ['error:docker-unreachable']);
    },
  },
  {
    name: 'during a deploy that holds the lock, a switched Caddy is not (yet) drift',
    input: input({
      caddy: caddyConfig(allTo('green')),
      containers: [...runningBoth.filter((c) => c.color === 'blue'), container('api', 'green', 'v3'), container('web', 'green', 'v3')],
      state: {
        ...deployedState,
        operation: {
          id: 'deploy-3',
          kind: 'deploy',
          fromColor: 'blue',
          toColor: 'green',
          fromVersion: 'v2',
          toVersion: 'v3',
          phase: 'verifying',
          phaseStartedAt: '2025-03-01T12:04:59.000Z',
          phases: [],
          startedAt: '2025-03-01T12:04:30.000Z',
          pid: 4242,
          host: 'web1',
          stopOld: false,
          previousStandby: null,
          parked: [],
        },
      },
      lock: { kind: 'held', holder: { pid: 4242, host: 'web1', command: 'deploy v3', startedAt: '2025-03-01T12:04:30.000Z' }, liveness: 'alive' },
    }),
    exitCode: 0,
    check(report) {
      assert.equal(report.operation?.status, 'in-progress');
      assert.deepEqual(report.lock, { status: 'held', pid: 4242, host: 'web1', command: 'deploy v3', startedAt: '2025-03-01T12:04:30.000Z', liveness: 'alive' });
      assert.deepEqual(report.drift.map((d) => d.kind), ['active-color']);
      assert.deepEqual(kinds(report), ['warning:standby-not-ready', 'warning:drift']);
    },
  },
  {
    name: 'an interrupted deploy is an error that names cutover reconcile; its stale lock a warning',
    input: input({
      state: { ...deployedState, operation: { id: 'deploy-3', kind: 'deploy', fromColor: 'blue', toColor: 'green', fromVersion: 'v2', toVersion: 'v3', phase: 'starting', phaseStartedAt: '2025-03-01T12:04:59.000Z', phases: [], startedAt: '2025-03-01T12:04:30.000Z', pid: 4242, host: 'web1', stopOld: false, previousStandby: null, parked: [] } },
      lock: { kind: 'held', holder: { pid: 4242, host: 'web1', command: 'deploy v3', startedAt: '2025-03-01T12:04:30.000Z' }, liveness: 'dead' },
    }),
    exitCode: 13,
    check(report) {
      assert.equal(report.operation?.status, 'interrupted');
      assert.deepEqual(kinds(report), ['error:operation-interrupted', 'warning:lock-stale']);
      assert.match(report.problems[0]!.message, /interrupted deploy to v3 \(green\) is recorded: its process \(pid 4242 on web1\) died in phase starting/);
      assert.match(report.problems[0]!.hint ?? '', /^run cutover reconcile/);
    },
  },
  {
    name: 'no state file but Caddy on one color: a warning, the next deploy adopts it',
    input: input({ state: null }),
    exitCode: 0,
    check(report) {
      assert.deepEqual(kinds(report), ['warning:state-missing']);
    },
  },
  {
    name: "Caddy's config has no handler for a service: exit 3, every problem listed",
    input: input({ caddy: server([{ handle: [proxy([dial('blue', 'web')])] }]) }),
    exitCode: 3,
    check(report) {
      assert.equal(report.traffic.kind, 'unknown');
      assert.deepEqual(kinds(report), ['error:caddy-config', 'warning:drift-unchecked']);
      assert.match(report.problems[0]!.details.join('\n'), /no reverse_proxy handler in Caddy's config serves api/);
    },
  },
];

describe('buildStatusReport', () => {
  for (const c of cases) {
    test(c.name, () => {
      const report = buildStatusReport(c.input);
      c.check(report);
      assert.equal(report.exitCode, c.exitCode, JSON.stringify(report.problems, null, 2));
      assert.equal(report.schemaVersion, 4);
      // The report is plain data: it survives JSON unchanged.
      assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
      // Every problem that is an error carries the exit code; the first one is the report's.
      for (const p of report.problems) assert.equal(p.exitCode === null, p.severity === 'warning');
      // And the text form renders without throwing and ends with the verdict.
      assert.match(renderStatus(report), report.ok ? /verdict {4}ok/ : new RegExp(`verdict {4}NOT OK \\(exit ${c.exitCode}\\)`));
    });
  }
});

describe('renderStatus', () => {
  test('the healthy report reads as a compact summary', () => {
    const text = renderStatus(buildStatusReport(input({ upstreams: counts({ [dial('blue', 'web')]: 3 }) })));
    assert.match(text, /^active {5}blue v2, since 2025-03-01 12:00:00Z \(5 min ago\)$/m);
    assert.match(text, /^traffic {4}every service → blue$/m);
    assert.match(text, /^standby {4}green v1: running, healthy$/m);
    assert.match(text, /^ {2}web {6}3000 {2}127\.0\.0\.1:8101 {2}blue {3}3 {10}blue 100%$/m);
    assert.match(text, /^preview {4}Cutover-Color: blue {2}\| {2}Cutover-Color: green$/m);
    assert.match(text, /^drift {6}none$/m);
  });

  test('image identities: per container, for active and standby, and tag with digest in the history', () => {
    const hex = (digit: string): string => `sha256:${digit.repeat(64)}`;
    const v2 = { ref: 'r/app:latest', id: hex('2'), digest: hex('b') };
    const v1 = { ref: 'r/app:latest', id: hex('1'), digest: hex('a') };
    const state: State = {
      ...deployedState,
      active: { ...deployedState.active!, version: 'latest', images: { web: v2, api: v2 } },
      standby: { ...deployedState.standby!, version: 'latest', images: { web: v1, api: v1 } },
      history: [{ ...deployedState.history[0]!, version: 'latest', fromVersion: 'latest', images: { web: v2, api: v2 }, fromImages: { web: v1, api: v1 } }],
    };
    const images = { imageId: v2.id, imageRef: v2.ref, imageDigest: v2.digest };
    const containers = runningBoth.map((c) => (c.color === 'blue' ? { ...c, ...images, version: 'latest' } : { ...c, imageId: v1.id, image: `r/app@${v1.digest}`, version: 'latest' }));
    const report = buildStatusReport(input({ state, containers }));
    assert.deepEqual(service(report, 'web').containers.find((c) => c.color === 'blue')?.image, v2);
    // A container without cutover's image labels: the reference it was created from, no digest known.
    assert.deepEqual(service(report, 'web').containers.find((c) => c.color === 'green')?.image, { ref: `r/app@${v1.digest}`, id: v1.id, digest: v1.digest });
    assert.match(renderStatus(report), /green +latest +\S+ +running +healthy +r\/app@sha256:aaaaaaaaaaaa\n/);
    assert.deepEqual([report.active?.images?.web, report.standby?.images?.web, report.history[0]?.images?.web, report.history[0]?.fromImages?.web], [v2, v1, v2, v1]);
    const text = renderStatus(report);
    assert.match(text, /^ {13}web: r\/app:latest@sha256:bbbbbbbbbbbb$/m);
    assert.match(text, /blue +latest +\S+ +running +healthy +r\/app:latest@sha256:bbbbbbbbbbbb +serving/);
    assert.match(text, /deploy {2}latest@sha256:aaaaaaaaaaaa \(\?\) → latest@sha256:bbbbbbbbbbbb \(green\)/);
  });

  test('drift is spelled out', () => {
    const text = renderStatus(buildStatusReport(input({ caddy: caddyConfig(allTo('green')) })));
    assert.match(text, /^drift {6}CADDY AND THE STATE FILE DISAGREE$/m);
    assert.match(text, /^ {2}all services: state file: blue \(v2\) is active; Caddy: every service → green$/m);
  });
});

describe('PROBLEM_RULES', () => {
  test("an error kind's exit code is the one of the typed error it stands for", () => {
    const expected: Record<string, number> = { 'caddy-config': new ConfigInvalidError([]).exitCode, drift: new DriftError('x').exitCode, 'active-unhealthy': new DriftError('x').exitCode, 'operation-interrupted': new DriftError('x').exitCode };
    const errors = Object.entries(PROBLEM_RULES).filter(([, rule]) => rule.severity === 'error' && rule.exitCode !== 'of-failure');
    assert.deepEqual(Object.fromEntries(errors.map(([kind, rule]) => [kind, rule.exitCode])), expected);
  });

  test('docs/status-json.md lists every kind with the severity and exit code of the table', () => {
    const docs = readFileSync(new URL('../../../docs/status-json.md', import.meta.url), 'utf8');
    const rows = [...docs.matchAll(/^\| `([a-z-]+)` \| (error|warning)(?: \((\d+)\))?[^|]*\|/gm)].filter(([, kind]) => kind !== undefined && kind in PROBLEM_RULES);
    assert.deepEqual(rows.map(([, kind]) => kind).sort(), Object.keys(PROBLEM_RULES).sort());
    for (const [, kind, severity, code] of rows) {
      const rule = PROBLEM_RULES[kind as keyof typeof PROBLEM_RULES];
      assert.equal(severity, rule.severity, kind);
      if (typeof rule.exitCode === 'number') assert.equal(Number(code), rule.exitCode, kind);
    }
  });

  test('an explained error is a warning without an exit code; a warning kind never has one', () => {
    assert.deepEqual(problem('drift', 'm', 'h', { explained: true }), { kind: 'drift', severity: 'warning', message: 'm', hint: 'h', details: [], exitCode: null });
    assert.deepEqual(problem('drift', 'm'), { kind: 'drift', severity: 'error', message: 'm', hint: null, details: [], exitCode: 13 });
    assert.equal(problem('lock-stale', 'm').exitCode, null);
  });
});
