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
 * What every fault test's project needs before its faults: a health timeout a
 * busy shared machine can meet, and v1 then v2 deployed
 * (so a warm standby exists). The faults, not the load, must decide.
 */
export async function prepareFaultProject(dir: string, cli: (args: string[]) => Promise<{ code: number; stderr: string }>): Promise<void> {
  await setProjectEnv(dir, 'HEALTH_CHECK_TIMEOUT', '180');
  for (const version of ['v1', 'v2']) {
    const run = await cli(['deploy', version]);
    if (run.code !== 0) throw new Error(`deploy ${version} exited ${run.code}: ${run.stderr}`);
  }
}
