/**
 * readTraffic and colorDials, table-driven over small Caddy configs: where
 * all colored services go together (one color, plain names, or a mix), what
 * cannot be read, which color a deploy starts, and the dials of each color.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ColoredService } from '../../../src/config/model.js';
import type { JsonValue } from '../../../src/domain/caddy-json.js';
import { colorDials } from '../../../src/domain/color-dials.js';
import { findProxyHandlers } from '../../../src/domain/find-proxy-handlers.js';
import { nextColor, readTraffic, type LiveTraffic, type TrafficView } from '../../../src/domain/read-traffic.js';
import { rewriteCaddyConfig } from '../../../src/domain/rewrite-caddy-config.js';
import type { ColorInstance } from '../../../src/domain/service-addresses.js';
import { proxy, readView, routesFor, server } from '../../fixtures/make-caddy-config.js';
import { makeColoredService, seedStyleService } from '../../fixtures/make-service.js';

const network = [seedStyleService('web'), seedStyleService('api')];
/** Host mode: blue publishes 8101, green a port Docker picks (known from the running instances). */
const hostService = (name: string): ColoredService =>
  makeColoredService(name, (color) => ({ ports: [{ hostIp: '127.0.0.1', hostPort: color === 'blue' ? 8101 : undefined, containerPort: 3000, protocol: 'tcp' }] }));
const greenReplicas: ColorInstance[] = [40123, 40124].map((hostPort) => ({ service: 'rag', color: 'green', published: [{ containerPort: 3000, hostPort }] }));

const viewOf = (config: JsonValue, services: readonly ColoredService[] = network, instances: readonly ColorInstance[] = []): TrafficView => readView(config, services, instances);

describe('readTraffic: where all services go together', () => {
  const cases: Array<[string, Record<string, string[]>, LiveTraffic]> = [
    ['every service on blue', { web: ['web-blue:3000'], api: ['api-blue:3000'] }, { kind: 'color', color: 'blue' }],
    ['every service on green, by container name', { web: ['tale-web-green:3000'], api: ['api-green:3000'] }, { kind: 'color', color: 'green' }],
    ['every service on its plain Compose name', { web: ['web:3000'], api: ['api:3000'] }, { kind: 'plain' }],
    ['services on different colors', { web: ['web-blue:3000'], api: ['api-green:3000'] }, { kind: 'mixed', detail: 'web → blue, api → green' }],
    ['one service split over both colors', { web: ['web-blue:3000', 'web-green:3000'], api: ['api-blue:3000'] }, { kind: 'mixed', detail: 'web → blue + green, api → blue' }],
    ['a color next to the plain name', { web: ['web-blue:3000', 'web:3000'], api: ['api-blue:3000'] }, { kind: 'mixed', detail: 'web → blue + plain name, api → blue' }],
    ['one service plain, one colored', { web: ['web:3000'], api: ['api-blue:3000'] }, { kind: 'mixed', detail: 'web → plain name, api → blue' }],
  ];
  for (const [name, upstreams, live] of cases) {
    test(name, () => assert.deepEqual(viewOf(routesFor(upstreams)).live, live));
  }

  test("cutover's preview routes are no part of the traffic, and are left out of the view's base", () => {
    const config = routesFor({ web: ['web-blue:3000'], api: ['api-blue:3000'] });
    const pointers = findProxyHandlers(config).map((h) => h.pointer);
    const dialsByColor = (service: string) => ({ blue: [`${service}-blue:3000`], green: [`${service}-green:3000`] });
    const withPreviews = rewriteCaddyConfig(config, [], ['web', 'api'].map((service, i) => ({ service, pointer: pointers[i]!, dialsByColor: dialsByColor(service) })));
    const view = viewOf(withPreviews);
    assert.deepEqual(view.live, { kind: 'color', color: 'blue' });
    assert.deepEqual(view.base, config);
    assert.deepEqual(view.services.map((s) => [s.service, s.colors, s.handlers[0]?.mode]), [
      ['web', ['blue'], { kind: 'network', port: 3000 }],
      ['api', ['blue'], { kind: 'network', port: 3000 }],
    ]);
  });

  test('host mode: a dial on a port a running green replica publishes is green', () => {
    const view = viewOf(routesFor({ rag: ['127.0.0.1:40124'] }), [hostService('rag')], greenReplicas);
    assert.deepEqual([view.live, view.services[0]?.handlers[0]?.mode], [{ kind: 'color', color: 'green' }, { kind: 'host', containerPort: 3000 }]);
  });

  const refusals: Array<[string, JsonValue, RegExp]> = [
    ['a service without a handler', routesFor({ web: ['web-blue:3000'] }), /^no reverse_proxy handler in Caddy's config serves api/],
    ['a handler that also proxies elsewhere', routesFor({ web: ['web-blue:3000', 'db:5432'], api: ['api-blue:3000'] }), /handler srv0 routes\/0\/handle\/0 \(web-blue:3000 db:5432\) proxies to web and also to db:5432; .*give other backends their own handler/],
    ['a handler named for the service but without upstreams', server([{ handle: [proxy([], { '@id': 'cutover-web' })] }, { handle: [proxy(['api-blue:3000'])] }]), /^cannot tell how Caddy reaches web from the upstreams of @id cutover-web$/],
  ];
  for (const [name, config, problem] of refusals) {
    test(`not readable: ${name}`, () => {
      const read = readTraffic(config, network, []);
      assert.equal(read.ok, false);
      if (!read.ok) assert.match(read.problems.join('\n'), problem);
    });
  }
});

describe('nextColor: the color a deploy starts', () => {
  const cases: Array<[LiveTraffic, string | undefined]> = [
    [{ kind: 'color', color: 'blue' }, 'green'],
    [{ kind: 'color', color: 'green' }, 'blue'],
    [{ kind: 'plain' }, 'blue'],
    [{ kind: 'mixed', detail: 'web → blue + green' }, undefined],
  ];
  for (const [live, color] of cases) test(`${JSON.stringify(live)} → ${color}`, () => assert.equal(nextColor(live), color));
});

describe('colorDials', () => {
  test("network mode: each color's alias on the port Caddy uses", () => {
    const view = viewOf(routesFor({ web: ['web:8080'], api: ['api-green:3000'] }));
    assert.deepEqual(
      colorDials(view, []).map((d) => [d.service, d.byColor, d.handlers.map((h) => h.port)]),
      [
        ['web', { blue: ['web-blue:8080'], green: ['web-green:8080'] }, [8080]],
        ['api', { blue: ['api-blue:3000'], green: ['api-green:3000'] }, [3000]],
      ],
    );
  });

  test('host mode: one loopback dial per running replica; none for a color that does not run', () => {
    const running: ColorInstance[] = [{ service: 'rag', color: 'blue', published: [{ containerPort: 3000, hostPort: 8101 }] }, ...greenReplicas];
    const view = viewOf(routesFor({ rag: ['127.0.0.1:8101'] }), [hostService('rag')], running);
    assert.deepEqual(colorDials(view, running).map((d) => [d.service, d.byColor]), [['rag', { blue: ['127.0.0.1:8101'], green: ['127.0.0.1:40123', '127.0.0.1:40124'] }]]);
    assert.deepEqual(colorDials(view, greenReplicas)[0]?.byColor.blue, []);
  });
});
