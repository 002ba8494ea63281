import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ServiceContainer } from '../../../src/adapters/docker/service-container.js';
import type { Color, ColoredService, PortMapping } from '../../../src/config/model.js';
import type { JsonObject, JsonValue } from '../../../src/domain/caddy-json.js';
import { planReset, plainSpecToRun } from '../../../src/domain/plan-reset.js';
import { planPlain } from '../../../src/domain/plan-switch.js';
import { readTraffic, type TrafficView } from '../../../src/domain/read-traffic.js';
import { hasPreviewRoutes } from '../../../src/domain/rewrite-caddy-config.js';
import type { ColorInstance } from '../../../src/domain/service-addresses.js';
import { makeColoredService, makeSpec } from '../../fixtures/make-service.js';

function proxy(dials: string[]): JsonObject {
  return { handler: 'reverse_proxy', upstreams: dials.map((dial) => ({ dial })) };
}

/** One server: /api/* to the api handler, everything else to web. */
function caddy(web: string[], api: string[]): JsonObject {
  return {
    apps: {
      http: {
        servers: {
          srv0: {
            listen: [':8080'],
            routes: [
              { match: [{ path: ['/api/*'] }], handle: [proxy(api)] },
              { handle: [proxy(web)] },
            ],
          },
        },
      },
    },
  };
}

const port = (hostPort: number | undefined, containerPort = 3000): PortMapping => ({ hostIp: '127.0.0.1', hostPort, containerPort, protocol: 'tcp' });

/** Caddy on the compose network: colors by alias, the plain service by its name. */
function networkService(name: string, plain = true): ColoredService {
  const service = makeColoredService(name, (color) => ({ containerName: `${name}-${color}`, networks: [{ key: 'default', aliases: [`${name}-${color}`] }] }));
  return plain ? { ...service, plain: makeSpec({ name, networks: [{ key: 'default', aliases: [] }] }) } : service;
}

/** Caddy on the host: each color publishes its port; the plain service publishes `plainPort` (or none). */
function hostService(name: string, ports: Record<Color, number>, plainPort: number | undefined): ColoredService {
  const service = makeColoredService(name, (color) => ({ ports: [port(ports[color])] }));
  return { ...service, plain: makeSpec({ name, ports: plainPort === undefined ? [] : [port(plainPort)] }) };
}

function container(name: string, service: string, color: Color | undefined, version = 'v2'): ServiceContainer {
  return {
    id: `id-${name}`,
    name,
    image: `example/${service}:${version}`,
    imageId: 'sha256:1',
    imageRef: undefined,
    imageDigest: undefined,
    project: 'app',
    service,
    color,
    version,
    replica: 1,
    operation: undefined,
    state: 'running',
    health: 'healthy',
    exitCode: undefined,
    ports: [],
    networks: [],
  };
}

function view(config: JsonValue, colored: readonly ColoredService[], instances: readonly ColorInstance[] = []): TrafficView {
  const read = readTraffic(config, colored, instances);
  assert.ok(read.ok, JSON.stringify(read));
  return read.view;
}

describe('planReset', () => {
  const network = [networkService('web'), networkService('api')];
  const onBlue = caddy(['web-blue:3000'], ['api-blue:3000']);
  const containers = [
    container('web-blue', 'web', 'blue'),
    container('api-blue', 'api', 'blue'),
    container('web-green', 'web', 'green', 'v1'),
    container('api-green', 'api', 'green', 'v1'),
    container('app-db-1', 'db', undefined),
  ];

  test('Caddy on the compose network: start every plain service, reached by its name, then remove every colored container', () => {
    const result = planReset({ colored: network, view: view(onBlue, network), containers, active: { version: 'v2' }, baseFile: 'compose.yml' });
    assert.ok(result.ok && result.plan.kind === 'switch', JSON.stringify(result));
    const { plan } = result;
    assert.deepEqual([plan.fromColor, plan.version], ['blue', 'v2']);
    assert.deepEqual(plan.start.map((s) => [s.service, s.dials, s.spec.networks]), [
      ['web', ['web:3000'], [{ key: 'default', aliases: ['web'] }]],
      ['api', ['api:3000'], [{ key: 'default', aliases: ['api'] }]],
    ]);
    assert.deepEqual(plan.remove.map((c) => c.name), ['web-blue', 'api-blue', 'web-green', 'api-green'], 'both colors, never a shared service');
    assert.deepEqual(plan.replacePlain, []);
  });

  test('the plain containers run the identity the active color runs, when recorded', () => {
    const identity = { ref: 'example/web:v2', id: 'sha256:abc', digest: null };
    const result = planReset({ colored: network, view: view(onBlue, network), containers, active: { version: 'v2', images: { web: identity } }, baseFile: 'compose.yml' });
    assert.ok(result.ok && result.plan.kind === 'switch');
    assert.deepEqual(result.plan.start.map((s) => s.image), [identity, undefined]);
  });

  test('plain containers of an earlier reset, serving nothing now, are replaced', () => {
    const left = [...containers, container('app-web-1', 'web', undefined, 'v0')];
    const result = planReset({ colored: network, view: view(onBlue, network), containers: left, active: { version: 'v2' }, baseFile: 'compose.yml' });
    assert.ok(result.ok && result.plan.kind === 'switch');
    assert.deepEqual(result.plan.replacePlain.map((c) => c.name), ['app-web-1']);
  });

  test('Caddy on the host: the plain service is reached on the host port compose.yml publishes', () => {
    const host = [hostService('web', { blue: 8101, green: 8201 }, 8001), hostService('api', { blue: 8102, green: 8202 }, 8002)];
    const result = planReset({ colored: host, view: view(caddy(['127.0.0.1:8101'], ['127.0.0.1:8102']), host), containers, active: { version: 'v2' }, baseFile: 'compose.yml' });
    assert.ok(result.ok && result.plan.kind === 'switch', JSON.stringify(result));
    assert.deepEqual(result.plan.start.map((s) => s.dials), [['127.0.0.1:8001'], ['127.0.0.1:8002']]);
  });

  test('refused before any change: a service Caddy could not reach, named with what to add', () => {
    const host = [hostService('web', { blue: 8101, green: 8201 }, 8001), hostService('api', { blue: 8102, green: 8202 }, undefined)];
    const result = planReset({ colored: host, view: view(caddy(['127.0.0.1:8101'], ['127.0.0.1:8102']), host), containers, active: { version: 'v2' }, baseFile: 'compose.yml' });
    assert.ok(!result.ok && 'problems' in result);
    assert.equal(result.problems.length, 1);
    assert.deepEqual([result.problems[0]?.file, result.problems[0]?.path], ['compose.yml', 'services.api.ports']);
    assert.match(result.problems[0]?.message ?? '', /add ports: \["127\.0\.0\.1:<free port>:3000"\] to api in compose\.yml/);
    assert.doesNotMatch(result.problems[0]?.message ?? '', /\n/);
  });

  test('refused: a service with no plain definition in compose.yml', () => {
    const colored = [networkService('web'), networkService('api', false)];
    const result = planReset({ colored, view: view(onBlue, colored), containers, active: { version: 'v2' }, baseFile: 'compose.yaml' });
    assert.ok(!result.ok && 'problems' in result);
    assert.deepEqual(result.problems.map((p) => p.path), ['services.api']);
    assert.match(result.problems[0]?.message ?? '', /add a service api with its own image: to compose\.yaml/);
  });

  test('refused: traffic split between the colors (a canary)', () => {
    const result = planReset({ colored: network, view: view(caddy(['web-blue:3000', 'web-green:3000'], ['api-blue:3000']), network), containers, active: { version: 'v2' }, baseFile: 'compose.yml' });
    assert.ok(!result.ok && 'refusal' in result);
    assert.match(result.refusal, /splits traffic/);
    assert.match(result.hint, /cutover promote or cutover abort/);
  });

  test('Caddy already on the plain services: only the colored containers left are removed', () => {
    const result = planReset({ colored: network, view: view(caddy(['web:3000'], ['api:3000']), network), containers, active: null, baseFile: 'compose.yml' });
    assert.ok(result.ok && result.plan.kind === 'already-plain');
    assert.deepEqual(result.plan.remove.map((c) => c.name), ['web-blue', 'api-blue', 'web-green', 'api-green']);
  });

  test('the plain spec keeps an alias the file already gives it once', () => {
    const spec = plainSpecToRun(makeSpec({ name: 'web', networks: [{ key: 'a', aliases: ['web', 'www'] }, { key: 'b', aliases: [] }] }));
    assert.deepEqual(spec.networks, [{ key: 'a', aliases: ['web', 'www'] }, { key: 'b', aliases: ['web'] }]);
  });
});

describe('planPlain', () => {
  const host = [hostService('web', { blue: 8101, green: 8201 }, 8001), hostService('api', { blue: 8102, green: 8202 }, 8002)];
  const instances: ColorInstance[] = [
    { service: 'web', color: 'blue', published: [{ containerPort: 3000, hostPort: 8101 }] },
    { service: 'api', color: 'blue', published: [{ containerPort: 3000, hostPort: 8102 }] },
  ];
  const config = caddy(['127.0.0.1:8101'], ['127.0.0.1:8102']);

  test('with the colors kept in preview routes: the old color stays referenced for the drain', () => {
    const current = view(config, host, instances);
    const plan = planPlain(current, (config.apps as JsonObject).http as JsonObject, { keepPreviewsFor: instances });
    const next = { apps: { http: { servers: plan.servers } } };
    assert.equal(hasPreviewRoutes(next), true);
    assert.match(JSON.stringify(plan.servers), /127\.0\.0\.1:8101/);
    const after = view(next, host, instances);
    assert.deepEqual(after.live, { kind: 'plain' });
    assert.deepEqual(after.services.map((s) => s.handlers.map((h) => h.handler.dials)), [[['127.0.0.1:8001']], [['127.0.0.1:8002']]]);
  });

  test('without them: no preview route left, as before the first deploy; a host port the plain service lacks is left as it is', () => {
    const partial = [host[0] as ColoredService, hostService('api', { blue: 8102, green: 8202 }, undefined)];
    const plan = planPlain(view(config, partial, instances), {});
    assert.equal(hasPreviewRoutes({ apps: { http: { servers: plan.servers } } }), false);
    assert.deepEqual([plan.plain, plan.unreachable], [['web'], ['api']]);
  });

  test('a plain host port is read back as the plain service (how Caddy on the host reaches it after reset)', () => {
    const read = view(caddy(['127.0.0.1:8001'], ['localhost:8002']), host);
    assert.deepEqual(read.live, { kind: 'plain' });
    assert.deepEqual(read.services.map((s) => s.handlers[0]?.mode), [{ kind: 'host', containerPort: 3000 }, { kind: 'host', containerPort: 3000 }]);
  });
});
