import type { Color } from '../config/model.js';

/** What a run of `--analysis-cmd` is told about the canary step it checks. */
export interface AnalysisCommandContext {
  project: string;
  fromColor: Color;
  toColor: Color;
  fromVersion: string | null;
  toVersion: string;
  /** 1-based step number, and how many steps the canary has. */
  step: number;
  steps: number;
  /** Percent of requests the new color gets at this step. */
  weight: number;
  /** 1-based number of this run within the step. */
  look: number;
}

/** The CUTOVER_* variables a run of `--analysis-cmd` gets on top of cutover's own environment (docs/canary.md). */
export function analysisCommandEnv(context: AnalysisCommandContext): Record<string, string> {
  return {
    CUTOVER_PROJECT: context.project,
    CUTOVER_FROM_COLOR: context.fromColor,
    CUTOVER_TO_COLOR: context.toColor,
    CUTOVER_FROM_VERSION: context.fromVersion ?? '',
    CUTOVER_TO_VERSION: context.toVersion,
    CUTOVER_STEP: String(context.step),
    CUTOVER_STEPS: String(context.steps),
    CUTOVER_WEIGHT: String(context.weight),
    CUTOVER_FROM_WEIGHT: String(100 - context.weight),
    CUTOVER_LOOK: String(context.look),
  };
}
