import path from 'node:path';
import { renderUpstreamSnippets, UPSTREAM_SNIPPETS_FILE, type SnippetUpstreams } from '../domain/render-upstream-snippets.js';
import { replaceFileAtomically } from '../state/write-file-durably.js';
import type { Runtime } from './runtime.js';

/** Writes `caddy/cutover-upstreams.caddy` atomically, before the switch it describes is sent. */
export async function writeUpstreamSnippets(runtime: Runtime, upstreams: readonly SnippetUpstreams[], color: string): Promise<void> {
  await replaceFileAtomically(path.join(runtime.stateDir, UPSTREAM_SNIPPETS_FILE), renderUpstreamSnippets(upstreams, color));
}
