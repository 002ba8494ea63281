import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { StateInvalidError } from '../errors.js';
import { replaceFileAtomically } from './write-file-durably.js';

/**
 * How `cutover promote` / `cutover abort` reach a canary that runs in another
 * process: a small file next to the state file. The canary polls for it while
 * paused (abort also between steps) and deletes it once acted on. The state
 * file itself keeps one writer: the process that runs the canary.
 */
export const REQUEST_FILE_NAME = 'cutover-request.json';

export const canaryRequestSchema = z.object({
  action: z.enum(['promote', 'abort']),
  /** The operation it is meant for, so a late request never hits the next canary. */
  operationId: z.string().min(1),
  pid: z.number().int().positive(),
  at: z.iso.datetime({ offset: true }),
});

export type CanaryRequest = z.infer<typeof canaryRequestSchema>;

export function requestFilePath(dir: string): string {
  return join(dir, REQUEST_FILE_NAME);
}

/** Atomically: the canary polls this file, and must never read it half-written. */
export async function writeCanaryRequest(dir: string, request: CanaryRequest): Promise<void> {
  await replaceFileAtomically(requestFilePath(dir), `${JSON.stringify(request)}\n`);
}

/**
 * The pending request for `operationId` among the `accepted` actions, removed
 * once taken; a request for another operation is stale and removed too, and
 * one of an action not accepted now is left for later.
 */
export async function takeCanaryRequest(dir: string, operationId: string, accepted: ReadonlyArray<CanaryRequest['action']>): Promise<CanaryRequest | undefined> {
  let text: string;
  try {
    text = await readFile(requestFilePath(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const parsed = canaryRequestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new StateInvalidError(`${REQUEST_FILE_NAME} is invalid: ${parsed.error.issues[0]?.message ?? 'not JSON'}`, {
      hint: `remove ${requestFilePath(dir)} and run cutover promote or cutover abort again`,
    });
  }
  if (parsed.data.operationId === operationId && !accepted.includes(parsed.data.action)) return undefined;
  await rm(requestFilePath(dir), { force: true });
  return parsed.data.operationId === operationId ? parsed.data : undefined;
}

export async function clearCanaryRequest(dir: string): Promise<void> {
  await rm(requestFilePath(dir), { force: true });
}
