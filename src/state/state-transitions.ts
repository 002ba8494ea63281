import { OperationFailedError } from '../errors.js';
import {
  HISTORY_LIMIT,
  STATE_SCHEMA_VERSION,
  type Canary,
  type HistoryEntry,
  type Operation,
  type Outcome,
  type PhaseTiming,
  type ServiceTargets,
  type State,
} from './state-schema.js';

/**
 * Pure transitions of the state: each takes a state (and the time, never read
 * from the clock here) and returns a new one, leaving its input untouched.
 * The caller writes the result with writeState while it holds the lock.
 *
 * Lifecycle of an operation:
 *   startOperation -> enterPhase* / updateCanary* -> finishOperation
 * Only finishOperation with outcome `succeeded` moves `active` and `standby`;
 * until then the operation record (its phase) says how far it got, which is
 * what crash recovery needs.
 */

export function emptyState(project: string): State {
  return { schemaVersion: STATE_SCHEMA_VERSION, project, active: null, standby: null, operation: null, history: [], targets: {} };
}

/** What the caller decides when an operation starts; the timing fields are filled in here. */
export type OperationStart = Omit<Operation, 'startedAt' | 'phaseStartedAt' | 'phases' | 'stopOld' | 'previousStandby' | 'parked'> &
  Partial<Pick<Operation, 'stopOld' | 'previousStandby' | 'parked'>>;

export function startOperation(state: State, start: OperationStart, now: Date): State {
  const current = state.operation;
  if (current !== null) {
    // The lock rules out a concurrent one, so this one was interrupted; dropping it would lose what recovery needs.
    throw new OperationFailedError(
      `an interrupted ${current.kind} to ${current.toVersion} (${current.toColor}, phase ${current.phase}, started ${current.startedAt} by pid ${current.pid} on ${current.host}) is recorded in the state file`,
      { hint: '`cutover status` shows where traffic really is; resolve the interrupted operation before starting another' },
    );
  }
  const at = now.toISOString();
  return { ...state, operation: { stopOld: false, previousStandby: null, parked: [], ...start, startedAt: at, phaseStartedAt: at, phases: [] } };
}

/** Moves the operation to `phase`, recording how long the previous phase took. Re-entering the current phase changes nothing. */
export function enterPhase(state: State, phase: string, now: Date): State {
  const operation = requireOperation(state, 'enterPhase');
  if (operation.phase === phase) return state;
  return {
    ...state,
    operation: { ...operation, phase, phaseStartedAt: now.toISOString(), phases: [...operation.phases, closePhase(operation, now)] },
  };
}

export function updateCanary(state: State, canary: Canary): State {
  const operation = requireOperation(state, 'updateCanary');
  return { ...state, operation: { ...operation, canary } };
}

export interface OperationEnd {
  outcome: Outcome;
  /** Why it did not succeed, in the words shown to the user. */
  reason?: string;
  /** Set when another command finished or undid it after its own process died. */
  recovered?: HistoryEntry['recovered'];
  /** Not succeeded: the parked standby was brought back (healthy), so it is the standby again. */
  standbyRestored?: boolean;
}

/** Records, before they are parked, the containers of the standby this operation's color held. */
export function recordParked(state: State, parked: Operation['parked'], previousStandby: Operation['previousStandby']): State {
  const operation = requireOperation(state, 'recordParked');
  return { ...state, operation: { ...operation, parked: [...operation.parked, ...parked], previousStandby } };
}

/**
 * Ends the operation and appends it to the history.
 * - succeeded: traffic is on `toColor`; the color it came from becomes the standby.
 *   The operation's image identities (`images`) become the active ones, the
 *   ones it started from (`fromImages`) the standby's; the history entry keeps both.
 * - otherwise: traffic stayed on (or went back to) the old color, so `active`
 *   is unchanged. A deploy or canary used the standby's color for the new
 *   version, so that standby no longer exists (its containers were replaced);
 *   a failed rollback leaves the standby as it was.
 */
export function finishOperation(state: State, end: OperationEnd, now: Date): State {
  const operation = requireOperation(state, 'finishOperation');
  const finishedAt = now.toISOString();
  const entry: HistoryEntry = {
    id: operation.id,
    kind: operation.kind,
    version: operation.toVersion,
    color: operation.toColor,
    fromVersion: operation.fromVersion,
    fromColor: operation.fromColor,
    startedAt: operation.startedAt,
    finishedAt,
    outcome: end.outcome,
    ...(end.reason === undefined ? {} : { reason: end.reason }),
    phases: [...operation.phases, closePhase(operation, now)],
    ...(end.recovered === undefined ? {} : { recovered: end.recovered }),
    // Image identity (v2): what the operation started and what ran before it.
    ...(operation.images === undefined ? {} : { images: operation.images }),
    ...(operation.fromImages === undefined ? {} : { fromImages: operation.fromImages }),
    ...(operation.migration === undefined ? {} : { migration: operation.migration }),
  };
  const recorded = { ...recordDeployment(state, entry), operation: null };

  // Cleanup moves no traffic: what is live stays; the standby is what it removes.
  if (operation.kind === 'cleanup') return { ...recorded, standby: null };
  // A reset that succeeded left the colors for plain Compose mode: no color is active, none recorded in Caddy; the history stays.
  // One undone left everything as it was.
  if (operation.kind === 'reset') return end.outcome === 'succeeded' ? { ...recorded, active: null, standby: null, targets: {} } : recorded;
  if (end.outcome === 'succeeded') {
    const { fromColor, fromVersion, toColor, toVersion } = operation;
    return {
      ...recorded,
      // `since` is the end of the operation (after verify and drain), a few seconds after the switch itself.
      active: { color: toColor, version: toVersion, since: finishedAt, ...(operation.images === undefined ? {} : { images: operation.images }) },
      standby:
        fromColor !== null && fromVersion !== null && fromColor !== toColor
          ? { color: fromColor, version: fromVersion, ...(operation.fromImages === undefined ? {} : { images: operation.fromImages }) }
          : null,
    };
  }
  if (end.standbyRestored === true && operation.previousStandby !== null) return { ...recorded, standby: operation.previousStandby };
  const standbyReplaced = operation.kind !== 'rollback' && state.standby?.color === operation.toColor;
  return standbyReplaced ? { ...recorded, standby: null } : recorded;
}

/** Appends a finished operation to the history, dropping the oldest entries beyond `limit`. */
export function recordDeployment(state: State, entry: HistoryEntry, limit: number = HISTORY_LIMIT): State {
  const history = [...state.history, entry];
  return { ...state, history: history.slice(Math.max(0, history.length - limit)) };
}

/** Records the dials Caddy was pointed at for one service, for drift detection. */
export function recordTargets(state: State, service: string, targets: ServiceTargets): State {
  return { ...state, targets: { ...state.targets, [service]: targets } };
}

function closePhase(operation: Operation, now: Date): PhaseTiming {
  // A clock stepping backwards must not produce a negative duration (the schema refuses it).
  const ms = Math.max(0, now.getTime() - Date.parse(operation.phaseStartedAt));
  return { name: operation.phase, ms };
}

function requireOperation(state: State, caller: string): Operation {
  if (state.operation === null) throw new Error(`bug: ${caller} called with no operation in progress`);
  return state.operation;
}
