import { access, copyFile, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BASE_FILES, loadProject } from '../config/load-project.js';
import { COLORS, type Color } from '../config/model.js';
import { parseComposeYaml } from '../config/parse-compose-yaml.js';
import { resolveProjectName } from '../config/resolve-project-name.js';
import { composeAddresses, planInit, type CaddyPlacement, type InitPlan } from '../domain/plan-init.js';
import { renderUpstreamSnippets, UPSTREAM_SNIPPETS_FILE } from '../domain/render-upstream-snippets.js';
import { unifiedDiff } from '../domain/unified-diff.js';
import { proxiedServices, wireCaddyfile, type CaddyfileWiring } from '../domain/wire-caddyfile.js';
import { ConfigInvalidError, type ConfigProblem } from '../errors.js';
import { replaceFileAtomically } from '../state/write-file-durably.js';

export interface InitRequest {
  projectDir: string;
  env: Record<string, string | undefined>;
  services: string[];
  caddyOn: CaddyPlacement | undefined;
  /** The Caddyfile to wire; default: caddy/Caddyfile, else Caddyfile. */
  caddyfile: string | undefined;
  writeCaddyfile: boolean;
  force: boolean;
}

export type FileOutcome = 'written' | 'unchanged' | 'replaced';

export interface InitResult {
  plan: InitPlan;
  overlays: Record<Color, { file: string; outcome: FileOutcome; backup?: string }>;
  caddyfile:
    | { file: string; wiring: CaddyfileWiring; diff: string; applied: boolean; backup?: string; snippetsWritten?: string }
    | { file: undefined; looked: string[] };
}

/** Kept next to a file init replaces; never overwritten (the first original is the one worth keeping). */
export const BACKUP_SUFFIX = '.before-cutover-init';

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function backUp(file: string): Promise<string> {
  const backup = `${file}${BACKUP_SUFFIX}`;
  if (!(await exists(backup))) await copyFile(file, backup);
  return backup;
}

const fail = (file: string, message: string, hint?: string): never => {
  throw new ConfigInvalidError([{ file, path: '', message }], { hint: hint ?? 'nothing was written' });
};

/**
 * `cutover init`: reads compose.yml (and the Caddyfile), plans the overlays,
 * checks everything, then writes: the overlays (unless identical: init is
 * idempotent; an existing different overlay only with --force, backed up),
 * then, with --write-caddyfile, the wired Caddyfile (backed up) and the
 * snippets file it imports. The overlays are read back through cutover's own
 * loader before init returns; when that fails they are taken back out.
 */
export async function initProject(request: InitRequest): Promise<InitResult> {
  const dir = path.resolve(request.projectDir);
  const base = await readBaseFile(dir, request.env);
  const found = await findCaddyfile(dir, request);
  const plan = planOverlays(base, found.text, request);

  // Decide every file first; write only when nothing is refused.
  const overlayFiles = await overlaysOnDisk(dir, plan, request.force);
  const snippetsFile = path.join(dir, 'caddy', UPSTREAM_SNIPPETS_FILE);
  let wiring: CaddyfileWiring | undefined;
  if (found.file !== undefined && found.text !== undefined) {
    const importPath = path.relative(path.dirname(found.file), snippetsFile) || UPSTREAM_SNIPPETS_FILE;
    wiring = wireCaddyfile(found.text, plan.services, plan.caddyOn, importPath);
  }

  const overlays = await writeOverlays(dir, plan, overlayFiles, request.env);
  if (found.file === undefined || found.text === undefined || wiring === undefined) return { plan, overlays, caddyfile: { file: undefined, looked: found.looked } };
  return { plan, overlays, caddyfile: await wireCaddyfileOnDisk(found.file, found.text, wiring, snippetsFile, request.writeCaddyfile) };
}

interface BaseFile {
  /** The name it was found under (compose.yml, compose.yaml, ...). */
  name: string;
  compose: unknown;
  projectName: string;
}

/** The project's Compose file, parsed, and the project name Compose would use. */
async function readBaseFile(dir: string, env: InitRequest['env']): Promise<BaseFile> {
  let baseFile: string | undefined;
  let baseText: string | undefined;
  for (const name of BASE_FILES) {
    baseText = await readIfExists(path.join(dir, name));
    if (baseText !== undefined) {
      baseFile = name;
      break;
    }
  }
  if (baseFile === undefined || baseText === undefined) return fail(BASE_FILES[1] as string, `not found in ${dir}: cutover init starts from your Compose file`);
  const parsed = parseComposeYaml(baseText);
  if (!parsed.ok) return fail(baseFile, parsed.messages[0] ?? 'not valid YAML');
  const tree = parsed.value as { name?: unknown };
  const name = resolveProjectName({ name: typeof tree.name === 'string' ? tree.name : undefined, composeProjectName: env.COMPOSE_PROJECT_NAME, directoryName: path.basename(dir) });
  if (!name.ok) return fail(baseFile, name.message);
  return { name: baseFile, compose: parsed.value, projectName: name.name };
}

/** The Caddyfile named by --caddyfile, else caddy/Caddyfile, else Caddyfile; refuses a named one that is missing. */
async function findCaddyfile(dir: string, request: InitRequest): Promise<{ file: string | undefined; text: string | undefined; looked: string[] }> {
  const looked = request.caddyfile === undefined ? [path.join(dir, 'caddy', 'Caddyfile'), path.join(dir, 'Caddyfile')] : [path.resolve(dir, request.caddyfile)];
  let file: string | undefined;
  let text: string | undefined;
  for (const candidate of looked) {
    text = await readIfExists(candidate);
    if (text !== undefined) {
      file = candidate;
      break;
    }
  }
  if (request.caddyfile !== undefined && file === undefined) return fail(request.caddyfile, `--caddyfile ${request.caddyfile}: no such file`);
  if (request.writeCaddyfile && file === undefined) return fail('Caddyfile', `--write-caddyfile: no Caddyfile found (looked for ${looked.join(', ')})`, 'name it with --caddyfile <path>; nothing was written');
  return { file, text, looked };
}

function planOverlays(base: BaseFile, caddyText: string | undefined, request: InitRequest): InitPlan {
  const addresses = composeAddresses(base.compose);
  const planned = planInit({
    projectName: base.projectName,
    compose: base.compose,
    services: request.services,
    proxied: caddyText === undefined ? [] : proxiedServices(caddyText, addresses),
    caddyOn: request.caddyOn,
  });
  if (!planned.ok) throw new ConfigInvalidError(planned.problems.map((message): ConfigProblem => ({ file: base.name, path: '', message })), { hint: 'nothing was written' });
  return planned.plan;
}

type OverlayFiles = Record<Color, { file: string; current: string | undefined }>;

/** Where each overlay goes and what is there now; refuses, without --force, overlays that differ from the plan. */
async function overlaysOnDisk(dir: string, plan: InitPlan, force: boolean): Promise<OverlayFiles> {
  const overlayFiles = {} as OverlayFiles;
  for (const color of COLORS) {
    const yaml = path.join(dir, `compose.${color}.yaml`);
    const file = (await exists(yaml)) ? yaml : path.join(dir, `compose.${color}.yml`);
    overlayFiles[color] = { file, current: await readIfExists(file) };
  }
  const differing = COLORS.filter((color) => overlayFiles[color].current !== undefined && overlayFiles[color].current !== plan.overlays[color]);
  if (differing.length > 0 && !force) {
    const files = differing.map((color) => path.basename(overlayFiles[color].file)).join(' and ');
    return fail(files, `already exist${differing.length === 1 ? 's' : ''} and differ${differing.length === 1 ? 's' : ''} from what init would write: left as ${differing.length === 1 ? 'it is' : 'they are'}`, '--force replaces them (the old ones are kept as <file>.before-cutover-init); nothing was written');
  }
  return overlayFiles;
}

/** Writes the overlays that change, then reads the project back through cutover's loader; takes them back out when that fails. */
async function writeOverlays(dir: string, plan: InitPlan, overlayFiles: OverlayFiles, env: InitRequest['env']): Promise<InitResult['overlays']> {
  const overlays = {} as InitResult['overlays'];
  const written: string[] = [];
  for (const color of COLORS) {
    const { file, current } = overlayFiles[color];
    if (current === plan.overlays[color]) {
      overlays[color] = { file, outcome: 'unchanged' };
      continue;
    }
    const backup = current === undefined ? undefined : await backUp(file);
    await replaceFileAtomically(file, plan.overlays[color]);
    written.push(file);
    overlays[color] = { file, outcome: current === undefined ? 'written' : 'replaced', ...(backup === undefined ? {} : { backup }) };
  }
  try {
    await loadProject({ projectDir: dir, env, variables: { VERSION: env.VERSION ?? 'latest' } });
  } catch (error) {
    for (const file of written) await unlink(file).catch(() => undefined);
    for (const color of COLORS) {
      const backup = overlays[color].backup;
      if (backup !== undefined) await copyFile(backup, overlays[color].file);
    }
    throw error;
  }
  return overlays;
}

/** The diff of the wiring; with --write-caddyfile, the snippets file (when missing) and the wired Caddyfile (backed up) written. */
async function wireCaddyfileOnDisk(caddyfile: string, caddyText: string, wiring: CaddyfileWiring, snippetsFile: string, write: boolean): Promise<InitResult['caddyfile']> {
  const diff = unifiedDiff(caddyText, wiring.text, { from: `${caddyfile} (now)`, to: `${caddyfile} (wired to cutover's snippets)` });
  if (!write || diff === '') return { file: caddyfile, wiring, diff, applied: false };
  // The snippets first: a Caddy that loads the wired file must find them.
  let snippetsWritten: string | undefined;
  if (!(await exists(snippetsFile))) {
    await mkdir(path.dirname(snippetsFile), { recursive: true });
    await replaceFileAtomically(snippetsFile, renderUpstreamSnippets(wiring.snippets, 'the upstreams your Caddyfile named (written by cutover init)'));
    snippetsWritten = snippetsFile;
  }
  const backup = await backUp(caddyfile);
  // In place, not by rename: a Caddyfile bind-mounted into a Caddy container as a single file keeps its inode, and a rename would hide the change from it.
  await writeFile(caddyfile, wiring.text);
  return { file: caddyfile, wiring, diff, applied: true, backup, ...(snippetsWritten === undefined ? {} : { snippetsWritten }) };
}
