import type { ServiceContainer } from '../adapters/docker/service-container.js';
import type { HealthOutcome } from '../adapters/docker/wait-until-healthy.js';
import type { Color, ProjectConfig, ServiceSpec } from '../config/model.js';
import { LABEL } from '../adapters/docker/docker-labels.js';
import { pinnedReference, type ImageIdentity } from '../domain/image-identity.js';
import { HealthTimeoutError } from '../errors.js';
import type { Runtime } from './runtime.js';
import { formatMs } from './run-steps.js';

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
): Promise<ServiceContainer[]> {
  const names = dockerNames(project);
  return runtime.docker.startServiceColor({
    project: project.projectName,
    spec: image === undefined ? spec : { ...spec, image: pinnedReference(image) },
    color,
    version,
    networks: names.networks,
    volumes: names.volumes,
    ...(image === undefined ? {} : { extraLabels: { [LABEL.imageRef]: image.ref, ...(image.digest === null ? {} : { [LABEL.imageDigest]: image.digest }) } }),
  });
}

/** Stops containers with their service's grace period, then removes them. */
export async function stopAndRemove(runtime: Runtime, project: ProjectConfig, containers: readonly ServiceContainer[]): Promise<void> {
  for (const container of containers) {
    const service = project.colored.find((s) => s.name === container.service);
    const graceMs = service?.byColor[container.color ?? 'blue'].stopGracePeriodMs ?? 10_000;
    if (container.state === 'running' || container.state === 'restarting') await runtime.docker.stopContainers([container.id], graceMs);
  }
  await runtime.docker.removeContainers(containers.map((c) => c.id), { force: true });
}

function describeOutcome(outcome: HealthOutcome): string {
  const lines = [`${outcome.name}: ${outcome.verdict} (state ${outcome.state}${outcome.exitCode === undefined ? '' : `, exit code ${outcome.exitCode}`})`];
  if (outcome.lastCheck !== undefined) lines.push(`  last health check (exit ${outcome.lastCheck.exitCode}): ${outcome.lastCheck.output.trim() || '(no output)'}`);
  if (outcome.logTail.length > 0) lines.push('  last log lines:', ...outcome.logTail.map((line) => `    ${line}`));
  return lines.join('\n');
}

/** Waits until every container is healthy; otherwise prints each failure's health output and log tail and throws. */
export async function waitForHealthy(runtime: Runtime, containers: readonly ServiceContainer[], options: { timeoutMs: number; intervalMs: number; signal: AbortSignal; color: Color }): Promise<void> {
  const result = await runtime.docker.waitUntilHealthy(
    containers.map((c) => c.id),
    {
      timeoutMs: options.timeoutMs,
      // Docker's health events drive the wait; this is the safety-net inspect (HEALTH_CHECK_INTERVAL).
      pollIntervalMs: options.intervalMs,
      signal: options.signal,
      onChange: (change) => {
        if (change.verdict === 'healthy') runtime.logger.info({ event: 'health.healthy', container: change.name }, `  ${change.name} is healthy`);
      },
    },
  );
  if (result.healthy) return;
  const failed = result.outcomes.filter((o) => o.verdict !== 'healthy');
  for (const outcome of failed) runtime.logger.error({ event: 'health.failed', container: outcome.name, verdict: outcome.verdict, lastCheck: outcome.lastCheck, logTail: outcome.logTail }, describeOutcome(outcome));
  throw new HealthTimeoutError(
    `${failed.length} of ${result.outcomes.length} ${options.color} container(s) did not become healthy (${formatMs(result.elapsedMs)}): ${failed.map((o) => `${o.name} ${o.verdict}`).join(', ')}`,
    { hint: `traffic was not touched. See the health output above; raise HEALTH_CHECK_TIMEOUT (now ${options.timeoutMs / 1000}s) if the app only needs longer` },
  );
}
