import os from 'node:os';
import { basename } from 'node:path';
import type { ServiceContainer } from '../adapters/docker/service-container.js';
import { LABEL } from '../adapters/docker/docker-labels.js';
import { BASE_FILES } from '../config/load-project.js';
import type { ProjectConfig } from '../config/model.js';
import { planReset, type ResetPlan } from '../domain/plan-reset.js';
import { ConfigInvalidError, OperationFailedError, RollbackFailedError } from '../errors.js';
import type { Operation } from '../state/state-schema.js';
import { displayPath, stateFilePath } from '../state/state-paths.js';
import { emptyState, enterPhase, finishOperation, startOperation } from '../state/state-transitions.js';
import { finishReset } from './finish-reset.js';
import { loadProjectForInspection } from './load-project-for-inspection.js';
import type { Observation } from './observe-project.js';
import { preflight } from './preflight.js';
import { runSteps, type Step } from './run-steps.js';
import type { Runtime } from './runtime.js';
import { sendTrafficBack } from './send-traffic-back.js';
import { ensureProjectResources, startService, stopAndRemove, waitForHealthy } from './start-color.js';
import { StateKeeper } from './state-keeper.js';
import { switchAllToPlain } from './switch-all.js';
import { undoStartedColor } from './undo-started-color.js';

export type { ResetPlan };

/** What reset is about to do, for the confirmation and --dry-run. */
export interface ResetPreview {
  plan: ResetPlan;
  /** The state file: kept, with its history; no color recorded as active afterwards. */
  stateFile: string;
  healthCheckTimeoutMs: number;
  drainTimeoutMs: number;
}

export interface ResetResult {
  preview: ResetPreview;
  done: boolean;
  /** The containers removed (names), once done. */
  removed: string[];
}

/** The name compose.yml was read under, for the problems (`compose.yml`, `compose.yaml`, ...). */
function baseFileOf(project: ProjectConfig): string {
  const base = project.files.map((file) => basename(file)).find((name) => BASE_FILES.includes(name));
  return base ?? 'compose.yml';
}

function operationOf(journal: StateKeeper): Operation {
  const operation = journal.state.operation;
  if (operation === null) throw new Error('bug: a reset step ran with no operation in the journal');
  return operation;
}

/** Plans the reset over what preflight observed; refuses, before any change, what cannot be reset. */
function planFrom(project: ProjectConfig, observation: Observation): ResetPlan {
  const active = observation.state?.active ?? null;
  const result = planReset({
    colored: project.colored,
    view: observation.traffic,
    containers: observation.containers,
    active: active === null ? null : { version: active.version, images: active.images },
    baseFile: baseFileOf(project),
  });
  if (result.ok) return result.plan;
  if ('problems' in result) throw new ConfigInvalidError(result.problems, { hint: 'nothing was changed; reset starts the plain services before it leaves the colors, so Caddy must be able to reach each one' });
  throw new OperationFailedError(result.refusal, { hint: result.hint });
}

/**
 * `cutover reset`: back to plain Compose mode without an outage, journaled
 * like every operation (kind `reset`):
 * 1. `starting`: start each colored service as compose.yml alone defines it
 *    (the plain service, running the active version), labelled with the
 *    operation; plain containers an earlier reset left are replaced;
 * 2. `waiting-healthy`: Docker's healthcheck, up to HEALTH_CHECK_TIMEOUT;
 * 3. `switching`: one If-Match change points Caddy at the plain services;
 * 4. then the finish path (finish-reset.ts): drain the color left, remove
 *    every blue and green container, record plain Compose mode.
 * A failure or Ctrl-C before the switch is acknowledged undoes it (plain
 * containers removed, traffic never moved); after it, the reset completes.
 * A kill anywhere is settled by the next command the same way.
 */
export async function reset(runtime: Runtime, options: { dryRun: boolean; confirm: (preview: ResetPreview) => Promise<boolean>; signal: AbortSignal }): Promise<ResetResult> {
  const { logger } = runtime;
  const project = await loadProjectForInspection(runtime);
  const { lock, observation } = await preflight(runtime, project, { command: 'reset', dryRun: options.dryRun, signal: options.signal });
  try {
    const plan = planFrom(project, observation);
    const preview: ResetPreview = {
      plan,
      stateFile: displayPath(stateFilePath(runtime.stateDir)),
      healthCheckTimeoutMs: project.settings.healthCheckTimeoutMs,
      drainTimeoutMs: project.settings.drainTimeoutMs,
    };
    if (plan.kind === 'already-plain' && plan.remove.length === 0) {
      logger.info({ event: 'reset.done', removed: [] }, 'plain Compose mode already; nothing to do');
      return { preview, done: !options.dryRun, removed: [] };
    }
    if (options.dryRun || !(await options.confirm(preview))) return { preview, done: false, removed: [] };
    const journal = await openJournal(runtime, project, observation, plan);
    if (plan.kind === 'already-plain') return { preview, done: true, removed: await removeColorsLeft(runtime, project, journal, plan) };

    await runResetSteps(runtime, journal, resetSteps(runtime, project, journal, plan), options.signal);
    const finished = await finishReset(runtime, project, journal, { signal: options.signal });
    logger.info({ event: 'reset.done', removed: finished.removed, drained: finished.drained }, `plain Compose mode: ${plan.start.map((s) => s.service).join(', ')} serve ${plan.version}; removed ${finished.removed.length} blue/green container(s)`);
    return { preview, done: true, removed: finished.removed };
  } finally {
    await lock?.release();
  }
}

type SwitchPlan = Extract<ResetPlan, { kind: 'switch' }>;
type AlreadyPlainPlan = Extract<ResetPlan, { kind: 'already-plain' }>;

/** Records the reset as the operation in progress (phase `preflight`) before its first change. */
async function openJournal(runtime: Runtime, project: ProjectConfig, observation: Observation, plan: ResetPlan): Promise<StateKeeper> {
  const fromColor = plan.kind === 'switch' ? plan.fromColor : null;
  const recordedColor = observation.state?.active?.color ?? plan.remove.find((c) => c.color !== undefined)?.color ?? 'blue';
  const journal = new StateKeeper(
    runtime.stateDir,
    startOperation(
      observation.state ?? emptyState(project.projectName),
      {
        id: `reset-${runtime.now().toISOString()}`,
        kind: 'reset',
        fromColor,
        fromVersion: plan.version,
        toColor: fromColor ?? recordedColor,
        toVersion: plan.version ?? 'plain',
        phase: 'preflight',
        pid: process.pid,
        host: os.hostname(),
      },
      runtime.now(),
    ),
  );
  await journal.update((s) => s);
  return journal;
}

/** Caddy already uses the plain services: only the blue/green containers left are removed. */
async function removeColorsLeft(runtime: Runtime, project: ProjectConfig, journal: StateKeeper, plan: AlreadyPlainPlan): Promise<string[]> {
  await journal.update((s) => enterPhase(s, 'removing', runtime.now()));
  await stopAndRemove(runtime, project, plan.remove);
  await journal.update((s) => finishOperation(s, { outcome: 'succeeded', reason: 'Caddy already used the plain services' }, runtime.now()));
  const removed = plan.remove.map((c) => c.name);
  runtime.logger.info({ event: 'reset.done', removed }, `plain Compose mode; removed ${plan.remove.length} blue/green container(s)`);
  return removed;
}

/** The phases before the finish path: start the plain services, wait until healthy, switch Caddy to them. */
function resetSteps(runtime: Runtime, project: ProjectConfig, journal: StateKeeper, plan: SwitchPlan): Step[] {
  const { logger } = runtime;
  return [
    {
      phase: 'starting',
      title: `start the plain services (${plan.start.map((s) => s.service).join(', ')}) running ${plan.version}`,
      run: () => startPlainServices(runtime, project, operationOf(journal), plan),
      undo: async () => {
        await undoStartedColor(runtime, project, operationOf(journal), { keepNew: false });
      },
    },
    {
      phase: 'waiting-healthy',
      title: 'wait until the plain services are healthy',
      run: async (signal) => {
        const operation = operationOf(journal);
        const started = (await runtime.docker.listContainers({ project: project.projectName })).filter((c: ServiceContainer) => c.operation === operation.id);
        const { healthCheckTimeoutMs: timeoutMs, healthCheckIntervalMs: intervalMs, healthFailFast: failFast } = project.settings;
        await waitForHealthy(runtime, started, { timeoutMs, intervalMs, signal, color: 'plain', failFast });
      },
    },
    {
      phase: 'switching',
      title: `switch all services from ${plan.fromColor} to the plain services`,
      run: async () => {
        const outcome = await switchAllToPlain(runtime, project, 'sends every service to its plain service', { keepPreviews: true });
        for (const s of outcome.plan.services) logger.info({ event: 'switch.service', service: s.service, to: s.dials }, `  ${s.service} -> ${s.dials.join(' ')}`);
      },
      // Planned again over Caddy's config as it is: back on the color the reset started from.
      undo: () => sendTrafficBack(runtime, project, operationOf(journal)),
    },
  ];
}

/** Starts each plain service labelled with the operation, replacing plain containers an earlier reset left. */
async function startPlainServices(runtime: Runtime, project: ProjectConfig, operation: Operation, plan: SwitchPlan): Promise<void> {
  const { logger } = runtime;
  await ensureProjectResources(runtime, project);
  if (plan.replacePlain.length > 0) {
    logger.info({ event: 'reset.replace-plain', containers: plan.replacePlain.map((c) => c.name) }, `  replace ${plan.replacePlain.map((c) => c.name).join(', ')} (left by an earlier reset, serving nothing)`);
    await stopAndRemove(runtime, project, plan.replacePlain);
  }
  const results = await Promise.allSettled(
    plan.start.map(async (start) => {
      const containers = await startService(runtime, project, start.spec, undefined, plan.version, start.image, { [LABEL.operation]: operation.id });
      logger.info({ event: 'container.started', service: start.service, containers: containers.map((c) => c.name) }, `  started ${containers.map((c) => c.name).join(', ')}`);
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    // A step that fails is not undone by runSteps: remove what this one started.
    await undoStartedColor(runtime, project, operation, { keepNew: false }).catch(() => undefined);
    throw failed.reason;
  }
}

/** Runs the steps, journaling each phase; a failure is recorded, or, when part of the undo failed, left open for the next command. */
async function runResetSteps(runtime: Runtime, journal: StateKeeper, steps: Step[], signal: AbortSignal): Promise<void> {
  const { logger } = runtime;
  try {
    await runSteps(steps, {
      logger,
      signal,
      onPhase: async (phase) => {
        await journal.update((s) => enterPhase(s, phase, runtime.now()));
      },
    });
  } catch (error) {
    if (error instanceof RollbackFailedError) {
      // Part of the undo failed: the journal stays open so that the next command finishes undoing it.
      logger.error({ event: 'operation.left-open', phase: journal.state.operation?.phase }, 'left the reset open in the state file: the next cutover command (or cutover reconcile) finishes undoing it');
      throw error;
    }
    const reason = error instanceof Error ? error.message : String(error);
    await journal.update((s) => finishOperation(s, { outcome: 'failed', reason }, runtime.now())).catch((writeError: unknown) =>
      logger.error({ event: 'state.write.failed', err: String(writeError) }, `could not record the failure in the state file: ${String(writeError)}`),
    );
    throw error;
  }
}
