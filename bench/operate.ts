import { createRuntime, type Runtime } from '../src/run/runtime.js';
import type { HostModeProject } from '../test/rig/host-mode-project.js';
import { benchLogger, type BenchLogger } from './bench-logger.js';

export interface Operation<T> {
  result: T;
  log: BenchLogger;
  ms: number;
}

/**
 * Runs one cutover operation with its own runtime and logger, as one CLI
 * invocation would, and returns its result, its log and how long it took. The
 * log is handed to `run` too, so a scenario can act on events while the
 * operation is still running (e.g. when a canary step begins).
 */
export async function operate<T>(project: HostModeProject, label: string, run: (runtime: Runtime, log: BenchLogger) => Promise<T>): Promise<Operation<T>> {
  const log = benchLogger(label);
  const runtime = createRuntime({ projectDir: project.dir, caddyAdmin: project.caddy.adminAddress, env: { ...process.env }, logger: log.logger });
  const began = Date.now();
  try {
    const result = await run(runtime, log);
    return { result, log, ms: Date.now() - began };
  } finally {
    await runtime.close();
  }
}
