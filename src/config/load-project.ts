import { readFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { ConfigInvalidError, type ConfigProblem } from '../errors.js';
import { checkColorsCanCoexist, checkReferences, resolveDependencies, type PlacedSpec } from './check-project.js';
import { childPath } from './config-path.js';
import { buildPlainService } from './build-plain-service.js';
import { findColoredServices, type ColoredPart, type ComposeFileServices } from './find-colored-services.js';
import { referencedVariables, type VariableLookup } from './interpolate.js';
import { interpolateTree, type TreeProblem } from './interpolate-tree.js';
import { readSettings } from './load-settings.js';
import { expandAlone, mergeService } from './merge-compose.js';
import { OverrideValue } from './merge-tags.js';
import { COLORS, type Color, type ColoredService, type ProjectConfig, type ServiceSpec } from './model.js';
import { normalizeService, type NormalizeContext } from './normalize-service.js';
import { parseComposeYaml } from './parse-compose-yaml.js';
import { parseDotenv } from './parse-dotenv.js';
import { resolveProjectName } from './resolve-project-name.js';
import { resolveMountedFileSources } from './resolve-mounted-file-sources.js';
import { resolveResources, type ResourceSection } from './resolve-resources.js';
import { keyRule, SERVICE_KEYS } from './service-keys.js';
import { validateComposeFile, type EnvFileUse } from './validate-compose-file.js';

export interface LoadProjectOptions {
  projectDir: string;
  /** The process environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** Overrides such as VERSION=v2; they win over `env` and `.env`. */
  variables?: Readonly<Record<string, string>>;
}

/** Compose's own search order for the main file. */
/** The names compose.yml may have, in Compose's order of preference. */
export const BASE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

type Tree = Record<string, unknown>;

interface LoadedFile {
  file: string;
  /** As parsed, before interpolation: to see whether an image names ${VERSION}. */
  raw: Tree;
  tree: Tree;
}

const isMapping = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads compose.yml, compose.blue.yml, compose.green.yml, .env and the env
 * files they name from `projectDir`, and returns the project as plain data.
 * Nothing is returned unless everything is valid: all problems of all files
 * are collected and thrown together as one ConfigInvalidError.
 *
 * Order: .env and settings; parse and interpolate each file; decide the
 * colored services from the names; validate each file on its own and read
 * env files (problems so far are thrown here, since merging invalid input
 * would only produce noise); then merge, normalize and check the whole.
 */
export async function loadProject(options: LoadProjectOptions): Promise<ProjectConfig> {
  const projectDir = resolve(options.projectDir);
  const problems: ConfigProblem[] = [];
  const filesRead: string[] = [];
  const fromEnv: VariableLookup = (name) => options.variables?.[name] ?? options.env[name];

  const dotenvText = await readIfExists(join(projectDir, '.env'));
  let dotenv: Record<string, string> = {};
  if (dotenvText !== undefined) {
    filesRead.push(join(projectDir, '.env'));
    const parsed = parseDotenv(dotenvText, fromEnv);
    dotenv = parsed.values;
    for (const problem of parsed.problems) problems.push({ file: '.env', path: `line ${problem.line}`, message: problem.message });
  }
  const lookup: VariableLookup = (name) => fromEnv(name) ?? dotenv[name];
  const settings = readSettings([
    { file: 'environment', values: options.env },
    { file: '.env', values: dotenv },
  ]);
  problems.push(...settings.problems);

  const load = async (candidates: string[], missing: string): Promise<LoadedFile | undefined> => {
    for (const file of candidates) {
      const text = await readIfExists(join(projectDir, file));
      if (text === undefined) continue;
      filesRead.push(join(projectDir, file));
      const parsed = parseComposeYaml(text);
      if (!parsed.ok) {
        for (const message of parsed.messages) problems.push({ file, path: '', message });
        return undefined;
      }
      const raw = isMapping(parsed.value) ? parsed.value : {};
      const treeProblems: TreeProblem[] = [];
      const tree = interpolateTree(parsed.value, lookup, '', treeProblems);
      for (const problem of treeProblems) problems.push({ file, ...problem });
      if (!isMapping(tree)) problems.push({ file, path: '', message: 'expected a mapping of top-level keys (services, networks, volumes...)' });
      return { file, raw, tree: isMapping(tree) ? tree : {} };
    }
    problems.push({ file: candidates[0] ?? '', path: '', message: missing });
    return undefined;
  };
  const base = await load(BASE_FILES, `not found in ${projectDir} (looked for ${BASE_FILES.join(', ')})`);
  const overlays: Record<Color, LoadedFile | undefined> = {
    blue: await load(['compose.blue.yml', 'compose.blue.yaml'], `not found in ${projectDir}: cutover needs both color overlays`),
    green: await load(['compose.green.yml', 'compose.green.yaml'], `not found in ${projectDir}: cutover needs both color overlays`),
  };
  if (base === undefined) throw new ConfigInvalidError(unique(problems));

  const servicesOf = (loaded: LoadedFile): Tree => (isMapping(loaded.tree.services) ? loaded.tree.services : {});
  const namesOf = (loaded: LoadedFile | undefined): ComposeFileServices | undefined =>
    loaded === undefined ? undefined : { file: loaded.file, services: Object.keys(servicesOf(loaded)) };
  const coloring = findColoredServices(namesOf(base) ?? { file: base.file, services: [] }, { blue: namesOf(overlays.blue), green: namesOf(overlays.green) });
  problems.push(...coloring.problems);

  const envFileUses: Array<EnvFileUse & { file: string }> = [];
  for (const loaded of [base, overlays.blue, overlays.green]) {
    if (loaded === undefined) continue;
    const check = validateComposeFile(loaded.tree, loaded.file, (service) => coloring.roleOf(loaded.file, service));
    problems.push(...check.problems);
    envFileUses.push(...check.envFiles.map((use) => ({ ...use, file: loaded.file })));
  }
  const envFiles = await readEnvFiles(projectDir, envFileUses, lookup, problems, filesRead);
  const loadedFiles = [base, overlays.blue, overlays.green].filter((loaded): loaded is LoadedFile => loaded !== undefined);
  const mountedSources = await resolveMountedFileSources(loadedFiles, projectDir, lookup);
  problems.push(...mountedSources.problems);

  const project = resolveProjectName({
    name: typeof base.tree.name === 'string' ? base.tree.name : undefined,
    composeProjectName: lookup('COMPOSE_PROJECT_NAME'),
    directoryName: basename(projectDir),
  });
  if (!project.ok) problems.push({ file: base.file, path: 'name', message: project.message });
  for (const overlay of [overlays.blue, overlays.green]) {
    const name = overlay?.tree.name;
    if (overlay !== undefined && project.ok && name !== undefined && name !== project.name) {
      problems.push({ file: overlay.file, path: 'name', message: `sets the project name "${String(name)}" but the project is "${project.name}"; remove name: from the overlay` });
    }
  }
  if (problems.length > 0 || !project.ok || overlays.blue === undefined || overlays.green === undefined) throw new ConfigInvalidError(unique(problems));

  // Everything read is valid on its own; now merge, normalize and check the project as a whole.
  const loadedOverlays: Record<Color, LoadedFile> = { blue: overlays.blue, green: overlays.green };
  const ctx: NormalizeContext = {
    projectDir,
    projectName: project.name,
    lookup,
    homeDir: options.env.HOME,
    envFileValues: (path) => envFiles.get(path),
    mountedFileSource: mountedSources.lookupFor([base.file]),
  };
  const contextFor = (color: Color | undefined): NormalizeContext =>
    color === undefined ? ctx : { ...ctx, mountedFileSource: mountedSources.lookupFor([base.file, loadedOverlays[color].file]) };
  const placed: PlacedSpec[] = [];
  /** `fileOf(key)`: the file a problem with the service's `key` belongs to (compose.yml when only it sets the key of a merged service). */
  const build = (name: string, composeName: string, file: string, merged: Tree, color: Color | undefined, fileOf: (key: string) => string = () => file): ServiceSpec | undefined => {
    const result = normalizeService(name, composeName, merged, contextFor(color));
    const at = childPath('services', composeName);
    for (const problem of result.problems) {
      problems.push({ file: fileOf(problem.path.split(/[.[]/)[0] ?? ''), path: problem.path === '' ? at : `${at}.${problem.path}`, message: problem.message });
    }
    if (result.spec !== undefined) placed.push({ spec: result.spec, file, composeName, color, optionalDependencies: result.optionalDependencies });
    return result.spec;
  };

  const baseServices = servicesOf(base);
  const activeProfiles = new Set((lookup('COMPOSE_PROFILES') ?? '').split(',').map((p) => p.trim()).filter((p) => p !== ''));
  const shared: ServiceSpec[] = [];
  for (const name of coloring.shared) {
    const spec = build(name, name, base.file, expandAlone(asTree(baseServices[name])), undefined);
    const unapplied = Object.keys(asTree(baseServices[name])).filter((key) => keyRule(SERVICE_KEYS, key)?.kind === 'refused');
    // Like `docker compose up`, a service whose profiles are all inactive is not part of the project's run.
    if (spec !== undefined && isActive(spec, activeProfiles)) shared.push(unapplied.length > 0 ? { ...spec, unappliedKeys: unapplied } : spec);
  }

  const colored: ColoredService[] = [];
  for (const [name, parts] of coloring.colored) {
    const specs: Partial<Record<Color, ServiceSpec>> = {};
    for (const color of COLORS) {
      const part = parts[color];
      const definition = asTree(servicesOf(loadedOverlays[color])[part.key]);
      const merged = part.standalone ? expandAlone(definition) : mergeService(asTree(baseServices[part.key]), definition);
      const fileOf = (key: string): string => (part.standalone || key === '' || key in definition ? part.file : base.file);
      specs[color] = build(name, part.key, part.file, merged, color, fileOf);
      const spec = specs[color];
      if (spec !== undefined && !isActive(spec, activeProfiles)) {
        problems.push({
          file: fileOf('profiles'),
          path: childPath(childPath('services', part.key), 'profiles'),
          message: `none of ${spec.profiles?.join(', ')} is active (COMPOSE_PROFILES); cutover deploys every colored service, so activate one or remove profiles:`,
        });
      }
    }
    const follows = COLORS.map((color) => imageFollowsVersion(parts[color], base, loadedOverlays[color]));
    if (follows[0] !== follows[1]) {
      problems.push({
        file: parts.green.file,
        path: childPath(childPath('services', parts.green.key), 'image'),
        message: `${follows[1] ? 'uses' : 'does not use'} \${VERSION} but ${parts.blue.file} ${follows[0] ? 'does' : 'does not'}; both colors must deploy the same version`,
      });
    }
    if (specs.blue !== undefined && specs.green !== undefined) {
      const plainDefinition = isMapping(baseServices[name]) ? baseServices[name] : undefined;
      colored.push({
        name,
        byColor: { blue: specs.blue, green: specs.green },
        imageFollowsVersion: follows[0] === true && follows[1] === true,
        plain: buildPlainService(name, plainDefinition, ctx),
      });
    }
  }

  const section = (loaded: LoadedFile, key: 'networks' | 'volumes'): ResourceSection => ({ file: loaded.file, entries: asTree(loaded.tree[key]) });
  const overlayList = [loadedOverlays.blue, loadedOverlays.green];
  const networks = resolveResources('network', section(base, 'networks'), overlayList.map((o) => section(o, 'networks')), project.name);
  const volumes = resolveResources('volume', section(base, 'volumes'), overlayList.map((o) => section(o, 'volumes')), project.name);
  problems.push(...networks.problems, ...volumes.problems);
  if (placed.some(({ spec }) => spec.networks.some((n) => n.key === 'default')) && networks.specs.default === undefined) {
    networks.specs.default = { name: `${project.name}_default`, external: false, driver: undefined };
  }

  const serviceNames = new Set([...coloring.shared, ...coloring.colored.keys()]);
  problems.push(
    ...checkReferences(placed, networks.specs, volumes.specs),
    ...resolveDependencies(placed, serviceNames, coloring.colored),
    ...checkColorsCanCoexist(colored, coloring.colored),
  );
  if (problems.length > 0) throw new ConfigInvalidError(unique(problems));

  return {
    projectName: project.name,
    projectDir,
    files: filesRead,
    networks: networks.specs,
    volumes: volumes.specs,
    colored,
    shared,
    settings: settings.settings,
  };
}

/** A service without profiles always runs; one with profiles when one of them is active. */
function isActive(spec: ServiceSpec, active: ReadonlySet<string>): boolean {
  return spec.profiles === undefined || spec.profiles.length === 0 || active.has('*') || spec.profiles.some((p) => active.has(p));
}

/** Whether the image, as written before interpolation, names VERSION (`${VERSION:?...}`, `$VERSION`). */
function imageFollowsVersion(part: ColoredPart, base: LoadedFile, overlay: LoadedFile): boolean {
  const rawServices = (loaded: LoadedFile): Tree => asTree(loaded.raw.services);
  const own = asTree(rawServices(overlay)[part.key]).image;
  let image = own instanceof OverrideValue ? own.value : own;
  if (own === undefined && !part.standalone) image = asTree(rawServices(base)[part.key]).image;
  if (image instanceof OverrideValue) image = image.value;
  return typeof image === 'string' && referencedVariables(image).includes('VERSION');
}

/** Reads every env file once; problems name the compose file that refers to a missing one. */
async function readEnvFiles(
  projectDir: string,
  uses: Array<EnvFileUse & { file: string }>,
  lookup: VariableLookup,
  problems: ConfigProblem[],
  filesRead: string[],
): Promise<Map<string, Record<string, string>>> {
  const values = new Map<string, Record<string, string>>();
  const missing = new Set<string>();
  for (const use of uses) {
    const path = resolve(projectDir, use.path);
    if (!values.has(path) && !missing.has(path)) {
      const text = await readIfExists(path);
      if (text === undefined) missing.add(path);
      else {
        filesRead.push(path);
        const parsed = parseDotenv(text, lookup);
        values.set(path, parsed.values);
        for (const problem of parsed.problems) problems.push({ file: relative(projectDir, path), path: `line ${problem.line}`, message: problem.message });
      }
    }
    if (missing.has(path) && use.required) problems.push({ file: use.file, path: use.at, message: `${use.path} not found in ${projectDir}` });
  }
  return values;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function asTree(value: unknown): Tree {
  return isMapping(value) ? value : {};
}

/** The same problem can surface twice (a base service merged into both colors). */
function unique(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.file}\u0000${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
