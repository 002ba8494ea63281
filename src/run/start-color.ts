import type { ServiceContainer } from '../adapters/docker/service-container.js';
import type { HealthChange, HealthCheckRun, HealthOutcome, HealthWaitResult } from '../adapters/docker/wait-until-healthy.js';
import type { Color, ProjectConfig, ServiceSpec } from '../config/model.js';
import { formatDuration } from '../domain/format-duration.js';
import { LABEL } from '../adapters/docker/docker-labels.js';
import { pinnedReference, type ImageIdentity } from '../domain/image-identity.js';
import { HealthTimeoutError } from '../errors.js';
import { materializeMountedFiles } from './materialize-mounted-files.js';
import type { Runtime } from './runtime.js';

function dockerNames(project: ProjectConfig): { networks: Record<string, string>; volumes: Record<string, string> } {
  return {
    networks: Object.fromEntries(Object.entries(project.networks).map(([key, spec]) => [key, spec.name])),
    volumes: Object.fromEntries(Object.entries(project.volumes).map(([key, spec]) => [key, spec.name])),
  };
}

/** Creates the project's networks and volumes that are not external and do not exist yet. */
export async function ensureProjectResources(runtime: Runtime, project: ProjectConfig): Promise<void> {
  const labels = { 'cutover.project': project.projectName };
  for (const spec of Object.values(project.networks)) if ((await runtime.docker.ensureNetwork(spec, labels)).created) runtime.logger.info({ event: 'docker.network.created', network: spec.name }, `created network ${spec.name}`);
  for (const spec of Object.values(project.volumes)) if ((await runtime.docker.ensureVolume(spec, labels)).created) runtime.logger.info({ event: 'docker.volume.created', volume: spec.name }, `created volume ${spec.name}`);
}

/**
 * Starts one service in one color (all replicas), or a shared service when
 * `color` is undefined. With an `image` identity the containers are created
 * from its pinned reference (digest or image ID, never the tag) and labelled
 * with the reference and digest, so `status` can show what they run.
 */
export async function startService(
  runtime: Runtime,
  project: ProjectConfig,
  spec: ServiceSpec,
  color: Color | undefined,
  version: string,
  image?: ImageIdentity | undefined,
  extraLabels: Record<string, string> = {},
): Promise<ServiceContainer[]> {
  const names = dockerNames(project);
  const withFiles = await materializeMountedFiles(project.projectDir, spec);
  return runtime.docker.startServiceColor({
    project: project.projectName,
    spec: image === undefined ? withFiles : { ...withFiles, image: pinnedReference(image) },
    color,
    version,
    networks: names.networks,
    volumes: names.volumes,
    extraLabels: { ...extraLabels, ...(image === undefined ? {} : { [LABEL.imageRef]: image.ref, ...(image.digest === null ? {} : { [LABEL.imageDigest]: image.digest }) }) },
  });
}

/** The stop_grace_period of a container's service and color (Docker's 10 s when the project does not say). */
export function stopGraceMs(project: ProjectConfig, container: ServiceContainer): number {
  const service = project.colored.find((s) => s.name === container.service);
  return service?.byColor[container.color ?? 'blue'].stopGracePeriodMs ?? 10_000;
}

/** Stops containers with their service's grace period, then removes them. */
export async function stopAndRemove(runtime: Runtime, project: ProjectConfig, containers: readonly ServiceContainer[]): Promise<void> {
  for (const container of containers) {
    if (container.state === 'running' || container.state === 'restarting') await runtime.docker.stopContainers([container.id], stopGraceMs(project, container));
  }
  await runtime.docker.removeContainers(containers.map((c) => c.id), { force: true });
}

/** The first line of a check's output, short enough for a progress line or a one-line error. */
function checkSummary(check: HealthCheckRun | undefined): string {
  if (check === undefined) return 'no check has run yet';
  const line = check.output.split('\n')[0]?.trim() ?? '';
  const text = line === '' ? '(no output)' : line.length > 120 ? `${line.slice(0, 117)}...` : line;
  return `last check exit ${check.exitCode}: ${text}`;
}

function describeLook(look: HealthChange): string {
  return `${look.name} ${look.state === 'running' ? look.health : look.state} (${checkSummary(look.lastCheck)})`;
}

function describeOutcome(outcome: HealthOutcome): string {
  const lines = [`${outcome.name}: ${outcome.verdict} (state ${outcome.state}, health ${outcome.health}${outcome.exitCode === undefined ? '' : `, exit code ${outcome.exitCode}`})`];
  if (outcome.lastCheck !== undefined) lines.push(`  last health check (exit ${outcome.lastCheck.exitCode}): ${outcome.lastCheck.output.trim() || '(no output)'}`);
  if (outcome.logTail.length > 0) lines.push('  last log lines:', ...outcome.logTail.map((line) => `    ${line}`));
  return lines.join('\n');
}

/** One line per failed container for the error: its verdict, health and last check. */
function failureSummary(outcome: HealthOutcome): string {
  if (outcome.verdict === 'exited') return `${outcome.name} exited${outcome.exitCode === undefined ? '' : ` with code ${outcome.exitCode}`}`;
  if (outcome.verdict === 'gone') return `${outcome.name} was removed`;
  if (outcome.verdict === 'undecided') return `${outcome.name} ${outcome.health === 'none' ? outcome.state : outcome.health} (not waited for)`;
  return `${outcome.name} ${outcome.health === 'none' ? outcome.state : outcome.health} (${checkSummary(outcome.lastCheck)})`;
}

/** What to do about it, for the case at hand: a stop, a failing check, or an app that needs longer. */
function failureHint(failed: readonly HealthOutcome[], options: { timeoutMs: number }): string {
  const timeout = `HEALTH_CHECK_TIMEOUT (now ${formatDuration(options.timeoutMs)})`;
  if (failed.some((o) => o.verdict === 'exited' || o.verdict === 'gone')) {
    return 'traffic was not touched. A container stopped: see its exit code and last log lines above';
  }
  if (failed.some((o) => o.verdict === 'unhealthy')) {
    return `traffic was not touched. Fail-fast (--fail-fast or HEALTH_FAIL_FAST) ended the wait at the first failed check: see its output above, or leave fail-fast off to wait up to ${timeout}`;
  }
  if (failed.some((o) => o.health === 'unhealthy')) {
    return `traffic was not touched. The health check still failed when ${timeout} ran out: see the check output above and fix the app or its healthcheck`;
  }
  const checksFailed = failed.some((o) => o.lastCheck !== undefined && o.lastCheck.exitCode !== 0);
  return `traffic was not touched. Still starting when ${timeout} ran out: raise HEALTH_CHECK_TIMEOUT if the app only needs longer${checksFailed ? ' (its last check failed: see the output above)' : ''}`;
}

/**
 * Waits until every container is healthy, logging each change of health and,
 * every `intervalMs`, where the containers not yet healthy stand (with their
 * last check's output); otherwise prints each failure's health output and log
 * tail and throws.
 */
export async function waitForHealthy(
  runtime: Runtime,
  containers: readonly ServiceContainer[],
  options: { timeoutMs: number; intervalMs: number; signal: AbortSignal; color: Color | 'plain'; failFast?: boolean | undefined },
): Promise<void> {
  const failFast = options.failFast === true;
  const latest = new Map<string, HealthChange>();
  const started = Date.now();
  const progress = setInterval(() => {
    const waiting = [...latest.values()].filter((look) => look.verdict !== 'healthy');
    if (waiting.length === 0) return;
    runtime.logger.info(
      { event: 'health.progress', color: options.color, elapsedMs: Date.now() - started, containers: waiting.map((w) => ({ name: w.name, state: w.state, health: w.health, lastCheck: w.lastCheck })) },
      `  waiting for ${options.color} (${formatDuration(Date.now() - started)} of ${formatDuration(options.timeoutMs)}): ${waiting.map(describeLook).join('; ')}`,
    );
  }, options.intervalMs);
  let result: HealthWaitResult;
  try {
    result = await runtime.docker.waitUntilHealthy(
      containers.map((c) => c.id),
      {
        timeoutMs: options.timeoutMs,
        // Docker's health events drive the wait; this is the safety-net inspect (HEALTH_CHECK_INTERVAL).
        pollIntervalMs: options.intervalMs,
        signal: options.signal,
        failFast,
        onLook: (look) => latest.set(look.id, look),
        onChange: (change) => {
          const fields = { event: 'health.changed', container: change.name, state: change.state, health: change.health, lastCheck: change.lastCheck };
          if (change.verdict === 'healthy') runtime.logger.info({ ...fields, event: 'health.healthy' }, `  ${change.name} is healthy`);
          else if (change.health === 'unhealthy' && change.verdict === 'pending') runtime.logger.info(fields, `  ${describeLook(change)}; waiting, it may still become healthy`);
          else runtime.logger.info(fields, `  ${describeLook(change)}`);
        },
      },
    );
  } finally {
    clearInterval(progress);
  }
  if (result.healthy) return;
  const failed = result.outcomes.filter((o) => o.verdict !== 'healthy');
  for (const outcome of failed) runtime.logger.error({ event: 'health.failed', container: outcome.name, verdict: outcome.verdict, health: outcome.health, lastCheck: outcome.lastCheck, logTail: outcome.logTail }, describeOutcome(outcome));
  throw new HealthTimeoutError(
    `${failed.length} of ${result.outcomes.length} ${options.color} container(s) did not become healthy (${formatDuration(result.elapsedMs)}): ${failed.map(failureSummary).join(', ')}`,
    { hint: failureHint(failed, { timeoutMs: options.timeoutMs }) },
  );
}
