import type Docker from 'dockerode';
import type { DockerContext } from './docker-client.js';
import { dockerStatusCode, toDockerError } from './docker-failure.js';
import { readLogTail } from './read-log-tail.js';
import type { HealthStatus } from './service-container.js';

/**
 * Waiting until containers are healthy.
 *
 * Docker's events are the fast path: a `health_status` or `die` event for one
 * of the containers triggers an inspect of it at once, so a change is seen
 * within milliseconds. A periodic inspect of all of them is the safety net for
 * a lost event stream. Inspect, not the event, is the truth: an event only says
 * "look now".
 *
 * A container without a healthcheck counts as healthy once it runs (the caller
 * may add its own HTTP probe). A container that dies, restarts or disappears
 * fails the whole wait at once: one bad replica means the color is bad, and
 * there is no point waiting for the others.
 *
 * A running container that Docker calls `unhealthy` is waited for until the
 * timeout, as the reference document's contract says: an app that needs longer
 * to boot than its healthcheck's retries allow becomes healthy later. With
 * `failFast` the first `unhealthy` fails the wait at once instead. The wait
 * succeeds when every container is healthy at the same time.
 */

export type HealthVerdict =
  | 'healthy'
  /** Unhealthy with `failFast`; without it an unhealthy container stays pending until the timeout. */
  | 'unhealthy'
  /** Exited, died or restarting: it stopped at least once during the wait. */
  | 'exited'
  /** Removed during the wait. */
  | 'gone'
  /** Not healthy when the time ran out: `health` says whether it was still starting or unhealthy. */
  | 'timed-out'
  /** Still starting when another container failed the wait. */
  | 'undecided';

export interface HealthCheckRun {
  exitCode: number;
  output: string;
}

export interface HealthOutcome {
  id: string;
  name: string;
  verdict: HealthVerdict;
  /** Docker's state at the end (running, exited, ...); `missing` when gone. */
  state: string;
  health: HealthStatus;
  exitCode: number | undefined;
  /** The last healthcheck run Docker recorded. */
  lastCheck: HealthCheckRun | undefined;
  /** The last log lines; filled for every container that is not healthy at the end. */
  logTail: string[];
}

export interface HealthWaitResult {
  healthy: boolean;
  outcomes: HealthOutcome[];
  elapsedMs: number;
}

export interface HealthChange {
  id: string;
  name: string;
  state: string;
  health: HealthStatus;
  verdict: HealthVerdict | 'pending';
  /** The last healthcheck run Docker recorded so far. */
  lastCheck: HealthCheckRun | undefined;
}

export interface WaitUntilHealthyOptions {
  timeoutMs: number;
  /** Aborting rejects the wait with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Called whenever a container's state or health changes (also once for the first look). */
  onChange?: ((change: HealthChange) => void) | undefined;
  /** Called after every look at a container, changed or not (fresh check output for progress lines). */
  onLook?: ((look: HealthChange) => void) | undefined;
  /** The first `unhealthy` fails the wait (default: wait for it until the timeout). */
  failFast?: boolean | undefined;
  /** How often all containers are inspected regardless of events (default 1000 ms). */
  pollIntervalMs?: number | undefined;
  /** Log lines to include for failed containers (default 20). */
  logLines?: number | undefined;
}

interface Watched {
  id: string;
  name: string;
  info: Docker.ContainerInspectInfo | undefined;
  gone: boolean;
  died: boolean;
  verdict: HealthVerdict | 'pending';
  /** Sequence of the latest inspect started and the latest applied, so a slow old answer never overwrites a newer one. */
  requested: number;
  applied: number;
  reported: string;
}

function healthOf(info: Docker.ContainerInspectInfo | undefined): HealthStatus {
  const status = info?.State.Health?.Status;
  return status === 'starting' || status === 'healthy' || status === 'unhealthy' ? status : 'none';
}

function lastCheckOf(info: Docker.ContainerInspectInfo | undefined): HealthCheckRun | undefined {
  const runs = info?.State.Health?.Log ?? [];
  const last = runs[runs.length - 1];
  return last === undefined ? undefined : { exitCode: last.ExitCode, output: last.Output.trim() };
}

function judge(w: Watched, failFast: boolean): HealthVerdict | 'pending' {
  if (w.gone) return 'gone';
  const state = w.info?.State;
  if (state === undefined) return 'pending';
  if (w.died || state.Restarting || state.Status === 'exited' || state.Status === 'dead') return 'exited';
  const health = healthOf(w.info);
  // Running but failing its check: it may still become healthy, unless told otherwise.
  if (health === 'unhealthy') return failFast ? 'unhealthy' : 'pending';
  if (health === 'healthy') return 'healthy';
  if (health === 'none' && state.Running) return 'healthy';
  return 'pending';
}

export async function waitUntilHealthy(ctx: DockerContext, ids: readonly string[], options: WaitUntilHealthyOptions): Promise<HealthWaitResult> {
  const started = performance.now();
  if (ids.length === 0) return { healthy: true, outcomes: [], elapsedMs: 0 };
  const watched = new Map<string, Watched>(
    ids.map((id) => [id, { id, name: id.slice(0, 12), info: undefined, gone: false, died: false, verdict: 'pending', requested: 0, applied: 0, reported: '' }]),
  );
  const how = await followUntilSettled(ctx, ids, watched, options);
  const outcomes = await Promise.all([...watched.values()].map((w) => outcomeOf(ctx, w, how, options.logLines ?? 20)));
  return { healthy: outcomes.every((o) => o.verdict === 'healthy'), outcomes, elapsedMs: Math.round(performance.now() - started) };
}

/**
 * Watches the containers (events as the fast path, a periodic inspect as the
 * safety net) until every one is healthy or one fails (`done`), or the time
 * runs out (`timeout`); an abort rejects with the signal's reason.
 */
async function followUntilSettled(ctx: DockerContext, ids: readonly string[], watched: Map<string, Watched>, options: WaitUntilHealthyOptions): Promise<'done' | 'timeout'> {
  const stop = new AbortController();
  const timers: NodeJS.Timeout[] = [];

  const settled = new Promise<'done' | 'timeout'>((resolve, reject) => {
    let finished = false;
    const finish = (how: 'done' | 'timeout' | Error): void => {
      if (finished) return;
      finished = true;
      if (how instanceof Error) reject(how);
      else resolve(how);
    };

    const evaluate = (): void => {
      const verdicts = [...watched.values()].map((w) => w.verdict);
      if (verdicts.some((v) => v !== 'pending' && v !== 'healthy')) finish('done');
      else if (verdicts.every((v) => v === 'healthy')) finish('done');
    };

    const refresh = async (w: Watched): Promise<void> => {
      const change = await look(ctx, w, options.failFast === true, () => finished);
      if (change === undefined) return;
      options.onLook?.(change);
      const key = `${change.state}/${change.health}/${change.verdict}`;
      if (key !== w.reported) {
        w.reported = key;
        options.onChange?.(change);
      }
      evaluate();
    };

    const onAbort = (): void => finish(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'));
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    stop.signal.addEventListener('abort', () => options.signal?.removeEventListener('abort', onAbort), { once: true });

    timers.push(setTimeout(() => finish('timeout'), options.timeoutMs));

    const refreshAll = (): void => {
      for (const w of watched.values()) if (w.verdict === 'pending' || w.verdict === 'healthy') void refresh(w);
    };

    // Subscribe first, then take the first look: a change between the two is then never missed.
    subscribe(ctx, ids, stop.signal, (id, action) => {
      // Events carry full ids; the caller may have passed short ones.
      const w = watched.get(id) ?? [...watched.values()].find((candidate) => id.startsWith(candidate.id));
      if (w === undefined) return;
      if (action === 'die' || action === 'destroy') w.died = true;
      void refresh(w);
    })
      .catch((err: unknown) => {
        ctx.logger.warn({ event: 'docker.health.events-unavailable', err }, 'Docker events unavailable; following health by polling only');
      })
      .finally(() => {
        if (finished) return;
        refreshAll();
        timers.push(setInterval(refreshAll, options.pollIntervalMs ?? 1000));
      });
  });

  try {
    return await settled;
  } finally {
    stop.abort();
    for (const timer of timers) clearTimeout(timer);
  }
}

/**
 * Inspects one container and applies the answer to `w`, unless a newer answer
 * was applied already or the wait has finished; hands back what it saw then.
 * A failed inspect is no verdict: the next event or poll looks again.
 */
async function look(ctx: DockerContext, w: Watched, failFast: boolean, finished: () => boolean): Promise<HealthChange | undefined> {
  const seq = ++w.requested;
  let info: Docker.ContainerInspectInfo | undefined;
  let gone = false;
  try {
    info = await ctx.docker.getContainer(w.id).inspect();
  } catch (err) {
    if (dockerStatusCode(err) === 404) gone = true;
    else {
      ctx.logger.debug({ event: 'docker.health.inspect-failed', id: w.id, err }, 'inspect failed while waiting for health');
      return undefined;
    }
  }
  if (seq < w.applied || finished()) return undefined;
  w.applied = seq;
  w.info = info ?? w.info;
  w.gone = gone;
  if (info !== undefined) w.name = info.Name.replace(/^\//, '');
  if (w.verdict === 'pending' || w.verdict === 'healthy') w.verdict = judge(w, failFast);
  return {
    id: w.id,
    name: w.name,
    state: gone ? 'missing' : (w.info?.State.Status ?? 'unknown'),
    health: healthOf(w.info),
    verdict: w.verdict,
    lastCheck: lastCheckOf(w.info),
  };
}

/** The final word on one container, with its last log lines when it is not healthy. */
async function outcomeOf(ctx: DockerContext, w: Watched, how: 'done' | 'timeout', logLines: number): Promise<HealthOutcome> {
  const verdict: HealthVerdict = w.verdict === 'pending' ? (how === 'timeout' ? 'timed-out' : 'undecided') : w.verdict;
  const logTail = verdict === 'healthy' || w.gone ? [] : await readLogTail(ctx, w.id, logLines).catch(() => []);
  return {
    id: w.id,
    name: w.name,
    verdict,
    state: w.gone ? 'missing' : (w.info?.State.Status ?? 'unknown'),
    health: healthOf(w.info),
    exitCode: verdict === 'exited' && w.info !== undefined ? w.info.State.ExitCode : undefined,
    lastCheck: lastCheckOf(w.info),
    logTail,
  };
}

/**
 * Follows Docker's events for these containers until `signal` aborts. Resolves
 * once the subscription is in place (the engine has answered).
 */
async function subscribe(ctx: DockerContext, ids: readonly string[], signal: AbortSignal, onEvent: (id: string, action: string) => void): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await ctx.docker.getEvents({
      // health_status matches "health_status: healthy" etc. (Docker matches that one by prefix).
      filters: { type: ['container'], container: [...ids], event: ['health_status', 'die', 'destroy', 'start'] },
      abortSignal: signal,
    })) as NodeJS.ReadableStream;
  } catch (err) {
    throw toDockerError(err, 'subscribing to Docker events', ctx.endpoint);
  }
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line === '') continue;
      try {
        const event = JSON.parse(line) as { id?: string; Action?: string; Actor?: { ID?: string } };
        const id = event.Actor?.ID ?? event.id;
        if (id !== undefined && event.Action !== undefined) onEvent(id, event.Action.split(':')[0] ?? event.Action);
      } catch {
        // A line that is not JSON is not an event; the periodic inspect covers anything missed.
      }
    }
  });
  // Ending or failing (also when we abort it) only loses the fast path; polling continues.
  stream.on('error', () => undefined);
}
