import { loadProject } from '../config/load-project.js';
import type { ServiceSpec } from '../config/model.js';
import type { JsonValue } from '../domain/caddy-json.js';
import type { Observed, ObservedCaddyInstance, ObservedFailure, StatusInput } from '../domain/status/status-input.js';
import { CaddyUnavailableError, ConfigInvalidError, CutoverError, DockerUnavailableError, formatConfigProblem, OperationFailedError } from '../errors.js';
import { readLock, type LockStatus } from '../state/deploy-lock.js';
import { displayPath, stateFilePath } from '../state/state-paths.js';
import { readState } from '../state/state-store.js';
import { colorInstances } from './observe-project.js';
import { caddyInstances, type Runtime } from './runtime.js';

/**
 * The image names of the config need ${VERSION}; status does not use them, so
 * without an active version any valid tag will do.
 */
const VERSION_PLACEHOLDER = 'status';

function failureOf(error: unknown, doing: string): ObservedFailure {
  const typed = error instanceof CutoverError ? error : new OperationFailedError(`${doing}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  return {
    message: typed.message,
    hint: typed.hint ?? null,
    exitCode: typed.exitCode,
    unreachable: typed instanceof CaddyUnavailableError || typed instanceof DockerUnavailableError,
    details: typed instanceof ConfigInvalidError ? typed.problems.map(formatConfigProblem) : [],
  };
}

/** Runs one read; a failure becomes data instead of ending the status. */
async function attempt<T>(doing: string, read: () => Promise<T>): Promise<Observed<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, failure: failureOf(error, doing) };
  }
}

async function observeCaddy(runtime: Runtime): Promise<StatusInput['caddy']> {
  // Both reads at once: the counts are meant to go with this config.
  const [config, upstreams] = await Promise.all([
    attempt("reading Caddy's config", async () => (await runtime.admin.readConfig('/config/')).value as JsonValue),
    attempt("reading Caddy's upstream counts", () => runtime.admin.readUpstreams()),
  ]);
  return config.ok ? { ok: true, value: { config: config.value, upstreams } } : config;
}

async function observeDocker(runtime: Runtime, projectName: string | undefined, shared: readonly ServiceSpec[]): Promise<StatusInput['docker']> {
  return attempt('reading Docker', async () => {
    await runtime.docker.ping();
    if (projectName === undefined) return { containers: [], instances: [], shared: [] };
    const containers = await runtime.docker.listContainers({ project: projectName });
    const presence = shared.length === 0 ? [] : await runtime.docker.findSharedContainers(projectName, shared);
    return { containers, instances: colorInstances(containers), shared: presence };
  });
}

/** Every Caddy instance's config and in-flight rows (the first is read again, with the others, so they go together). */
async function observeInstances(runtime: Runtime): Promise<ObservedCaddyInstance[]> {
  return Promise.all(
    caddyInstances(runtime).map(async (admin) => ({
      address: admin.address.text,
      config: await attempt(`reading the config of Caddy at ${admin.address.text}`, async () => (await admin.readConfig('/config/')).value as JsonValue),
      upstreams: await attempt(`reading the upstream counts of Caddy at ${admin.address.text}`, () => admin.readUpstreams()),
    })),
  );
}

/**
 * Gathers what `cutover status` shows, without requiring anything to be in
 * order: no state file, a corrupt one, an invalid configuration, Caddy or
 * Docker unreachable. Each read that fails is kept as a failure next to the
 * ones that worked; nothing here throws for those. Takes no lock: status only
 * reads, and must work while a deploy holds it.
 */
export async function observeStatus(runtime: Runtime): Promise<StatusInput> {
  const observedAt = runtime.now();
  const caddy = observeCaddy(runtime);
  const instances = caddyInstances(runtime).length > 1 ? observeInstances(runtime) : undefined;
  const state = await attempt('reading the state file', () => readState(runtime.stateDir));
  const lock: LockStatus = await readLock(runtime.stateDir).catch((error: unknown) => ({ kind: 'unreadable' as const, problem: error instanceof Error ? error.message : String(error) }));
  const activeVersion = state.ok ? state.value?.active?.version : undefined;
  const project = await attempt('loading the project', () =>
    loadProject({ projectDir: runtime.projectDir, env: runtime.env, variables: { VERSION: activeVersion ?? VERSION_PLACEHOLDER } }),
  );
  const projectName = project.ok ? project.value.projectName : state.ok ? state.value?.project : undefined;
  const docker = await observeDocker(runtime, projectName, project.ok ? project.value.shared : []);
  return {
    observedAt,
    projectDir: runtime.projectDir,
    stateFile: displayPath(stateFilePath(runtime.stateDir)),
    caddyAdmin: runtime.admin.address.text,
    dockerEndpoint: runtime.docker.endpoint,
    project,
    state,
    lock,
    docker,
    caddy: await caddy,
    ...(instances === undefined ? {} : { instances: await instances }),
  };
}
