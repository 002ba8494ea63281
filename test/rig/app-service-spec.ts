import type { ServiceSpec } from '../../src/config/model.js';
import { makeSpec } from '../fixtures/make-service.js';
import { APP_PORT } from './test-image.js';

/** The test app's own probe: exit 0 on a 2xx from /health, else exit 1 printing `<status> <body>`. */
export const APP_HEALTHCHECK = ['CMD', 'node', '/app/server.mjs', '--probe', `http://127.0.0.1:${APP_PORT}/health`];

/**
 * A ServiceSpec for the test app, built by hand (the config loader is tested on
 * its own): published on 127.0.0.1 at an ephemeral port, healthcheck every 1 s
 * (Docker 20.10 reports healthy only after the first interval), 5 s grace.
 */
export function appServiceSpec(overrides: Partial<ServiceSpec> & Pick<ServiceSpec, 'name' | 'image'>): ServiceSpec {
  return makeSpec({
    ports: [{ hostIp: '127.0.0.1', hostPort: undefined, containerPort: APP_PORT, protocol: 'tcp' }],
    healthcheck: { test: APP_HEALTHCHECK, intervalMs: 1000, timeoutMs: 3000, retries: 1, startPeriodMs: undefined, startIntervalMs: undefined },
    stopGracePeriodMs: 5000,
    ...overrides,
  });
}
