import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUpstreams } from '../../../src/adapters/caddy/parse-upstreams.js';
import { OperationFailedError } from '../../../src/errors.js';

test("maps Caddy's rows to camelCase and drops unknown fields", () => {
  assert.deepEqual(
    parseUpstreams([
      { address: 'platform-blue:3000', num_requests: 2, fails: 0, healthy: true },
      { address: '127.0.0.1:8080', num_requests: 0, fails: 3 },
    ]),
    [
      { address: 'platform-blue:3000', numRequests: 2, fails: 0 },
      { address: '127.0.0.1:8080', numRequests: 0, fails: 3 },
    ],
  );
});

test('no rows: an empty list or null', () => {
  assert.deepEqual(parseUpstreams([]), []);
  assert.deepEqual(parseUpstreams(null), []);
});

test('an unexpected shape names where it is wrong', () => {
  assert.throws(() => parseUpstreams([{ address: 'a:1', num_requests: '1', fails: 0 }]), (error: unknown) =>
    error instanceof OperationFailedError && /\[0\.num_requests\]/.test(error.message),
  );
  assert.throws(() => parseUpstreams({ address: 'a:1' }), OperationFailedError);
});
