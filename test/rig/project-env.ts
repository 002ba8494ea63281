import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Sets one setting in a test project's .env (replaced when present, else
 * added), e.g. a HEALTH_CHECK_TIMEOUT that a shared, busy machine needs.
 */
export async function setProjectEnv(dir: string, key: string, value: string): Promise<void> {
  const file = path.join(dir, '.env');
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter((line) => line !== '' && !line.startsWith(`${key}=`));
  await writeFile(file, `${[...lines, `${key}=${value}`].join('\n')}\n`);
}

/**
 * Replaces the rig's healthcheck (a `node` probe) in compose.yml by busybox
 * `wget` of /health, as the benchmark does (bench/bench-project.ts): on a
 * 2-core machine shared by several test runs, starting `node` inside the
 * container took longer than the probe's 10 s timeout, so healthy containers
 * were reported unhealthy and the fault tests measured the load, not the
 * fault. Only the probe changes.
 */
export async function useLightHealthcheck(dir: string): Promise<void> {
  const file = path.join(dir, 'compose.yml');
  const text = await readFile(file, 'utf8');
  const probe = /test: \['CMD', 'node', '\/app\/server\.mjs', '--probe', '(http:\/\/127\.0\.0\.1:\d+\/health)'\]/g;
  if (!probe.test(text)) throw new Error(`${file}: no node probe to replace`);
  await writeFile(file, text.replace(probe, "test: ['CMD', 'wget', '-q', '-O', '/dev/null', '$1']"));
}

/**
 * What every fault test's project needs before its faults: a health timeout a
 * busy shared machine can meet, the light healthcheck, and v1 then v2 deployed
 * (so a warm standby exists). The faults, not the load, must decide.
 */
export async function prepareFaultProject(dir: string, cli: (args: string[]) => Promise<{ code: number; stderr: string }>): Promise<void> {
  await setProjectEnv(dir, 'HEALTH_CHECK_TIMEOUT', '180');
  await useLightHealthcheck(dir);
  for (const version of ['v1', 'v2']) {
    const run = await cli(['deploy', version]);
    if (run.code !== 0) throw new Error(`deploy ${version} exited ${run.code}: ${run.stderr}`);
  }
}
