import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractEtag } from '../../../src/adapters/caddy/extract-etag.js';
import { OperationFailedError } from '../../../src/errors.js';

test('reads the ETag from the trailer (Caddy 2.5.2–2.7) or the header (2.8+)', () => {
  assert.deepEqual(extractEtag({}, { etag: '"/config/ 6bc352a9"' }, 'GET /config/'), {
    etag: '"/config/ 6bc352a9"',
    source: 'trailer',
    path: '/config/',
    hash: '6bc352a9',
  });
  assert.deepEqual(extractEtag({ etag: '"/config/apps/http/ 0123456789abcdef"' }, {}, 'GET /config/apps/http/'), {
    etag: '"/config/apps/http/ 0123456789abcdef"',
    source: 'header',
    path: '/config/apps/http/',
    hash: '0123456789abcdef',
  });
});

test('no ETag at all means a Caddy older than 2.5.2', () => {
  assert.throws(
    () => extractEtag({ 'content-type': 'application/json' }, {}, 'GET /config/'),
    (error: unknown) => error instanceof OperationFailedError && /older than 2\.5\.2/.test(error.message) && /2\.6/.test(error.message),
  );
});

test('an ETag of another shape is refused, not passed on', () => {
  for (const etag of ['/config/ 6bc352a9', '"/config/6bc352a9"', '"/config/ XYZ"', 'W/"/config/ 6bc352a9"']) {
    assert.throws(() => extractEtag({ etag }, {}, 'GET /config/'), OperationFailedError, etag);
  }
});
