import type { ImageIdentity, State } from '../../../src/state/state-schema.js';

/** An image identity whose id and digest are made of one repeated hex digit, for readable fixtures. */
export function identity(ref: string, idDigit: string, digestDigit: string | null): ImageIdentity {
  return { ref, id: `sha256:${idDigit.repeat(64)}`, digest: digestDigit === null ? null : `sha256:${digestDigit.repeat(64)}` };
}

/** A state with every part filled in, canary and targets included. */
export const fullState: State = {
  schemaVersion: 2,
  project: 'tale',
  active: { color: 'blue', version: 'v1.0.0', since: '2024-05-01T12:00:03.000Z', images: { platform: identity('ghcr.io/acme/platform:v1.0.0', 'a', 'b') } },
  standby: { color: 'green', version: 'v0.9.0', images: { platform: identity('ghcr.io/acme/platform:v0.9.0', 'c', null) } },
  operation: {
    id: 'op-2',
    kind: 'canary',
    fromColor: 'blue',
    toColor: 'green',
    fromVersion: 'v1.0.0',
    toVersion: 'v1.1.0',
    phase: 'canary-step',
    phaseStartedAt: '2024-05-02T08:01:00.000Z',
    phases: [{ name: 'starting', ms: 4000 }, { name: 'waiting-healthy', ms: 21000 }],
    startedAt: '2024-05-02T08:00:35.000Z',
    pid: 4242,
    host: 'web1',
    stopOld: false,
    previousStandby: null,
    parked: [],
    images: { platform: identity('ghcr.io/acme/platform:v1.1.0', 'd', 'e') },
    fromImages: { platform: identity('ghcr.io/acme/platform:v1.0.0', 'a', 'b') },
    canary: {
      steps: [10, 25, 50],
      stepIndex: 1,
      pauseAfter: [],
      paused: false,
      originalLoadBalancing: { platform: null },
      weights: { blue: 75, green: 25 },
      analysis: { at: '2024-05-02T08:02:00.000Z', figures: { requests: 1200, errors: 3, errorRate: 0.0025 } },
    },
  },
  history: [
    {
      id: 'op-1',
      kind: 'deploy',
      version: 'v1.0.0',
      color: 'blue',
      fromVersion: 'v0.9.0',
      fromColor: 'green',
      startedAt: '2024-05-01T11:59:00.000Z',
      finishedAt: '2024-05-01T12:00:40.000Z',
      outcome: 'succeeded',
      phases: [{ name: 'switching', ms: 7 }],
      images: { platform: identity('ghcr.io/acme/platform:v1.0.0', 'a', 'b') },
      fromImages: { platform: identity('ghcr.io/acme/platform:v0.9.0', 'c', null) },
    },
  ],
  targets: {
    platform: { caddyAdmin: 'http://127.0.0.1:2019', blue: ['platform-blue:8000'], green: ['platform-green:8000'] },
  },
};
