/**
 * What the document's deploy.sh does, step for step, against the benchmark's
 * project: start the new color, poll Docker until it reports healthy, sleep a
 * fixed DRAIN_TIMEOUT while Caddy's health checks decide where traffic goes,
 * then `docker stop` the old color with Docker's default timeout. Nothing
 * here talks to Caddy: in this way of deploying Caddy is never told anything.
 */
import type Docker from 'dockerode';
import type { DockerEngine } from '../src/adapters/docker/docker-engine.js';
import { loadProject } from '../src/config/load-project.js';
import type { Color } from '../src/config/model.js';
import { pause } from './load-profile.js';

export interface PassiveStack {
  projectDir: string;
  /** cutover's Docker adapter, used only to create containers exactly as `deploy` would (the same spec). */
  engine: DockerEngine;
  docker: Docker;
}

/** `docker compose -f compose.yml -f compose.<color>.yml up -d` at `version`: returns the container ids. */
export async function startColor(stack: PassiveStack, color: Color, version: string): Promise<string[]> {
  const project = await loadProject({ projectDir: stack.projectDir, env: process.env, variables: { VERSION: version } });
  const networks = Object.fromEntries(Object.entries(project.networks).map(([key, spec]) => [key, spec.name]));
  const volumes = Object.fromEntries(Object.entries(project.volumes).map(([key, spec]) => [key, spec.name]));
  const started = await Promise.all(
    project.colored.map((service) =>
      stack.engine.startServiceColor({ project: project.projectName, spec: service.byColor[color], color, version, networks, volumes }),
    ),
  );
  return started.flat().map((c) => c.id);
}

/** `docker start` of containers that exist (stopped): how the document's rollback brings the previous version back. */
export async function startExisting(stack: PassiveStack, ids: readonly string[]): Promise<string[]> {
  await Promise.all(ids.map((id) => stack.docker.getContainer(id).start()));
  return [...ids];
}

/**
 * deploy.sh's health wait: `docker inspect --format '{{.State.Health.Status}}'`
 * for every container, then sleep HEALTH_CHECK_INTERVAL, until all say healthy.
 */
async function pollUntilHealthy(stack: PassiveStack, ids: readonly string[], intervalMs: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(ids.map(async (id) => (await stack.docker.getContainer(id).inspect()).State.Health?.Status ?? 'none'));
    if (states.every((s) => s === 'healthy')) return;
    if (states.includes('unhealthy')) throw new Error(`a container turned unhealthy: ${states.join(', ')}`);
    if (Date.now() > deadline) throw new Error(`not healthy within ${timeoutMs} ms: ${states.join(', ')}`);
    await pause(intervalMs, signal);
  }
}

/** `docker stop` without -t: Docker's default, 10 s, then SIGKILL. Containers are stopped in parallel, as the CLI does. */
async function dockerStop(stack: PassiveStack, ids: readonly string[]): Promise<void> {
  await Promise.all(ids.map((id) => stack.docker.getContainer(id).stop()));
}

export interface PassiveSwapTiming {
  ids: string[];
  startMs: number;
  healthyMs: number;
  /** Epoch ms when Docker reported every new container healthy. */
  healthyAt: number;
  drainSleepMs: number;
  /** Epoch ms when `docker stop` of the old color was sent (undefined when nothing was stopped). */
  stopAt: number | undefined;
  stopMs: number;
  totalMs: number;
}

export interface PassiveSwapRequest {
  /** Brings the new color up: a fresh start (deploy) or `docker start` of the old containers (rollback). */
  start: () => Promise<string[]>;
  /** The containers to stop after the drain sleep. */
  stop: readonly string[];
  drainMs: number;
  healthIntervalMs: number;
  signal: AbortSignal;
  say: (text: string) => void;
}

/** One deploy.sh run: start, wait until healthy, sleep DRAIN_TIMEOUT, docker stop the old color. */
export async function passiveSwap(stack: PassiveStack, request: PassiveSwapRequest): Promise<PassiveSwapTiming> {
  const began = Date.now();
  const ids = await request.start();
  const startMs = Date.now() - began;
  request.say(`  started (${startMs} ms); polling Docker health every ${request.healthIntervalMs} ms`);
  await pollUntilHealthy(stack, ids, request.healthIntervalMs, 60_000, request.signal);
  const healthyAt = Date.now();
  const healthyMs = healthyAt - began - startMs;
  request.say(`  healthy (${healthyMs} ms)${request.stop.length > 0 ? `; sleeping DRAIN_TIMEOUT ${request.drainMs} ms` : ''}`);
  let drainSleepMs = 0;
  let stopAt: number | undefined;
  let stopMs = 0;
  if (request.stop.length > 0) {
    await pause(request.drainMs, request.signal);
    drainSleepMs = Date.now() - healthyAt;
    stopAt = Date.now();
    await dockerStop(stack, request.stop);
    stopMs = Date.now() - stopAt;
    request.say(`  docker stop of the old color took ${stopMs} ms`);
  }
  return { ids, startMs, healthyMs, healthyAt, drainSleepMs, stopAt, stopMs, totalMs: Date.now() - began };
}
