import type { ObservedFailure } from './status-input.js';

export type ProblemKind =
  | 'caddy-unreachable'
  | 'caddy-error'
  | 'caddy-config'
  | 'caddy-upstreams'
  | 'docker-unreachable'
  | 'docker-error'
  | 'config-invalid'
  | 'state-invalid'
  | 'state-project'
  | 'state-missing'
  | 'drift'
  | 'drift-unchecked'
  | 'active-unhealthy'
  | 'standby-not-ready'
  | 'shared-missing'
  | 'operation-interrupted'
  | 'previews-missing'
  | 'lock-stale'
  | 'lock-unreadable'
  | 'traffic-log-left';

export interface Problem {
  kind: ProblemKind;
  /** `error` decides the exit code; `warning` is worth knowing but not wrong. */
  severity: 'error' | 'warning';
  message: string;
  hint: string | null;
  /** Every problem when there are several (an invalid configuration). */
  details: string[];
  /** The exit code this problem stands for; null for warnings. */
  exitCode: number | null;
}

/** Reads that failed: their typed error gave the exit code (4 Caddy unreachable, 7 Docker, 11 state file, ...). */
export type FailureKind = 'caddy-unreachable' | 'caddy-error' | 'docker-unreachable' | 'docker-error' | 'config-invalid' | 'state-invalid';
/** Problems status finds by comparing what it read. */
export type CheckedKind = Exclude<ProblemKind, FailureKind>;

/**
 * What a kind of problem weighs: its severity, and as an error the exit code
 * it stands for (the CLI's contract, listed in src/errors.ts: 3 invalid
 * configuration, 13 drift); `of-failure`: the code of the failed read's error.
 */
export type ProblemRule = { severity: 'error'; exitCode: number | 'of-failure' } | { severity: 'warning'; exitCode: null };
type CheckedRule = { severity: 'error'; exitCode: number } | { severity: 'warning'; exitCode: null };

const WARNING = { severity: 'warning', exitCode: null } as const;

const CHECKED_RULES: Readonly<Record<CheckedKind, CheckedRule>> = {
  /** A warning instead while Docker cannot be read: the published ports a host-mode dial names are unknown. */
  'caddy-config': { severity: 'error', exitCode: 3 },
  /** A warning instead while an operation in progress or interrupted explains it. */
  drift: { severity: 'error', exitCode: 13 },
  'active-unhealthy': { severity: 'error', exitCode: 13 },
  'operation-interrupted': { severity: 'error', exitCode: 13 },
  'caddy-upstreams': WARNING,
  'state-project': WARNING,
  'state-missing': WARNING,
  'drift-unchecked': WARNING,
  'standby-not-ready': WARNING,
  'shared-missing': WARNING,
  'previews-missing': WARNING,
  'lock-stale': WARNING,
  'lock-unreadable': WARNING,
  'traffic-log-left': WARNING,
};

const OF_FAILURE = { severity: 'error', exitCode: 'of-failure' } as const;

export const PROBLEM_RULES: Readonly<Record<ProblemKind, ProblemRule>> = {
  'caddy-unreachable': OF_FAILURE,
  'caddy-error': OF_FAILURE,
  'docker-unreachable': OF_FAILURE,
  'docker-error': OF_FAILURE,
  'config-invalid': OF_FAILURE,
  'state-invalid': OF_FAILURE,
  ...CHECKED_RULES,
};

export interface ProblemOptions {
  details?: string[];
  /** Report an error kind as a warning: something known explains it (see the rules above). */
  explained?: boolean;
}

/** A problem of `kind`, weighed by its rule. */
export function problem(kind: CheckedKind, message: string, hint: string | null = null, options: ProblemOptions = {}): Problem {
  const rule = CHECKED_RULES[kind];
  const details = options.details ?? [];
  if (rule.severity === 'warning' || options.explained === true) return { kind, severity: 'warning', message, hint, details, exitCode: null };
  return { kind, severity: 'error', message, hint, details, exitCode: rule.exitCode };
}

/** A read that failed: an error with the exit code of its own typed error. */
export function problemFromFailure(kind: FailureKind, failure: ObservedFailure): Problem {
  return { kind, severity: 'error', message: failure.message, hint: failure.hint, details: failure.details, exitCode: failure.exitCode };
}

/** Errors first, in the order found (the most fundamental decides the exit code), then warnings. */
export function orderProblems(problems: readonly Problem[]): Problem[] {
  return [...problems.filter((p) => p.severity === 'error'), ...problems.filter((p) => p.severity === 'warning')];
}

/** 0 when nothing is an error, else the exit code of the first error. */
export function exitCodeOf(ordered: readonly Problem[]): number {
  return ordered.find((p) => p.severity === 'error')?.exitCode ?? 0;
}
