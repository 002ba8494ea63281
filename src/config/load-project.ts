import { basename, join, resolve } from 'node:path';
import { ConfigInvalidError, type ConfigProblem } from '../errors.js';
import { checkColorsCanCoexist, checkReferences, resolveDependencies, type PlacedSpec } from './check-project.js';
import { childPath } from './config-path.js';
import { buildPlainService } from './build-plain-service.js';
import { findColoredServices, type ColoredPart, type ComposeFileServices } from './find-colored-services.js';
import { referencedVariables, type VariableLookup } from './interpolate.js';
import { readSettings } from './load-settings.js';
import { asTree, isMapping, readComposeFile, readEnvFiles, readIfExists, type LoadedFile, type Tree } from './read-compose-files.js';
import { expandAlone, mergeService } from './merge-compose.js';
import { OverrideValue } from './merge-tags.js';
import { COLORS, type Color, type ColoredService, type ProjectConfig, type ServiceSpec } from './model.js';
import { normalizeService, type NormalizeContext } from './normalize-service.js';
import { parseDotenv } from './parse-dotenv.js';
import { resolveProjectName } from './resolve-project-name.js';
import { resolveMountedFileSources } from './resolve-mounted-file-sources.js';
import { resolveProjectResources } from './resolve-project-resources.js';
import { resolveExtends, type ReadOtherFile } from './resolve-extends.js';
import { resolveIncludes } from './resolve-includes.js';
import { applyLabelFiles } from './apply-label-files.js';
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
  const { lookup, settings } = await readEnvironment(projectDir, options, problems, filesRead);
  const read = (candidates: string[], missing: string) => readComposeFile(projectDir, candidates, missing, lookup, problems, filesRead);
  const baseRead = await read(BASE_FILES, `not found in ${projectDir} (looked for ${BASE_FILES.join(', ')})`);
  const overlaysRead: Record<Color, LoadedFile | undefined> = {
    blue: await read(['compose.blue.yml', 'compose.blue.yaml'], `not found in ${projectDir}: cutover needs both color overlays`),
    green: await read(['compose.green.yml', 'compose.green.yaml'], `not found in ${projectDir}: cutover needs both color overlays`),
  };
  if (baseRead === undefined) throw new ConfigInvalidError(unique(problems));
  const { base, ...overlays } = await expandFiles(projectDir, { base: baseRead, ...overlaysRead }, lookup, problems, filesRead);

  const { coloring, envFiles, mountedSources } = await checkFilesAlone(projectDir, base, overlays, lookup, problems, filesRead);
  const project = resolveName(projectDir, base, overlays, lookup, problems);
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
  const activeProfiles = new Set((lookup('COMPOSE_PROFILES') ?? '').split(',').map((p) => p.trim()).filter((p) => p !== ''));
  const { shared, colored, placed } = buildServices(coloring, base, loadedOverlays, { ctx, contextFor, activeProfiles }, problems);
  const { networks, volumes } = resolveProjectResources(base, loadedOverlays, placed, project.name, problems);

  const serviceNames = new Set([...coloring.shared, ...coloring.colored.keys()]);
  problems.push(
    ...checkReferences(placed, networks, volumes),
    ...resolveDependencies(placed, serviceNames, coloring.colored),
    ...checkColorsCanCoexist(colored, coloring.colored),
  );
  if (problems.length > 0) throw new ConfigInvalidError(unique(problems));

  return {
    projectName: project.name,
    projectDir,
    files: filesRead,
    networks,
    volumes,
    colored,
    shared,
    settings: settings.settings,
  };
}

/** Step 1: .env (its values below the process environment and the overrides) and the settings. */
async function readEnvironment(projectDir: string, options: LoadProjectOptions, problems: ConfigProblem[], filesRead: string[]): Promise<{ lookup: VariableLookup; settings: ReturnType<typeof readSettings> }> {
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
  return { lookup, settings };
}

const servicesOf = (loaded: LoadedFile): Tree => (isMapping(loaded.tree.services) ? loaded.tree.services : {});

/** Step 2: each file's include:, extends: and label_file: resolved into plain services. */
async function expandFiles(
  projectDir: string,
  files: { base: LoadedFile } & Record<Color, LoadedFile | undefined>,
  lookup: VariableLookup,
  problems: ConfigProblem[],
  filesRead: string[],
): Promise<{ base: LoadedFile } & Record<Color, LoadedFile | undefined>> {
  const readOther: ReadOtherFile = async (file) =>
    (await readIfExists(join(projectDir, file))) === undefined ? undefined : readComposeFile(projectDir, [file], '', lookup, problems, filesRead);
  const expand = async (loaded: LoadedFile): Promise<LoadedFile> =>
    applyLabelFiles(await resolveExtends(await resolveIncludes(loaded, readOther, problems), readOther, problems), projectDir, lookup, problems, filesRead);
  return {
    base: await expand(files.base),
    blue: files.blue === undefined ? undefined : await expand(files.blue),
    green: files.green === undefined ? undefined : await expand(files.green),
  };
}

/** Step 3: which services are colored (from the names), each file validated on its own, the env files they name read. */
async function checkFilesAlone(
  projectDir: string,
  base: LoadedFile,
  overlays: Record<Color, LoadedFile | undefined>,
  lookup: VariableLookup,
  problems: ConfigProblem[],
  filesRead: string[],
): Promise<{
  coloring: ReturnType<typeof findColoredServices>;
  envFiles: Map<string, Record<string, string>>;
  mountedSources: Awaited<ReturnType<typeof resolveMountedFileSources>>;
}> {
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
  return { coloring, envFiles, mountedSources };
}

/** Step 4: the project name, as Compose decides it; an overlay may not set another. */
function resolveName(projectDir: string, base: LoadedFile, overlays: Record<Color, LoadedFile | undefined>, lookup: VariableLookup, problems: ConfigProblem[]): ReturnType<typeof resolveProjectName> {
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
  return project;
}

/** Step 5: every service merged (base + overlay per color) and normalized; shared ones note the keys cutover does not apply. */
function buildServices(
  coloring: ReturnType<typeof findColoredServices>,
  base: LoadedFile,
  loadedOverlays: Record<Color, LoadedFile>,
  context: { ctx: NormalizeContext; contextFor: (color: Color | undefined) => NormalizeContext; activeProfiles: ReadonlySet<string> },
  problems: ConfigProblem[],
): { shared: ServiceSpec[]; colored: ColoredService[]; placed: PlacedSpec[] } {
  const { ctx, contextFor, activeProfiles } = context;
  const placed: PlacedSpec[] = [];
  /** `fileOf(key)`: the file a problem with the service's `key` belongs to (compose.yml when only it sets the key of a merged service). */
  const build = (name: string, composeName: string, file: string, merged: Tree, color: Color | undefined, fileOf: (key: string) => string = () => file): ServiceSpec | undefined => {
    const result = normalizeService(name, composeName, merged, contextFor(color));
    const at = childPath('services', composeName);
    for (const problem of result.problems) {
      problems.push({ file: fileOf(problem.path.split(/[.[]/)[0] ?? ''), path: problem.path === '' ? at : `${at}.${problem.path}`, message: problem.message });
    }
    if (result.spec === undefined) return undefined;
    const spec: ServiceSpec = { ...result.spec, composeName };
    placed.push({ spec, file, composeName, color, optionalDependencies: result.optionalDependencies });
    return spec;
  };

  const baseServices = servicesOf(base);
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
  return { shared, colored, placed };
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
