/**
 * The reference stack end to end: the reference repository's final files
 * (compose.yml, both overlays with separate `<service>-<color>` services, the
 * Caddyfile that sends `platform` to ports 3000, 3210, 3211 and 6791 through
 * nine reverse_proxy handlers), Caddy as the stack's own `proxy` service on the
 * compose network, stand-in images under the stack's image names (see
 * test/rig/reference-stack-project.ts for the few mechanical changes a shared
 * test machine needs). Deploy v1, then v2 and a rollback under a short load on
 * every route: no failed request, and after each switch every route is answered
 * by the new version on the port its handler names (test/rig/reference-stack-suite.ts).
 * The first overlay style is in reference-stack-first.test.ts.
 */
import { FINAL_ROUTES, referenceStackSuite } from '../rig/reference-stack-suite.js';
import { FINAL_SEED } from '../rig/reference-stack-project.js';

referenceStackSuite({
  name: 'final files',
  scope: 'refstack',
  seed: FINAL_SEED,
  caddyfile: FINAL_SEED,
  routes: FINAL_ROUTES,
  handlers: 9,
  colored: ['platform', 'rag', 'crawler', 'search'],
  shared: ['db', 'graph-db', 'proxy'],
  env: {},
});
