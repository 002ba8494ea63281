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
