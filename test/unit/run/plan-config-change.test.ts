import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SERVERS_PATH, type JsonObject } from '../../../src/domain/caddy-json.js';
import { hasTrafficLog, withoutTrafficLog, withTrafficLog } from '../../../src/domain/traffic-log-config.js';
import { planConfigChange } from '../../../src/run/switch-traffic.js';

const servers = (dial: string): JsonObject => ({ s: { listen: [':80'], routes: [{ handle: [{ handler: 'reverse_proxy', upstreams: [{ dial }] }] }] } });
const config = (dial: string, extra: JsonObject = {}): JsonObject => ({ admin: { listen: '127.0.0.1:2019' }, ...extra, apps: { http: { servers: servers(dial) } } });
const addLog = (root: JsonObject): JsonObject => withTrafficLog(root, { filename: '/tmp/cutover-traffic.log' });

test('without a root rewrite, or when the rewrite changes nothing outside the servers, only apps.http.servers is sent', () => {
  const plain = planConfigChange(config('a:1'), servers('b:1'), false);
  assert.deepEqual([plain.path, plain.body, plain.before, plain.unchanged], [SERVERS_PATH, servers('b:1'), servers('a:1'), false]);
  const noLogToRemove = planConfigChange(config('a:1'), servers('b:1'), false, withoutTrafficLog);
  assert.equal(noLogToRemove.path, SERVERS_PATH);
  const logAlreadyIn = planConfigChange(addLog(config('a:1')), servers('b:1'), false, addLog);
  assert.equal(logAlreadyIn.path, SERVERS_PATH);
});

test('the traffic log going in or out makes the change the whole root: one request with the planned servers and the log', () => {
  const before = config('a:1', { logging: { logs: { default: { level: 'INFO' } } } });
  const change = planConfigChange(before, servers('b:1'), false, addLog);
  assert.equal(change.path, '/config/');
  assert.deepEqual((change.body.apps as JsonObject).http, { servers: servers('b:1') });
  assert.equal(hasTrafficLog(change.body), true);
  assert.deepEqual(change.before, before, 'the exact undo puts the root back as it was read');
  assert.equal(change.unchanged, false);

  const out = planConfigChange(addLog(before), servers('a:1'), true, withoutTrafficLog);
  assert.deepEqual([out.path, out.unchanged, hasTrafficLog(out.body)], ['/config/', false, false], 'a leftover log alone is still a change');
  assert.deepEqual(out.body, before);
});

test('servers unchanged and nothing else to change: nothing is sent', () => {
  assert.equal(planConfigChange(config('a:1'), servers('a:1'), true, withoutTrafficLog).unchanged, true);
});
