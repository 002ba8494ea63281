import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { routePattern } from '../../../src/domain/route-pattern.js';

describe('routePattern', () => {
  const cases: Array<[string, string, string]> = [
    ['GET', '/', 'GET /'],
    ['get', '/health', 'GET /health'],
    ['GET', '/users/42', 'GET /users/:id'],
    ['GET', '/users/42?tab=profile', 'GET /users/:id'],
    ['GET', '/users/42#top', 'GET /users/:id'],
    ['POST', '/orders/3f2b8c1e-9a4d-4e2f-8b1a-0c9d8e7f6a5b', 'POST /orders/:id'],
    ['POST', '/orders/3F2B8C1E-9A4D-4E2F-8B1A-0C9D8E7F6A5B/items/7', 'POST /orders/:id/items/:id'],
    ['GET', '/commits/9c1d0e7f', 'GET /commits/:id'],
    ['GET', '/commits/4f1c2a9be0d8c7f6a5b4c3d2e1f0a9b8c7d6e5f4', 'GET /commits/:id'],
    ['GET', '/files/aGVsbG8gd29ybGQ1MjM0', 'GET /files/:id'],
    ['GET', '/s/Zm9v_YmFy-123456', 'GET /s/:id'],
    ['GET', '/assets/app.3f9a1c2b.js', 'GET /assets/app.3f9a1c2b.js'],
    ['GET', '/assets/app.bundle.3f9a1c2b77.js', 'GET /assets/:id'],
    ['GET', '/deadbeef', 'GET /deadbeef'],
    ['GET', '/v2/version', 'GET /v2/version'],
    ['GET', '/api/', 'GET /api/'],
    ['GET', '', 'GET /'],
    ['GET', '?q=1', 'GET /'],
    ['GET', '/a//b', 'GET /a//b'],
    ['DELETE', '/users/42/sessions/abcdefABCDEF0123456789', 'DELETE /users/:id/sessions/:id'],
  ];
  for (const [method, uri, expected] of cases) {
    test(`${method} ${uri || '(empty)'} -> ${expected}`, () => assert.equal(routePattern(method, uri), expected));
  }

  test('many ids of one route give one pattern', () => {
    const patterns = new Set(Array.from({ length: 500 }, (_, i) => routePattern('GET', `/users/${i}/orders/${(i * 7919).toString(16).padStart(8, '0')}`)));
    assert.deepEqual([...patterns], ['GET /users/:id/orders/:id']);
  });
});
