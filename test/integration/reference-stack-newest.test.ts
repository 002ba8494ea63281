/**
 * The newest Caddyfile of the fixtures (test/fixtures/seed-configs/newest-index-*,
 * a later commit than newest-snapshot-*) end to end on Caddy 2.6.2, with the
 * reference repository's final compose files: its 2.7+ subdirectives removed
 * (`health_passes`, `log_skip`, and the status codes after `handle_errors`; see
 * test/rig/reference-stack-project.ts), and the services it reaches that those
 * files lack (`convex` on 3210, 3211 and 6791, `docs` on 3002) added as shared
 * stand-ins. Its seven handlers to platform:3000 (under /api/health, the
 * metrics paths, /dav/*, /screencast/* and the fallback) switch in one change;
 * the convex and docs handlers are never touched. Deploy v1, then v2 and a
 * rollback under load on every route (test/rig/reference-stack-suite.ts).
 */
import { referenceStackSuite } from '../rig/reference-stack-suite.js';
import { FINAL_SEED, NEWEST_CADDYFILE_SEED, NEWEST_EXTRA_SERVICES, SITE_HOST } from '../rig/reference-stack-project.js';

referenceStackSuite({
  name: 'newest Caddyfile',
  scope: 'refstack-new',
  seed: FINAL_SEED,
  caddyfile: NEWEST_CADDYFILE_SEED,
  routes: [
    { path: '/api/health', port: 3000 },
    { path: '/dav/notes.txt', port: 3000 },
    { path: '/screencast/1', port: 3000 },
    { path: '/', port: 3000 },
    // Shared services, started once with v1: never switched.
    { path: '/ws_api/api/1.0/sync', port: 3210, fixed: 'v1' },
    { path: '/http_api/hook', port: 3211, fixed: 'v1' },
    { path: '/convex-dashboard/data', port: 6791, fixed: 'v1' },
    { path: '/api/query', port: 3211, fixed: 'v1' },
    { path: '/guide', port: 3002, fixed: 'v1', headers: { host: `docs.${SITE_HOST}` } },
  ],
  handlers: 7,
  colored: ['platform', 'rag', 'crawler', 'search'],
  shared: ['db', 'graph-db', 'proxy', 'convex', 'docs'],
  extraServices: NEWEST_EXTRA_SERVICES,
  env: {},
});
