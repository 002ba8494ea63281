/**
 * A route of real traffic: the method and a path pattern, so that figures per
 * route stay a short table. Path segments that look like identifiers become
 * `:id`: `GET /users/42/orders/3f2b...` and `GET /users/7/orders/9c1d...` are
 * both `GET /users/:id/orders/:id`. The query string and fragment are dropped.
 *
 * A segment is an identifier when it is
 * - a number (`42`),
 * - a UUID (`3f2b8c1e-9a4d-4e2f-8b1a-0c9d8e7f6a5b`),
 * - hex of 8 characters or more with at least one digit (`9c1d0e7f`, a sha),
 * - a token of 16 characters or more of the base64 / base64url alphabet with at
 *   least one digit (`aGVsbG8gd29ybGQ1MjM0`, `Zm9v_YmFy-123456`), which also
 *   takes long slugs ending in a date; a route table of slugs would be no use.
 * Words (`users`, `health`, `deadbeef` has no digit) stay as they are.
 */
export const ID_SEGMENT = ':id';

const NUMBER = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]{8,}$/i;
const TOKEN = /^[A-Za-z0-9+/=_.~-]{16,}$/;
const DIGIT = /\d/;

export function isIdSegment(segment: string): boolean {
  if (NUMBER.test(segment) || UUID.test(segment)) return true;
  if (!DIGIT.test(segment)) return false;
  return HEX.test(segment) || TOKEN.test(segment);
}

/** `GET /users/:id`: the method in upper case, the path with identifiers as `:id`. */
export function routePattern(method: string, uri: string): string {
  const end = uri.search(/[?#]/);
  const path = end === -1 ? uri : uri.slice(0, end);
  const pattern = path
    .split('/')
    .map((segment) => (isIdSegment(segment) ? ID_SEGMENT : segment))
    .join('/');
  return `${method.toUpperCase()} ${pattern.startsWith('/') ? pattern : `/${pattern}`}`;
}
