import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseVolume, type VolumeEntry } from '../../../src/config/parse-volume.js';

describe('parseVolume', () => {
  const cases: Array<[string, VolumeEntry]> = [
    ['/data', { type: 'volume', source: undefined, target: '/data', readOnly: false }],
    ['db-data:/var/lib/postgresql/data', { type: 'volume', source: 'db-data', target: '/var/lib/postgresql/data', readOnly: false }],
    ['caddy-data:/caddy-data:ro', { type: 'volume', source: 'caddy-data', target: '/caddy-data', readOnly: true }],
    ['./config:/etc/app', { type: 'bind', source: './config', target: '/etc/app', readOnly: false }],
    ['../data:/data:rw', { type: 'bind', source: '../data', target: '/data', readOnly: false }],
    ['/srv/app:/app:ro,cached', { type: 'bind', source: '/srv/app', target: '/app', readOnly: true }],
    ['~/certs:/certs', { type: 'bind', source: '~/certs', target: '/certs', readOnly: false }],
  ];
  for (const [text, entry] of cases) {
    test(text, () => {
      assert.deepEqual(parseVolume(text), { ok: true, entry });
    });
  }

  const bad: Array<[string, string]> = [
    ['data:relative', '"data:relative" is not a volume: the container path "relative" must be absolute'],
    ['data:/x:z', '"data:/x:z" is not a volume: option "z" is not supported by cutover (use ro or rw)'],
    ['data:/x:nocopy', '"data:/x:nocopy" is not a volume: option "nocopy" is not supported by cutover (use ro or rw)'],
    ['a:/b:ro:extra', '"a:/b:ro:extra" is not a volume: expected [source:]target[:mode], e.g. "data:/var/lib/data:ro"'],
    [':/data', '":/data" is not a volume: the source is empty'],
  ];
  for (const [text, message] of bad) {
    test(`refuses ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseVolume(text), { ok: false, message });
    });
  }
});
