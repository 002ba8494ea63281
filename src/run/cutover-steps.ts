import { request as httpRequest } from 'undici';
import type { ProjectConfig } from '../config/model.js';
import type { JsonObject, JsonValue } from '../domain/caddy-json.js';
import type { DeployPlan } from '../domain/plan-deploy.js';
import type { SwitchPlan } from '../domain/plan-switch.js';
import { ConfigInvalidError, OperationFailedError } from '../errors.js';
import { LABEL } from '../adapters/docker/docker-labels.js';
import type { Operation } from '../state/state-schema.js';
import { colorInstances, trafficOf, type Observation } from './observe-project.js';
import { parkStandby } from './park-standby.js';
import { probeHealthPaths } from './probe-health-paths.js';
import type { Step } from './run-steps.js';
import { caddyInstances, type Runtime } from './runtime.js';
import { originalLoadBalancing, sendTrafficBack } from './send-traffic-back.js';
import { ensureProjectResources, startService, waitForHealthy } from './start-color.js';
import type { StateKeeper } from './state-keeper.js';
import { switchAll } from './switch-all.js';
import type { SwitchOutcome } from './switch-traffic.js';
import { undoStartedColor } from './undo-started-color.js';

/** What the steps of one cutover share: its inputs, the journal, and what undoing needs to know. */
export interface CutoverContext {
  runtime: Runtime;
  project: ProjectConfig;
  journal: StateKeeper;
  plan: DeployPlan;
  observation: Observation;
  /** The switch this process sent, for an exact undo. */
  switched?: SwitchOutcome<SwitchPlan>;
  /** An aborted canary keeps its new color for inspection (--keep-failed). */
  keepNew: boolean;
  /** Set by the undo of the start: the parked standby is back. */
  standbyRestored: boolean;
}

function operationOf(ctx: CutoverContext): Operation {
  const operation = ctx.journal.state.operation;
  if (operation === null) throw new Error('bug: a cutover step ran with no operation in the journal');
  return operation;
}

export function pullStep(ctx: CutoverContext): Step {
  const { runtime, plan } = ctx;
  return {
    phase: 'pulling',
    title: `pull ${plan.pull.length} image(s)`,
    run: async () => {
      for (const image of plan.pull) {
        let lastLogged = 0;
        const progress = await runtime.docker.pullImage(image, {
          onProgress: (p) => {
            if (Date.now() - lastLogged < 1000) return;
            lastLogged = Date.now();
            runtime.logger.info({ event: 'pull.progress', image, layersDone: p.layersDone, layers: p.layers, bytes: p.bytesDownloaded }, `  ${image}: ${p.layersDone}/${p.layers} layers, ${Math.round(p.bytesDownloaded / 2 ** 20)} MiB`);
          },
        });
        runtime.logger.info({ event: 'pull.done', image, layers: progress.layers }, `  pulled ${image}`);
      }
    },
  };
}

/**
 * Starts the new version in the idle color, all services at once. The old
 * containers of that color (the previous standby, or what a failed attempt
 * left) are parked first, not removed, so the undo can bring them back.
 */
export function startStep(ctx: CutoverContext): Step {
  const { runtime, project, plan, journal } = ctx;
  const undo = async (): Promise<void> => {
    const result = await undoStartedColor(runtime, project, operationOf(ctx), { keepNew: ctx.keepNew });
    ctx.standbyRestored = result.standbyRestored;
  };
  return {
    phase: 'starting',
    title: `start ${plan.version} in ${plan.toColor} (${plan.start.map((s) => s.service).join(', ')})`,
    run: async () => {
      const operation = operationOf(ctx);
      await ensureProjectResources(runtime, project);
      const replace = ctx.observation.containers.filter((c) => plan.replace.some((r) => r.id === c.id));
      const standby = journal.state.standby;
      await parkStandby(runtime, project, journal, replace, standby !== null && standby.color === plan.toColor ? standby : null);
      const results = await Promise.allSettled(
        project.colored.map(async (service) => {
          const containers = await startService(runtime, project, service.byColor[plan.toColor], plan.toColor, plan.version, plan.images?.[service.name], { [LABEL.operation]: operation.id });
          runtime.logger.info({ event: 'container.started', service: service.name, containers: containers.map((c) => c.name) }, `  started ${containers.map((c) => c.name).join(', ')}`);
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) {
        // A step that fails is not undone by runSteps: put back what this one did here.
        await undo().catch(() => undefined);
        throw failed.reason;
      }
    },
    undo,
  };
}

export function waitHealthyStep(ctx: CutoverContext): Step {
  const { runtime, project, plan } = ctx;
  return {
    phase: 'waiting-healthy',
    title: `wait until ${plan.toColor} is healthy`,
    run: async (signal) => {
      const waitStarted = Date.now();
      const { healthCheckTimeoutMs: timeoutMs, healthCheckIntervalMs: intervalMs } = project.settings;
      const operation = operationOf(ctx);
      const started = (await runtime.docker.listContainers({ project: project.projectName })).filter((c) => c.operation === operation.id);
      await waitForHealthy(runtime, started, { timeoutMs, intervalMs, signal, color: plan.toColor, failFast: project.settings.healthFailFast });
      // Ports are known only now that the containers run: read them again for the HTTP probe.
      const running = (await runtime.docker.listContainers({ project: project.projectName })).filter((c) => c.operation === operation.id);
      await probeHealthPaths(runtime, project, running, { timeoutMs: Math.max(1000, timeoutMs - (Date.now() - waitStarted)), intervalMs, signal });
    },
  };
}

/** `rewriteRoot`: changes outside the servers in the same change (a bake's traffic log in). */
export function switchStep(ctx: CutoverContext, rewriteRoot?: (root: JsonObject) => JsonObject): Step {
  const { runtime, project, plan } = ctx;
  return {
    phase: 'switching',
    title: `switch all services to ${plan.toColor}`,
    run: async () => {
      const restoreLoadBalancing = originalLoadBalancing(operationOf(ctx));
      const outcome = await switchAll(runtime, project, plan.toColor, `sends every service to ${plan.toColor}`, { restoreLoadBalancing }, rewriteRoot === undefined ? {} : { rewriteRoot });
      ctx.switched = outcome;
      for (const s of outcome.plan.services) runtime.logger.info({ event: 'switch.service', service: s.service, from: s.from, to: s.to }, `  ${s.service}: ${s.from.join(' ')} -> ${s.to.join(' ')}`);
    },
    undo: () => sendTrafficBack(runtime, project, operationOf(ctx), ctx.switched),
  };
}

async function verifyThroughCaddy(url: string, signal: AbortSignal): Promise<string> {
  const response = await httpRequest(url, { method: 'GET', signal, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const body = (await response.body.text()).slice(0, 200);
  if (response.statusCode < 200 || response.statusCode > 299) {
    throw new OperationFailedError(`verification failed: GET ${url} answered ${response.statusCode} through Caddy: ${body.trim()}`, {
      hint: 'traffic was switched back; try the new version with the Cutover-Color preview header',
    });
  }
  return body;
}

export function verifyStep(ctx: CutoverContext, verifyUrl: string | undefined): Step {
  const { runtime, project, plan } = ctx;
  return {
    phase: 'verifying',
    title: 'verify',
    run: async (signal) => {
      const instances = colorInstances(await runtime.docker.listContainers({ project: project.projectName }));
      // Every Caddy instance (docs/multi-instance.md): each must send all services to the new color.
      for (const admin of caddyInstances(runtime)) {
        const read = await admin.readConfig('/config/');
        const view = trafficOf(runtime, read.value as JsonValue, project.colored, instances, admin.address.text);
        if (view.live.kind !== 'color' || view.live.color !== plan.toColor) {
          throw new ConfigInvalidError([
            { file: `Caddy config (${admin.address.text})`, path: '', message: `after the switch Caddy does not send all services to ${plan.toColor}: ${view.live.kind === 'mixed' ? view.live.detail : view.live.kind}` },
          ]);
        }
      }
      if (verifyUrl !== undefined) {
        const body = await verifyThroughCaddy(verifyUrl, signal);
        runtime.logger.info({ event: 'verify.answer', url: verifyUrl, body }, `  ${verifyUrl} answered: ${body.trim().slice(0, 80)}`);
      }
    },
  };
}
