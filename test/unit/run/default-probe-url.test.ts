import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultProbeUrl } from '../../../src/run/default-probe-url.js';

const config = { apps: { http: { servers: { admin: { listen: [':9999'] }, srv0: { listen: [':80'] } } } } };

test('Caddy on the host: the first listener, as written', () => {
  assert.equal(defaultProbeUrl(config), 'http://127.0.0.1:9999/');
});

test('Caddy in a container: the host port its listener is published on; an unpublished listener is skipped', () => {
  assert.equal(defaultProbeUrl(config, [{ privatePort: 80, publicPort: 18080 }, { privatePort: 2019, publicPort: 2119 }]), 'http://127.0.0.1:18080/');
  assert.equal(defaultProbeUrl(config, [{ privatePort: 2019, publicPort: 2119 }]), undefined);
});
