import type { SwarmServiceSpec } from '../../domain/swarm-service-spec.js';
import type { Logger } from '../../log.js';
import { createDockerClient, type DockerContext, dockerEndpointFromEnv } from '../docker/docker-client.js';
import { createSwarmService } from './create-swarm-service.js';
import { type ColorService, listColorServices } from './list-color-services.js';
import { listSwarmTasks } from './list-swarm-tasks.js';
import { readNetworkScope } from './read-network-scope.js';
import { readSwarmInfo, type SwarmInfo } from './read-swarm-info.js';
import { readTaskHealth } from './read-task-health.js';
import { removeSwarmService } from './remove-swarm-service.js';
import { scaleSwarmService } from './scale-swarm-service.js';
import type { SwarmTask } from './swarm-task.js';
import { waitUntilTasksEnded } from './wait-until-tasks-ended.js';
import { type TasksWaitResult, waitUntilTasksHealthy, type WaitUntilTasksHealthyOptions } from './wait-until-tasks-healthy.js';

/**
 * cutover's door to the colors' Swarm services on a manager node: create a
 * color's service, wait until its tasks are healthy, list them with their
 * addresses, remove it. Holds only the connection (the same DOCKER_HOST as
 * the Docker adapter); the work lives in one file per operation.
 */
export class SwarmServices {
  constructor(private readonly ctx: DockerContext) {}

  static fromEnvironment(logger: Logger, env: NodeJS.ProcessEnv = process.env): SwarmServices {
    const endpoint = dockerEndpointFromEnv(env);
    return new SwarmServices({ docker: createDockerClient(endpoint), endpoint: endpoint.display, logger });
  }

  create(spec: SwarmServiceSpec): Promise<string> {
    return createSwarmService(this.ctx, spec);
  }

  waitUntilHealthy(serviceName: string, options: WaitUntilTasksHealthyOptions): Promise<TasksWaitResult> {
    return waitUntilTasksHealthy(this.ctx, serviceName, options);
  }

  listTasks(serviceName: string): Promise<SwarmTask[]> {
    return listSwarmTasks(this.ctx, serviceName);
  }

  healthOutput(task: SwarmTask): Promise<string | undefined> {
    return readTaskHealth(this.ctx, task);
  }

  listColorServices(project: string): Promise<ColorService[]> {
    return listColorServices(this.ctx, project);
  }

  scale(serviceName: string, replicas: number): Promise<void> {
    return scaleSwarmService(this.ctx, serviceName, replicas);
  }

  /** After a scale to 0: until every task has stopped; the number still running when `timeoutMs` ran out. */
  waitUntilEnded(serviceName: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<number> {
    return waitUntilTasksEnded(this.ctx, serviceName, options);
  }

  /** A network's scope by name (`swarm` for an overlay the stack made); undefined when it does not exist. */
  networkScope(name: string): Promise<string | undefined> {
    return readNetworkScope(this.ctx, name);
  }

  info(signal?: AbortSignal): Promise<SwarmInfo> {
    return readSwarmInfo(this.ctx, signal);
  }

  remove(serviceName: string): Promise<boolean> {
    return removeSwarmService(this.ctx, serviceName);
  }
}
