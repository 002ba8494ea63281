import type { Color } from '../config/model.js';

/**
 * The Swarm service that runs one color of a colored service:
 * `<project>_<service>-<color>`. The `<project>_` prefix is the one
 * `docker stack deploy` gives the services of a stack (the stack is the
 * Compose project), so the colors sit next to the shared services the stack
 * runs; Caddy reaches its tasks as `tasks.<this name>`.
 */
export function swarmServiceName(project: string, service: string, color: Color): string {
  return `${project}_${service}-${color}`;
}

/** The DNS name that Docker's embedded DNS answers with one address per running (and, with a healthcheck, healthy) task. */
export function swarmTasksHost(project: string, service: string, color: Color): string {
  return `tasks.${swarmServiceName(project, service, color)}`;
}
