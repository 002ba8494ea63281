import type { NetworkSpec, ServiceSpec, VolumeSpec } from '../../config/model.js';
import type { Logger } from '../../log.js';
import { createDockerClient, dockerEndpointFromEnv, type DockerContext } from './docker-client.js';
import { toDockerError } from './docker-failure.js';
import type { ContainerSelector } from './docker-labels.js';
import { ensureNetwork } from './ensure-network.js';
import { findSharedContainers, type SharedServicePresence } from './find-shared-containers.js';
import { ensureVolume } from './ensure-volume.js';
import { listServiceContainers } from './list-service-containers.js';
import type { PullProgress } from './pull-progress.js';
import { imageExists } from './image-exists.js';
import { pullImage, type PullImageOptions } from './pull-image.js';
import { readLogTail } from './read-log-tail.js';
import { findContainerPublishing, type PublishingContainer } from './find-container-publishing.js';
import { followContainerLog, type FollowedLog } from './follow-container-log.js';
import { resolveImageIdentity } from './resolve-image-identity.js';
import type { ImageIdentity } from '../../domain/image-identity.js';
import { removeContainers } from './remove-containers.js';
import { renameContainer } from './rename-container.js';
import { startContainers } from './start-containers.js';
import { retryRead } from './retry-read.js';
import type { ServiceContainer } from './service-container.js';
import { startServiceColor, type StartServiceColorRequest } from './start-service-color.js';
import { stopContainers } from './stop-containers.js';
import { containerLogs, type ContainerLogsOptions } from './container-logs.js';
import { findOneOffs, oneOffOutput, startOneOff, waitForExit, type OneOffRequest, type OneOffState } from './one-off-container.js';
import { waitUntilHealthy, type HealthWaitResult, type WaitUntilHealthyOptions } from './wait-until-healthy.js';

export interface EngineVersion {
  /** The engine's release, e.g. `20.10.24+dfsg1`. */
  engineVersion: string;
  /** The newest API the engine speaks, e.g. `1.41`. */
  apiVersion: string;
}

/**
 * cutover's one door to Docker. Made per use (never a global), from the
 * environment or an explicit context; every method returns plain data and
 * throws only DockerUnavailableError / DockerOperationError. The work lives in
 * one file per operation; this class only holds the connection.
 */
export class DockerEngine {
  constructor(private readonly ctx: DockerContext) {}

  /** DOCKER_HOST (unix:// or tcp://) or the local /var/run/docker.sock. */
  static fromEnvironment(logger: Logger, env: NodeJS.ProcessEnv = process.env): DockerEngine {
    const endpoint = dockerEndpointFromEnv(env);
    return new DockerEngine({ docker: createDockerClient(endpoint), endpoint: endpoint.display, logger });
  }

  /** Where this engine is, for messages. */
  get endpoint(): string {
    return this.ctx.endpoint;
  }

  async ping(): Promise<EngineVersion> {
    try {
      const version = await retryRead(() => this.ctx.docker.version());
      return { engineVersion: version.Version, apiVersion: version.ApiVersion };
    } catch (err) {
      throw toDockerError(err, 'asking the engine for its version', this.ctx.endpoint);
    }
  }

  ensureNetwork(spec: NetworkSpec, labels?: Record<string, string>): Promise<{ created: boolean }> {
    return ensureNetwork(this.ctx, spec, labels);
  }

  ensureVolume(spec: VolumeSpec, labels?: Record<string, string>): Promise<{ created: boolean }> {
    return ensureVolume(this.ctx, spec, labels);
  }

  startServiceColor(request: StartServiceColorRequest): Promise<ServiceContainer[]> {
    return startServiceColor(this.ctx, request);
  }

  findSharedContainers(project: string, specs: readonly ServiceSpec[]): Promise<SharedServicePresence[]> {
    return findSharedContainers(this.ctx, project, specs);
  }

  listContainers(selector: ContainerSelector): Promise<ServiceContainer[]> {
    return listServiceContainers(this.ctx, selector);
  }

  waitUntilHealthy(ids: readonly string[], options: WaitUntilHealthyOptions): Promise<HealthWaitResult> {
    return waitUntilHealthy(this.ctx, ids, options);
  }

  stopContainers(ids: readonly string[], graceMs: number): Promise<void> {
    return stopContainers(this.ctx, ids, graceMs);
  }

  startContainers(ids: readonly string[]): Promise<void> {
    return startContainers(this.ctx, ids);
  }

  renameContainer(id: string, name: string): Promise<void> {
    return renameContainer(this.ctx, id, name);
  }

  removeContainers(ids: readonly string[], options?: { force?: boolean }): Promise<void> {
    return removeContainers(this.ctx, ids, options);
  }

  findContainerPublishing(port: number): Promise<PublishingContainer | undefined> {
    return findContainerPublishing(this.ctx, port);
  }

  followLog(id: string, sinceSec: number): Promise<FollowedLog> {
    return followContainerLog(this.ctx, id, sinceSec);
  }

  readLogTail(id: string, lines?: number): Promise<string[]> {
    return readLogTail(this.ctx, id, lines);
  }

  pullImage(ref: string, options?: PullImageOptions): Promise<PullProgress> {
    return pullImage(this.ctx, ref, options);
  }

  imageExists(ref: string): Promise<boolean> {
    return imageExists(this.ctx, ref);
  }

  /** The image ID and registry digest of the image `ref` names here; undefined when the engine lacks it. */
  resolveImageIdentity(ref: string, named?: string): Promise<ImageIdentity | undefined> {
    return resolveImageIdentity(this.ctx, ref, named);
  }

  /** A container that runs one command to its end (a migration); see one-off-container.ts. */
  startOneOff(request: OneOffRequest): Promise<string> {
    return startOneOff(this.ctx, request);
  }

  waitForExit(id: string, signal: AbortSignal): Promise<number> {
    return waitForExit(this.ctx, id, signal);
  }

  findOneOffs(labels: Record<string, string>): Promise<OneOffState[]> {
    return findOneOffs(this.ctx, labels);
  }

  oneOffOutput(id: string, lines: number): Promise<string[]> {
    return oneOffOutput(this.ctx, id, lines);
  }

  /** A container's log line by line, optionally followed (cutover logs). */
  containerLogs(id: string, options: ContainerLogsOptions): Promise<void> {
    return containerLogs(this.ctx, id, options);
  }
}
