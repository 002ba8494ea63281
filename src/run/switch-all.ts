import type { Color, ProjectConfig } from '../config/model.js';
import { type JsonObject, type JsonValue, serversOf } from '../domain/caddy-json.js';
import { planPlain, planSwitch, type PlainPlan, type SwitchOptions, type SwitchPlan } from '../domain/plan-switch.js';
import { readTraffic, type TrafficView } from '../domain/read-traffic.js';
import type { ColorInstance } from '../domain/service-addresses.js';
import { withoutTrafficLog } from '../domain/traffic-log-config.js';
import { colorInstances } from './observe-project.js';
import { caddyInstances, type Runtime } from './runtime.js';
import { switchTraffic, type SwitchOutcome, type SwitchRound } from './switch-traffic.js';
import { readUpstreamSnippets, restoreUpstreamSnippets, writeUpstreamSnippets } from './write-upstream-snippets.js';
import { CaddyUnavailableError, RollbackFailedError, SwitchOutcomeUnknownError } from '../errors.js';
import type { CaddyAdmin } from '../adapters/caddy/caddy-admin.js';
import { detectStreamCloseDelay } from '../adapters/caddy/detect-stream-close-delay.js';
import { withStreamCloseDelay } from '../domain/stream-close-delay.js';

/**
 * What switchAll and switchAllToPlain share: the containers as they run now
 * (host-mode dials are ephemeral ports), one guarded change planned over
 * Caddy's config as it is at that moment (re-planned on a 412), and, right
 * before the write, the Caddyfile snippets and the test seam. `rewriteRoot`
 * changes the config outside the servers in the same request (cutover's
 * traffic log in or out).
 */
async function switchEveryService<P>(
  runtime: Runtime,
  project: ProjectConfig,
  what: string,
  plan: (view: TrafficView, servers: JsonObject, instances: readonly ColorInstance[]) => SwitchRound<P>,
  writeSnippets: (plan: P) => Promise<void>,
  rewriteRoot: ((root: JsonObject, admin: CaddyAdmin) => JsonObject) | undefined,
): Promise<SwitchOutcome<P>> {
  const instances = colorInstances(await runtime.docker.listContainers({ project: project.projectName }));
  const snippetsBefore = await readUpstreamSnippets(runtime);
  let snippetsWritten = false;
  let outcome: SwitchOutcome<P>;
  try {
    outcome = await switchTraffic(
      caddyInstances(runtime),
      (config: JsonValue) => {
        const read = readTraffic(config, project.colored, instances);
        return read.ok ? plan(read.view, serversOf(config), instances) : read;
      },
      {
        logger: runtime.logger,
        what,
        beforeWrite: async (planned) => {
          await writeSnippets(planned);
          snippetsWritten = true;
          await runtime.beforeSwitchWrite?.();
        },
        rewriteRoot,
      },
    );
  } catch (error) {
    // No Caddy took the change (or every one was put back): the snippets name the
    // upstreams Caddy still uses again, or a Caddy restart would bring up the new
    // color after all. When it may have applied, the journal's recovery decides.
    if (snippetsWritten && !changeMayHaveApplied(error)) await restoreUpstreamSnippets(runtime, snippetsBefore);
    throw error;
  }
  // Caddy already used these upstreams (a recovery, a repeated switch): the snippets say so too.
  if (!snippetsWritten) await writeSnippets(outcome.plan);
  return outcome;
}

/** The failure leaves Caddy changed, or maybe changed: an answer lost, or an instance that could not be put back. */
function changeMayHaveApplied(error: unknown): boolean {
  return (error instanceof CaddyUnavailableError && error.changeMayHaveApplied) || error instanceof SwitchOutcomeUnknownError || error instanceof RollbackFailedError;
}

/**
 * Sends every colored service to `color` (or, with `options.split`, a weighted
 * share of it) in one guarded change. Before a full switch is sent, the
 * Caddyfile snippets name its upstreams, so a Caddy restart comes back on the
 * same color (a canary step leaves them on the color that was live).
 * A full switch also takes cutover's traffic log out, in the same change (a
 * canary's last step, promote, abort, recovery); a canary step passes
 * `rewriteRoot` to put it in.
 */
export async function switchAll(
  runtime: Runtime,
  project: ProjectConfig,
  color: Color,
  what: string,
  options: SwitchOptions,
  root: { rewriteRoot?: (root: JsonObject, admin: CaddyAdmin) => JsonObject } = {},
): Promise<SwitchOutcome<SwitchPlan>> {
  // Caddy 2.7+ keeps WebSockets of the old color open through the switch for DRAIN_TIMEOUT (docs/websockets.md).
  const closeDelayMs = project.settings.drainTimeoutMs > 0 && (await detectStreamCloseDelay(runtime.admin)) ? project.settings.drainTimeoutMs : undefined;
  return switchEveryService(
    runtime,
    project,
    what,
    (view, servers, instances) => {
      const result = planSwitch(view, color, instances, servers, options);
      if (!result.ok) return result;
      const next = closeDelayMs === undefined ? result.plan.servers : withStreamCloseDelay(result.plan.servers, new Set(result.plan.services.flatMap((s) => s.to)), closeDelayMs).servers;
      return { ok: true, servers: next, unchanged: result.plan.unchanged, plan: result.plan };
    },
    async (plan) => {
      if (options.split === undefined) await writeUpstreamSnippets(runtime, plan.byPort.map((s) => ({ service: s.service, port: s.port, dials: s.to })), color);
    },
    root.rewriteRoot ?? (options.split === undefined ? withoutTrafficLog : undefined),
  );
}

/**
 * Sends every colored service back to its plain service: the plain Compose
 * name (`platform:3000`) for Caddy on the compose network, the host port
 * compose.yml's plain service publishes for Caddy on the host. Without
 * preview routes: the state before the first deploy, and after `reset`. With
 * `keepPreviews`, the preview routes to the colors stay, so the color being
 * left can still be drained by its in-flight counts (reset removes them last).
 * Services Caddy reaches by a host port the plain service does not publish stay as they are.
 */
export async function switchAllToPlain(runtime: Runtime, project: ProjectConfig, what: string, options: { keepPreviews?: boolean } = {}): Promise<SwitchOutcome<PlainPlan>> {
  return switchEveryService(
    runtime,
    project,
    what,
    (view, servers, instances) => {
      const next = planPlain(view, servers, options.keepPreviews === true ? { keepPreviewsFor: instances } : {});
      return { ok: true, servers: next.servers, unchanged: next.unchanged, plan: next };
    },
    (plan) => writeUpstreamSnippets(runtime, plan.services, 'the plain Compose names'),
    withoutTrafficLog,
  );
}
