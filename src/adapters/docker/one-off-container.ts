import type Docker from 'dockerode';
import type { DockerContext } from './docker-client.js';
import { dockerStatusCode, toDockerError } from './docker-failure.js';
import type { NetworkToConnect } from './plan-container.js';
import { readLogTail } from './read-log-tail.js';
import { retryRead } from './retry-read.js';

/**
 * A container that runs one command to its end (a migration), as opposed to a
 * service container that serves. Found again by its labels only, never by the
 * `cutover.project` label of service containers, so status, cleanup and the
 * colors never see it.
 */
export interface OneOffRequest {
  create: Docker.ContainerCreateOptions;
  connectBeforeStart: NetworkToConnect[];
}

export interface OneOffState {
  id: string;
  name: string;
  running: boolean;
  /** Set once it has exited. */
  exitCode: number | undefined;
}

/** Creates, connects and starts the container; on any failure it is removed again. Returns its id. */
export async function startOneOff(ctx: DockerContext, request: OneOffRequest): Promise<string> {
  const name = request.create.name ?? '(unnamed)';
  let id: string;
  try {
    id = (await ctx.docker.createContainer(request.create)).id;
  } catch (err) {
    throw toDockerError(err, `creating container ${name}`, ctx.endpoint);
  }
  try {
    for (const extra of request.connectBeforeStart) {
      await ctx.docker.getNetwork(extra.network).connect({ Container: id, EndpointConfig: { Aliases: extra.aliases } });
    }
    await ctx.docker.getContainer(id).start();
  } catch (err) {
    await ctx.docker.getContainer(id).remove({ force: true, v: true }).catch(() => undefined);
    throw toDockerError(err, `starting container ${name}`, ctx.endpoint);
  }
  return id;
}

/** Waits until the container exits and returns its exit code. The signal ends the wait (the container keeps running). */
export async function waitForExit(ctx: DockerContext, id: string, signal: AbortSignal): Promise<number> {
  try {
    const result = (await ctx.docker.getContainer(id).wait({ abortSignal: signal })) as { StatusCode: number };
    return result.StatusCode;
  } catch (err) {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    throw toDockerError(err, `waiting for container ${id.slice(0, 12)} to exit`, ctx.endpoint);
  }
}

/** The one-off containers carrying every label given (`key=value`), running or not. */
export async function findOneOffs(ctx: DockerContext, labels: Record<string, string>): Promise<OneOffState[]> {
  let summaries: Docker.ContainerInfo[];
  try {
    summaries = await retryRead(() => ctx.docker.listContainers({ all: true, filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) } }));
  } catch (err) {
    throw toDockerError(err, 'listing one-off containers', ctx.endpoint);
  }
  const found: OneOffState[] = [];
  for (const summary of summaries) {
    try {
      const info = await retryRead(() => ctx.docker.getContainer(summary.Id).inspect());
      const running = info.State.Running || info.State.Restarting;
      found.push({ id: info.Id, name: info.Name.replace(/^\//, ''), running, exitCode: running ? undefined : info.State.ExitCode });
    } catch (err) {
      if (dockerStatusCode(err) !== 404) throw toDockerError(err, `inspecting container ${summary.Id.slice(0, 12)}`, ctx.endpoint);
    }
  }
  return found;
}

/** The last lines it wrote (stdout and stderr). */
export function oneOffOutput(ctx: DockerContext, id: string, lines: number): Promise<string[]> {
  return readLogTail(ctx, id, lines);
}
