/**
 * Fault injection on real Docker and Caddy: a deploy, rollback or cleanup is
 * killed with SIGKILL at each phase (the moment is taken from its JSON log
 * events, never from a sleep), then the next command runs. Whatever the phase,
 * the invariant must hold afterwards:
 * - one live color, answering every request with the recorded active version;
 * - the state file consistent: no open operation, active = what Caddy does,
 *   the standby recorded only when its containers serve that version;
 * - no orphans: no parked container, no container of an unrecorded version;
 * - the history says what happened (the settled operation, with `recovered`);
 * - the lock released.
 * The cases are split over three files (crash-recovery-*.test.ts) so that the
 * test runner's workers share them; the cases and their project are in
 * test/rig/crash-deploy-kills.ts.
 *
 * This file: a deploy killed after Caddy took the switch; the next command finishes it.
 */
import { describe, test } from 'node:test';
import { crashProject, KILLS_AFTER_SWITCH, killDeployThenSettle, versionsFor } from '../rig/crash-deploy-kills.js';

describe('a deploy killed after the switch is finished by the next command', { concurrency: false }, () => {
  const crash = crashProject('crash-post', versionsFor(KILLS_AFTER_SWITCH));
  for (const kill of KILLS_AFTER_SWITCH) {
    test(`killed ${kill.where}; then ${kill.next}`, () => killDeployThenSettle(crash, kill));
  }
});
