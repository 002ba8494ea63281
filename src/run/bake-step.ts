import type { Color, ProjectConfig } from '../config/model.js';
import type { TrafficByColor } from '../domain/aggregate-traffic.js';
import type { BakeBaseline } from '../domain/bake-verdict.js';
import { formatDuration } from '../domain/format-duration.js';
import type { JsonObject } from '../domain/caddy-json.js';
import { withTrafficLog } from '../domain/traffic-log-config.js';
import { CanaryAbortedError } from '../errors.js';
import { sleep } from '../sleep.js';
import { dialOwners } from './canary-step.js';
import { chooseTrafficLog, type TrafficLogPlace } from './choose-traffic-log.js';
import { removeTrafficLog } from './remove-traffic-log.js';
import type { Step } from './run-steps.js';
import type { Runtime } from './runtime.js';
import type { SwitchPlan } from '../domain/plan-switch.js';
import type { TrafficLogReader } from './traffic-log-reader.js';
import { watchBake } from './watch-bake.js';
import type { RealTrafficSettings } from './watch-real-traffic.js';

/** `deploy --bake <duration>`: how long to watch after the full switch, and how to judge. */
export interface BakeOptions {
  durationMs: number;
  settings: RealTrafficSettings;
  /** The new color's latency is not judged this long after the switch (its warm-up); errors are. */
  warmupMs: number;
}

/** One bake: the log's place and reader (opened before the switch), and the canary's last figures when a canary ran. */
export interface BakeRun {
  options: BakeOptions;
  place?: TrafficLogPlace;
  reader?: TrafficLogReader;
  /** Set by the canary's looks: the old color's real traffic just before the switch. */
  canaryTraffic?: TrafficByColor;
}

/** A look a second, as the canary's. */
const LOOK_EVERY_MS = 1_000;

/** The switch's change carries the traffic log when a bake follows (it is taken out by the switch back, or after the bake). */
export function bakeRewrite(bake: BakeRun): (root: JsonObject) => JsonObject {
  return (root) => (bake.place === undefined ? root : withTrafficLog(root, bake.place.writer));
}

/** Before the switch: where Caddy will write the log, and the reader, opened first so no line of the switch is missed. */
export function prepareBakeStep(runtime: Runtime, bake: BakeRun): Step {
  return {
    phase: 'preparing-bake',
    title: 'open the traffic log for the bake',
    run: async () => {
      bake.place = await chooseTrafficLog(runtime);
      bake.reader = await bake.place.open();
    },
    undo: async () => {
      await bake.reader?.close().catch(() => undefined);
    },
  };
}

function baselineOf(bake: BakeRun, fromColor: Color | null): BakeBaseline | undefined {
  if (bake.canaryTraffic === undefined || fromColor === null) return undefined;
  return { traffic: bake.canaryTraffic.colors[fromColor], name: `${fromColor} before the switch (the canary's last ${formatDuration(bake.canaryTraffic.window.toMs - bake.canaryTraffic.window.fromMs)})` };
}

/**
 * After the verified full switch, with the old color still running as warm
 * standby: a look a second at the new color's real traffic for the bake's
 * duration. Significantly worse than the baseline throws CanaryAbortedError
 * (exit 14), so the deploy's steps undo themselves: the switch back in one
 * change (which also takes the log out), the new color removed, the standby
 * kept. A bake that passes takes the log out in a change of its own.
 */
export function bakeStep(runtime: Runtime, project: ProjectConfig, bake: BakeRun, colors: { from: Color | null; to: Color }, switched: () => SwitchPlan | undefined): Step {
  const { logger } = runtime;
  return {
    phase: 'baking',
    title: `bake ${colors.to} for ${formatDuration(bake.options.durationMs)}`,
    run: async (signal) => {
      const reader = bake.reader;
      const plan = switched();
      if (reader === undefined || plan === undefined) throw new Error('bug: the bake ran without its reader or the switch');
      const baseline = baselineOf(bake, colors.from);
      const referenceMs = Math.min(bake.options.settings.windowMs, Math.max(1_000, Math.round(bake.options.durationMs / 3)));
      const watch = watchBake(reader, { color: colors.to, owners: dialOwners(plan), settings: bake.options.settings, baseline, referenceMs, warmupMs: baseline === undefined ? bake.options.warmupMs : 0, logger });
      logger.info(
        { event: 'bake.start', color: colors.to, durationMs: bake.options.durationMs, baseline: baseline?.name ?? 'reference' },
        `  baking ${colors.to} for ${formatDuration(bake.options.durationMs)}, ${project.projectName}'s old color kept as warm standby; judged against ${baseline?.name ?? `its own first ${formatDuration(referenceMs)} after a ${formatDuration(bake.options.warmupMs)} warm-up`}`,
      );
      const endMs = Date.now() + bake.options.durationMs;
      try {
        while (Date.now() < endMs) {
          await sleep(Math.min(LOOK_EVERY_MS, Math.max(0, endMs - Date.now())), signal);
          const look = await watch.look();
          if (look.kind === 'reference') continue;
          logger.info({ event: 'bake.look', verdict: look.verdict, figures: look.figures }, `  ${look.summary}`);
          if (look.verdict === 'worse') {
            throw new CanaryAbortedError(`bake aborted: ${look.reason ?? `${colors.to} is worse than before the switch`}`, {
              hint: `all traffic is back on ${colors.from ?? 'the previous services'}; the new color was removed and the standby kept`,
            });
          }
        }
      } finally {
        await watch.close();
      }
      logger.info({ event: 'bake.done', color: colors.to }, `  bake passed: ${colors.to} was not worse than ${watch.baseline()?.name ?? 'its reference'}`);
      try {
        await removeTrafficLog(runtime);
      } catch (error) {
        // The deploy stands; the next cutover command removes a leftover log (docs/real-traffic-analysis.md).
        logger.warn({ event: 'traffic-log.left', err: String(error) }, `could not take the traffic log out of Caddy after the bake: ${error instanceof Error ? error.message : String(error)}; the next cutover command removes it`);
      }
    },
  };
}
