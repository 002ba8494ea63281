import type { TestScope } from './run-id.js';
import { APP_PORT } from './test-image.js';

/**
 * One colored service of a test project's compose.yml: the test app image of
 * the scope at ${VERSION}, the scope's labels (so the sweep finds its
 * containers), the app's own health probe, and the env switches tests use.
 */
export function appComposeService(scope: TestScope, service: string, options: { startPeriod?: string; image?: string } = {}): string {
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
      test: ['CMD', 'node', '/app/server.mjs', '--probe', 'http://127.0.0.1:${APP_PORT}/health']
      interval: 1s
      # Generous: on a loaded 2-core machine a probe can take seconds, and one slow probe must not flake a test.
      timeout: 10s
      retries: 3${options.startPeriod === undefined ? '' : `\n      start_period: ${options.startPeriod}`}
    stop_grace_period: 10s
    networks: [net]`;
}
