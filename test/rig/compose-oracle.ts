/**
 * Debian's docker-compose 1.29.2 as the oracle of the Compose fidelity tests:
 * it creates (never starts) a project's containers from the same files cutover
 * reads, so their `docker inspect` can be compared field by field.
 *
 * Every object it makes must carry the test's labels: the test's compose files
 * put them on each service (`labels:`) and use an external network the test
 * created with them. docker-compose also labels its objects with
 * com.docker.compose.project=<name>; `removeComposeProject` removes by that
 * label too, so a failing test leaves nothing behind.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { removeLabelled } from './labelled-objects.js';

const run = promisify(execFile);

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';

/** `docker-compose -p <project> -f <files...> up --no-start --no-deps <services>` in `dir`; returns stderr (warnings). */
export async function composeCreate(dir: string, project: string, files: readonly string[], services: readonly string[]): Promise<string> {
  const args = ['-p', project, ...files.flatMap((f) => ['-f', f]), '--ansi', 'never', 'up', '--no-start', '--no-deps', ...services];
  try {
    const { stderr } = await run('docker-compose', args, { cwd: dir, timeout: 120_000, env: { ...process.env, COMPOSE_INTERACTIVE_NO_CLI: '1' } });
    return stderr;
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`docker-compose ${args.join(' ')} failed: ${failure.stderr ?? failure.message}`);
  }
}

/** Removes every container, network and volume docker-compose made for `project`. */
export async function removeComposeProject(docker: Docker, project: string): Promise<void> {
  await removeLabelled(docker, `${COMPOSE_PROJECT_LABEL}=${project}`);
}

/** The containers docker-compose created for a service of `project`. */
export async function composeContainers(docker: Docker, project: string, service: string): Promise<Docker.ContainerInspectInfo[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${COMPOSE_PROJECT_LABEL}=${project}`, `com.docker.compose.service=${service}`] } });
  return Promise.all(list.map((c) => docker.getContainer(c.Id).inspect()));
}
