import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseComposeYaml } from '../../../src/config/parse-compose-yaml.js';
import { composeAddresses, INIT_MARKER, planInit, type InitInput } from '../../../src/domain/plan-init.js';
import { proxiedServices, wireCaddyfile } from '../../../src/domain/wire-caddyfile.js';
import { unifiedDiff } from '../../../src/domain/unified-diff.js';

const yaml = (text: string): unknown => {
  const parsed = parseComposeYaml(text);
  assert.ok(parsed.ok);
  return parsed.value;
};

const HOST = yaml(`
services:
  web:
    image: shop/web:\${VERSION}
    ports: ["127.0.0.1:8080:3000", "9229"]
  api:
    image: shop/api:\${VERSION}
    ports:
      - target: 4000
        published: 8081
    networks: [back, front]
  db:
    image: postgres:16
`);

const NETWORK = yaml(`
services:
  proxy:
    image: caddy:2.6
    ports: ["80:80"]
  web:
    image: shop/web:latest
    ports: ["3000:3000"]
    networks:
      internal: {}
`);

const input = (overrides: Partial<InitInput>): InitInput => ({ projectName: 'shop', compose: HOST, services: [], proxied: [], caddyOn: undefined, ...overrides });

describe('planInit', () => {
  test('Caddy on the host: ports on 127.0.0.1 picked by Docker, container names, aliases on every network', () => {
    const planned = planInit(input({ services: ['web', 'api'] }));
    assert.ok(planned.ok, JSON.stringify(planned));
    assert.equal(planned.plan.caddyOn, 'host');
    assert.equal(
      planned.plan.overlays.green,
      [
        `${INIT_MARKER} (Caddy on the host). Edit it freely: init then leaves it alone.`,
        '# The green color, merged over compose.yml: docker compose -f compose.yml -f compose.green.yml',
        'services:',
        '  web:',
        '    container_name: shop-web-green',
        '    ports: !override',
        '      - "127.0.0.1::3000"',
        '    networks:',
        '      default:',
        '        aliases:',
        '          - web-green',
        '  api:',
        '    container_name: shop-api-green',
        '    ports: !override',
        '      - "127.0.0.1::4000"',
        '    networks:',
        '      back:',
        '        aliases:',
        '          - api-green',
        '      front:',
        '        aliases:',
        '          - api-green',
        '',
      ].join('\n'),
    );
    assert.match(planned.plan.assumptions.join('\n'), /Caddy runs on the host/);
  });

  test('Caddy on the compose network (a Caddy image among the services): no host ports, aliases', () => {
    const planned = planInit(input({ compose: NETWORK, proxied: ['web', 'proxy'] }));
    assert.ok(planned.ok, JSON.stringify(planned));
    assert.equal(planned.plan.caddyOn, 'network');
    assert.deepEqual(planned.plan.services.map((s) => s.name), ['web'], 'Caddy itself is never colored');
    assert.ok(planned.plan.overlays.blue.endsWith(['  web:', '    container_name: shop-web-blue', '    ports: !reset []', '    networks:', '      internal:', '        aliases:', '          - web-blue', ''].join('\n')), planned.plan.overlays.blue);
    const said = planned.plan.assumptions.join('\n');
    assert.match(said, /Caddy runs as the compose service proxy/);
    assert.match(said, /colored: web \(the services the Caddyfile proxies to\); every other service \(proxy\) is shared/);
    assert.match(said, /web's image \(shop\/web:latest\) does not name \$\{VERSION\}/);
  });

  const refusals: Array<[string, Partial<InitInput>, RegExp]> = [
    ['an unknown service', { services: ['nope'] }, /"nope" is not a service of compose.yml \(services: web, api, db\)/],
    ['nothing named and nothing proxied', {}, /name the services to color/],
    ['Caddy itself', { compose: NETWORK, services: ['proxy'] }, /"proxy" is Caddy itself/],
    ['a service without a published port, Caddy on the host', { services: ['db'] }, /db publishes no port, so a Caddy on the host cannot reach it/],
    ['an already colored name', { compose: yaml('services:\n  web-blue:\n    image: x\n'), services: ['web-blue'] }, /already ends in a color/],
  ];
  for (const [name, overrides, message] of refusals) {
    test(`refused: ${name}`, () => {
      const planned = planInit(input(overrides));
      assert.equal(planned.ok, false);
      if (!planned.ok) assert.match(planned.problems.join('\n'), message);
    });
  }
});

describe('wireCaddyfile', () => {
  const planned = planInit(input({ services: ['web', 'api'] }));
  assert.ok(planned.ok);
  const services = planned.plan.services;

  test('one-line and block handlers, a matcher, a to line; foreign upstreams untouched', () => {
    const text = [
      'example.com {',
      '\treverse_proxy /api/* 127.0.0.1:8081',
      '\treverse_proxy localhost:8080 {',
      '\t\thealth_uri /health',
      '\t}',
      '\treverse_proxy /other/* 10.0.0.5:9000',
      '\treverse_proxy /x/* {',
      '\t\tto http://127.0.0.1:8080',
      '\t}',
      '}',
    ].join('\n');
    const wired = wireCaddyfile(text, services, 'host', 'cutover-upstreams.caddy');
    assert.equal(
      wired.text,
      [
        'import cutover-upstreams.caddy',
        'example.com {',
        '\treverse_proxy /api/* {',
        '\t\timport cutover-api-4000',
        '\t}',
        '\treverse_proxy {',
        '\t\timport cutover-web-3000',
        '\t\thealth_uri /health',
        '\t}',
        '\treverse_proxy /other/* 10.0.0.5:9000',
        '\treverse_proxy /x/* {',
        '\t\timport cutover-web-3000',
        '\t}',
        '}',
      ].join('\n'),
    );
    assert.equal(wired.rewritten.length, 3);
    assert.deepEqual(wired.snippets, [
      { service: 'api', port: 4000, dials: ['127.0.0.1:8081'] },
      { service: 'web', port: 3000, dials: ['localhost:8080'] },
    ]);
    assert.equal(wireCaddyfile(wired.text, services, 'host', 'cutover-upstreams.caddy').text, wired.text, 'wiring twice changes nothing');
  });

  test('a handler mixing a colored service with another upstream is left and named', () => {
    const wired = wireCaddyfile(':80 {\n\treverse_proxy 127.0.0.1:8080 10.0.0.5:9000\n}', services, 'host', 'x.caddy');
    assert.deepEqual(wired.rewritten, []);
    assert.match(wired.left[0] ?? '', /line 2: .* mixes web with other upstreams/);
  });

  test('proxiedServices finds services by name and by published host port', () => {
    const addresses = composeAddresses(HOST);
    assert.deepEqual(proxiedServices(':80 {\n\treverse_proxy 127.0.0.1:8081\n\treverse_proxy db:5432 {\n\t}\n\treverse_proxy 127.0.0.1:1\n}', addresses), ['api', 'db']);
    assert.deepEqual(proxiedServices('import cutover-upstreams.caddy\n:80 {\n\treverse_proxy {\n\t\timport cutover-web-3000\n\t}\n}', addresses), ['web'], 'and in the snippets of a wired Caddyfile');
  });
});

test('unifiedDiff: hunks with context, nothing for equal texts', () => {
  assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', { from: 'x', to: 'y' }), '');
  const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].join('\n');
  const after = ['1', '2', '3', '4', 'five', '6', '7', '8', '9', '10', '11'].join('\n');
  assert.equal(
    unifiedDiff(before, after, { from: 'x', to: 'y' }),
    ['--- x', '+++ y', '@@ -2,9 +2,10 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8', ' 9', ' 10', '+11', ''].join('\n'),
  );
});
