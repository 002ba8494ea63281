import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SERVERS_PATH, SERVERS_POINTER, serversOf, sameJson, type JsonValue } from '../../../src/domain/caddy-json.js';

describe('serversOf', () => {
  test("returns apps.http.servers itself, so a change to it changes the config", () => {
    const config = { apps: { http: { servers: { srv0: { listen: [':80'] } } } } };
    const servers = serversOf(config);
    assert.equal(servers, config.apps.http.servers);
  });

  const without: Array<[string, unknown]> = [
    ['undefined', undefined],
    ['an array', []],
    ['no apps', { admin: {} }],
    ['no http app', { apps: { tls: {} } }],
    ['servers that is not an object', { apps: { http: { servers: [] } } }],
  ];
  for (const [what, config] of without) {
    test(`is empty for ${what}`, () => assert.deepEqual(serversOf(config), {}));
  }

  test('the pointer and the admin path name the same place', () => {
    assert.deepEqual([...SERVERS_POINTER], ['apps', 'http', 'servers']);
    assert.equal(SERVERS_PATH, '/config/apps/http/servers');
  });
});

describe('sameJson', () => {
  const cases: Array<[string, unknown, unknown, boolean]> = [
    ['the same keys in another order (Caddy sorts them)', { b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } }, { a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }, true],
    ['a different value', { a: 1 }, { a: 2 }, false],
    ['array order matters', { a: [1, 2] }, { a: [2, 1] }, false],
    ['a missing key', { a: 1, b: 2 }, { a: 1 }, false],
    ['a string that looks like a number', { a: '1' }, { a: 1 }, false],
  ];
  for (const [name, a, b, expected] of cases) {
    test(name, () => assert.equal(sameJson(a as JsonValue, b as JsonValue), expected));
  }
});
