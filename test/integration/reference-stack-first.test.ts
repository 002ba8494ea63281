/**
 * The reference stack's other overlay style end to end: the first blue-green
 * files of the reference repository (test/fixtures/seed-configs/bluegreen-v1-*),
 * whose compose.blue.yml and compose.green.yml are overlays that redefine
 * compose.yml's own services (the same names; `container_name: tale-<svc>-<color>`
 * and the alias `<svc>-<color>`; graph-db colored too), with their Caddyfile's
 * one handler to platform:3000. Same steps as reference-stack.test.ts: deploy
 * v1, then v2 and a rollback under load on every route. The changes to the
 * files are listed in test/rig/reference-stack-project.ts: an `image:` per
 * service (these files build every image), the plain alias written in the
 * overlays for the services without a handler, and the handler's
 * `to platform-blue:3000 platform-green:3000 platform:3000` (which color serves
 * left to Caddy's health checks; cutover refuses to guess) as the repository
 * itself later wrote it, `to platform:3000`.
 */
import { referenceStackSuite } from '../rig/reference-stack-suite.js';
import { V1_SEED } from '../rig/reference-stack-project.js';

referenceStackSuite({
  name: 'first files, overlays over compose.yml',
  scope: 'refstack-v1',
  seed: V1_SEED,
  caddyfile: V1_SEED,
  // One handler, everything to platform:3000; the paths only vary the requests.
  routes: [{ path: '/', port: 3000 }, { path: '/api/health', port: 3000 }, { path: '/dashboard/data', port: 3000 }],
  handlers: 1,
  colored: ['platform', 'rag', 'crawler', 'search', 'graph-db'],
  shared: ['db', 'proxy'],
  env: {},
});
