import type { ConfigProblem } from '../errors.js';
import { serviceSchema, resourceSchema, type EnvFileRef } from './compose-schema.js';
import { childPath, formatPath } from './config-path.js';
import { describeValue } from './describe-value.js';
import { describeZodIssues } from './describe-zod-issues.js';
import { stripMergeTags } from './merge-compose.js';
import { keyRule, NETWORK_KEYS, SERVICE_KEYS, TOP_LEVEL_KEYS, VOLUME_KEYS, type KeyRule } from './service-keys.js';

/**
 * How cutover treats a service of a file: `colored` services are run by
 * cutover and must use only supported keys; `shared` ones are run by Compose,
 * so keys cutover does not model are dropped; `skipped` ones are not read
 * (compose.yml's plain `platform` when the overlays define `platform-blue`).
 */
export type ServiceRole = 'colored' | 'shared' | 'skipped';

export const REFUSED_IN_SERVICE = 'not supported by cutover (remove it or run this service outside cutover)';
const UNKNOWN_KEY = 'unknown key (not in the Compose specification)';

export interface EnvFileUse extends EnvFileRef {
  /** Where the reference is, e.g. `services.db.env_file`. */
  at: string;
}

export interface FileCheck {
  problems: ConfigProblem[];
  envFiles: EnvFileUse[];
}

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Validates one interpolated Compose file on its own: keys, shapes, short syntax. Merging comes later. */
export function validateComposeFile(tree: unknown, file: string, roleOf: (service: string) => ServiceRole): FileCheck {
  const problems: ConfigProblem[] = [];
  const envFiles: EnvFileUse[] = [];
  const report = (path: string, message: string): void => {
    problems.push({ file, path, message });
  };
  if (!isMapping(tree)) {
    report('', `expected a mapping of top-level keys (services, networks, volumes...), got ${describeValue(tree)}`);
    return { problems, envFiles };
  }
  for (const key of Object.keys(tree)) {
    const rule = keyRule(TOP_LEVEL_KEYS, key);
    if (rule === undefined) report(key, 'unknown top-level key (not in the Compose specification)');
    else if (rule.kind === 'refused') report(key, `not supported by cutover: ${rule.reason}`);
  }
  if (tree.name !== undefined && typeof tree.name !== 'string') report('name', `expected a string, got ${describeValue(tree.name)}`);

  const services = tree.services ?? {};
  if (!isMapping(services)) report('services', `expected a mapping of services, got ${describeValue(services)}`);
  else {
    for (const [name, raw] of Object.entries(services)) {
      const role = roleOf(name);
      if (role === 'skipped') continue;
      const path = childPath('services', name);
      const definition = raw ?? {};
      if (!isMapping(definition)) {
        report(path, `expected a mapping, got ${describeValue(definition)}`);
        continue;
      }
      const kept = filterKeys(definition, SERVICE_KEYS, path, role === 'colored' ? REFUSED_IN_SERVICE : undefined, report);
      const result = serviceSchema.safeParse(dropNulls(stripMergeTags(kept)), { reportInput: true });
      if (!result.success) {
        const unknownNested = role === 'colored' ? REFUSED_IN_SERVICE : 'not supported by cutover';
        for (const issue of describeZodIssues(result.error.issues, unknownNested)) report(formatPath(issue.path, path), issue.message);
        continue;
      }
      for (const ref of result.data.env_file ?? []) envFiles.push({ ...ref, at: childPath(path, 'env_file') });
    }
  }

  for (const [section, rules, kind] of [['networks', NETWORK_KEYS, 'network'], ['volumes', VOLUME_KEYS, 'volume']] as const) {
    const entries = tree[section] ?? {};
    if (!isMapping(entries)) {
      report(section, `expected a mapping of ${section}, got ${describeValue(entries)}`);
      continue;
    }
    const refusal = `not supported by cutover: it shapes how the ${kind} is created; create the ${kind} yourself and mark it external: true`;
    for (const [key, raw] of Object.entries(entries)) {
      const path = childPath(section, key);
      if (raw !== null && !isMapping(raw)) {
        report(path, `expected a mapping, got ${describeValue(raw)}`);
        continue;
      }
      const kept = raw === null ? null : filterKeys(raw, rules, path, refusal, report);
      const result = resourceSchema.safeParse(stripMergeTags(kept), { reportInput: true });
      if (!result.success) for (const issue of describeZodIssues(result.error.issues, refusal)) report(formatPath(issue.path, path), issue.message);
    }
  }
  return { problems, envFiles };
}

/**
 * Keeps the supported keys of a mapping. Unknown keys are reported; refused
 * keys are reported when `refusal` is given and dropped otherwise; ignored keys are dropped.
 */
export function filterKeys(
  mapping: Record<string, unknown>,
  rules: ReadonlyMap<string, KeyRule>,
  path: string,
  refusal: string | undefined,
  report: (path: string, message: string) => void,
): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(mapping)) {
    const rule = keyRule(rules, key);
    if (rule === undefined) report(childPath(path, key), UNKNOWN_KEY);
    else if (rule.kind === 'refused' && refusal !== undefined) report(childPath(path, key), rule.reason === '' ? refusal : `not supported by cutover: ${rule.reason}`);
    else if (rule.kind === 'supported') kept[key] = value;
  }
  return kept;
}

/** A key set to nothing (`command:`) is the same as an absent key. */
export function dropNulls(value: unknown): Record<string, unknown> {
  if (!isMapping(value)) return {};
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== null && item !== undefined));
}
