import type { LockStatus } from '../../state/deploy-lock.js';
import type { State } from '../../state/state-schema.js';
import { problem, type Problem } from './problem-rules.js';
import type { LockReport, OperationReport } from './status-report-types.js';

function lockReport(lock: LockStatus): LockReport {
  if (lock.kind === 'free') return { status: 'free' };
  if (lock.kind === 'unreadable') return { status: 'unreadable', problem: lock.problem };
  return { status: 'held', ...lock.holder, liveness: lock.liveness };
}

function operationReport(state: State | null, lock: LockStatus): OperationReport | null {
  const op = state?.operation ?? null;
  if (op === null) return null;
  const heldByIt = lock.kind === 'held' && lock.holder.pid === op.pid && lock.holder.host === op.host && lock.liveness !== 'dead';
  const status = op.phase === 'paused' || op.canary?.paused === true ? 'paused' : heldByIt ? 'in-progress' : 'interrupted';
  const { canary } = op;
  return {
    id: op.id,
    kind: op.kind,
    status,
    phase: op.phase,
    phaseSince: op.phaseStartedAt,
    startedAt: op.startedAt,
    pid: op.pid,
    host: op.host,
    fromColor: op.fromColor,
    toColor: op.toColor,
    fromVersion: op.fromVersion,
    toVersion: op.toVersion,
    canary:
      canary === undefined
        ? null
        : {
            steps: [...canary.steps],
            stepIndex: canary.stepIndex,
            weights: { ...canary.weights },
            paused: canary.paused,
            analysis: canary.analysis === undefined ? null : { at: canary.analysis.at, figures: { ...canary.analysis.figures } },
          },
  };
}

function operationProblems(operation: OperationReport | null, lock: LockReport): Problem[] {
  const problems: Problem[] = [];
  if (operation?.status === 'interrupted') {
    problems.push(
      problem(
        'operation-interrupted',
        `an interrupted ${operation.kind} to ${operation.toVersion} (${operation.toColor}) is recorded: its process (pid ${operation.pid} on ${operation.host}) died in phase ${operation.phase} (entered ${operation.phaseSince})`,
        `run cutover reconcile to settle it: finished when Caddy already sends everything to ${operation.toColor}, otherwise undone (every other cutover command does that first by itself)`,
      ),
    );
  }
  if (lock.status === 'held' && lock.liveness === 'dead') {
    problems.push(problem('lock-stale', `the lock is held by ${lock.command}, pid ${lock.pid}, which is gone`, 'the next cutover command takes it over'));
  }
  if (lock.status === 'unreadable') {
    problems.push(problem('lock-unreadable', `the lock file exists but is unreadable (${lock.problem})`, 'if no cutover is running, remove it'));
  }
  return problems;
}

/** The operation in progress, paused or interrupted, and the lock. */
export function operationSection(state: State | null, lockStatus: LockStatus): { operation: OperationReport | null; lock: LockReport; problems: Problem[] } {
  const operation = operationReport(state, lockStatus);
  const lock = lockReport(lockStatus);
  return { operation, lock, problems: operationProblems(operation, lock) };
}
