import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { renderUpstreamSnippets, UPSTREAM_SNIPPETS_FILE, type SnippetUpstreams } from '../domain/render-upstream-snippets.js';
import { replaceFileAtomically } from '../state/write-file-durably.js';
import type { Runtime } from './runtime.js';

/** Writes `caddy/cutover-upstreams.caddy` atomically, before the switch it describes is sent. */
export async function writeUpstreamSnippets(runtime: Runtime, upstreams: readonly SnippetUpstreams[], color: string): Promise<void> {
  await replaceFileAtomically(path.join(runtime.stateDir, UPSTREAM_SNIPPETS_FILE), renderUpstreamSnippets(upstreams, color));
}

/** The snippets file as it is now; undefined when there is none. */
export async function readUpstreamSnippets(runtime: Runtime): Promise<string | undefined> {
  try {
    return await readFile(path.join(runtime.stateDir, UPSTREAM_SNIPPETS_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Puts back the snippets read before a switch that no Caddy took (none there: none again). */
export async function restoreUpstreamSnippets(runtime: Runtime, text: string | undefined): Promise<void> {
  const file = path.join(runtime.stateDir, UPSTREAM_SNIPPETS_FILE);
  if (text === undefined) await rm(file, { force: true });
  else await replaceFileAtomically(file, text);
}
