import type { TestScope } from './run-id.js';
import { APP_PORT } from './test-image.js';

/**
 * The healthcheck of the test projects' containers. busybox wget costs about
 * 10 ms of CPU a check; the app's own `node server.mjs --probe` about 200 ms,
 * and at one check a second every container kept a fifth of a core busy: a
 * suite with a dozen containers up spent the machine on its healthchecks.
 * The node probe prints the answer's body ("500 unhealthy: v2 still
 * booting"), which a test of the health output may ask for.
 */
export type HealthProbe = 'wget' | 'node';

const healthTest = (probe: HealthProbe): string => {
  const url = `http://127.0.0.1:${APP_PORT}/health`;
  return probe === 'node' ? `['CMD', 'node', '/app/server.mjs', '--probe', '${url}']` : `['CMD', 'wget', '-q', '-O', '/dev/null', '${url}']`;
};

/**
 * One colored service of a test project's compose.yml: the test app image of
 * the scope at ${VERSION}, the scope's labels (so the sweep finds its
 * containers), a health probe, and the env switches tests use.
 */
export function appComposeService(scope: TestScope, service: string, options: { startPeriod?: string; image?: string; healthProbe?: HealthProbe } = {}): string {
  const labels = Object.entries(scope.labels).map(([k, v]) => `      ${k}: "${v}"`).join('\n');
  return `  ${service}:
    image: ${options.image ?? `${scope.prefix}-app:\${VERSION}`}
    environment:
      HEALTH_FAIL: \${HEALTH_FAIL:-0}
      HEALTH_FAIL_MS: \${HEALTH_FAIL_MS:-0}
      START_DELAY_MS: \${START_DELAY_MS:-0}
    labels:
${labels}
    healthcheck:
      test: ${healthTest(options.healthProbe ?? 'wget')}
      interval: 1s
      # Generous: on a loaded 2-core machine a probe can take seconds, and one slow probe must not flake a test.
      timeout: 10s
      retries: 3${options.startPeriod === undefined ? '' : `\n      start_period: ${options.startPeriod}`}
    stop_grace_period: 10s
    networks: [net]`;
}
