import type { State } from '../state/state-schema.js';

/**
 * The state with the Caddy instances an operation switched recorded: the list
 * when there are several, no field for one Caddy (its state file stays as it
 * always was).
 */
export function withCaddyAdmins(state: State, addresses: readonly string[]): State {
  const { caddyAdmins: _left, ...rest } = state;
  return addresses.length > 1 ? { ...rest, caddyAdmins: [...addresses] } : rest;
}
