import { deploy, type DeployResult } from '../../src/run/deploy.js';
import type { Runtime } from '../../src/run/runtime.js';
import type { recordingLogger } from './recording-logger.js';
import { testRuntime } from './test-runtime.js';

/** What an operation called in-process gave back: its result or its error, and the log it wrote. */
export interface OperationOutcome<R> {
  result?: R;
  error?: unknown;
  log: ReturnType<typeof recordingLogger>;
}

/**
 * Runs one operation in-process on a test project, on a runtime of its own
 * (closed afterwards), and hands back its result or its error with its log,
 * so the test asserts on either. `env` adds to the process's environment.
 */
export async function runOperation<R>(project: { dir: string; adminAddress: string }, operate: (runtime: Runtime) => Promise<R>, env: Record<string, string> = {}): Promise<OperationOutcome<R>> {
  const { runtime, log } = testRuntime(project, env);
  try {
    return { result: await operate(runtime), log };
  } catch (error) {
    return { error, log };
  } finally {
    await runtime.close();
  }
}

/** `cutover deploy <version>` in-process, with the images never pulled (the tests build them). */
export function deployInProcess(project: { dir: string; adminAddress: string }, version: string, env: Record<string, string> = {}): Promise<OperationOutcome<DeployResult>> {
  return runOperation(project, (runtime) => deploy(runtime, { version, pull: 'never', stopOld: false, dryRun: false, verifyUrl: undefined, signal: new AbortController().signal }), env);
}
