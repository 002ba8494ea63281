import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SERVERS_PATH, SERVERS_POINTER, serversOf } from '../../../src/domain/caddy-json.js';

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
