import type { Color, ProjectConfig } from '../config/model.js';
import { type JsonValue, serversOf } from '../domain/caddy-json.js';
import { planPlain, planSwitch, type PlainPlan, type SwitchOptions, type SwitchPlan } from '../domain/plan-switch.js';
import { readTraffic } from '../domain/read-traffic.js';
import { colorInstances } from './observe-project.js';
import type { Runtime } from './runtime.js';
import { switchTraffic, type SwitchOutcome } from './switch-traffic.js';
import { writeUpstreamSnippets } from './write-upstream-snippets.js';

/**
 * Sends every colored service to `color` (or, with `options.split`, a weighted
 * share of it) in one guarded change, planned over Caddy's config as it is at
 * that moment and re-planned on a 412. Host-mode dials come from the
 * containers as they run now (ephemeral ports). Before a full switch is sent,
 * the Caddyfile snippets name its upstreams, so a Caddy restart comes back on
 * the same color (a canary step leaves them on the color that was live).
 */
export async function switchAll(runtime: Runtime, project: ProjectConfig, color: Color, what: string, options: SwitchOptions): Promise<SwitchOutcome<SwitchPlan>> {
  const instances = colorInstances(await runtime.docker.listContainers({ project: project.projectName }));
  return switchTraffic(
    runtime.admin,
    (config: JsonValue) => {
      const read = readTraffic(config, project.colored, instances);
      if (!read.ok) return read;
      const result = planSwitch(read.view, color, instances, serversOf(config), options);
      return result.ok ? { ok: true, servers: result.plan.servers, unchanged: result.plan.unchanged, plan: result.plan } : result;
    },
    {
      logger: runtime.logger,
      what,
      beforeWrite: async (plan) => {
        if (options.split === undefined) await writeUpstreamSnippets(runtime, plan.byPort.map((s) => ({ service: s.service, port: s.port, dials: s.to })), color);
        await runtime.beforeSwitchWrite?.();
      },
    },
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
  const instances = colorInstances(await runtime.docker.listContainers({ project: project.projectName }));
  return switchTraffic(
    runtime.admin,
    (config: JsonValue) => {
      const read = readTraffic(config, project.colored, instances);
      if (!read.ok) return read;
      const next = planPlain(read.view, serversOf(config), options.keepPreviews === true ? { keepPreviewsFor: instances } : {});
      return { ok: true, servers: next.servers, unchanged: next.unchanged, plan: next };
    },
    {
      logger: runtime.logger,
      what,
      beforeWrite: async (plan) => {
        await writeUpstreamSnippets(runtime, plan.services, 'the plain Compose names');
        await runtime.beforeSwitchWrite?.();
      },
    },
  );
}
