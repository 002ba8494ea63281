import type { LoadShape, WindowCounts } from './read-samples.js';

/** One row of the result table: a deploy v1 → v2 under load, then a rollback to v1, with the load still running. */
export interface ScenarioResult {
  name: string;
  /** Requests over the whole load run (steady state, deploy, rollback, tail). */
  requests: number;
  load: LoadShape;
  deploy: WindowCounts;
  rollback: WindowCounts;
  /** Time during which both versions answered new requests. */
  mixedMs: { deploy: number; rollback: number };
  phases: {
    /** Creating and starting the new color's containers. */
    startMs: number;
    /** From started until Docker reports every new container healthy. */
    healthyMs: number;
    /** From healthy until every new request gets v2 (the start of the last new request answered by v1). */
    switchMs: number | undefined;
    /** What stood between the switch and the end of the deploy, in words with times. */
    drain: string;
    /** The whole deploy call, start to return. */
    totalMs: number;
  };
  /** From the rollback's start until every new request gets v1 again; undefined when not measured. */
  rollbackMs: number | undefined;
  notes: string[];
}
