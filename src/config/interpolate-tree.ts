import { childPath } from './config-path.js';
import { interpolate, type VariableLookup } from './interpolate.js';
import { OverrideValue, ResetValue } from './merge-tags.js';

export interface TreeProblem {
  path: string;
  message: string;
}

/**
 * Interpolates every string value of a parsed Compose file (keys stay as
 * written, as in Compose). Problems carry the dotted path of the value.
 */
export function interpolateTree(value: unknown, lookup: VariableLookup, path: string, problems: TreeProblem[]): unknown {
  if (typeof value === 'string') {
    const result = interpolate(value, lookup);
    if (result.ok) return result.value;
    problems.push({ path, message: result.message });
    return value;
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolateTree(item, lookup, childPath(path, index), problems));
  if (value instanceof ResetValue) return value;
  if (value instanceof OverrideValue) return new OverrideValue(interpolateTree(value.value, lookup, path, problems));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolateTree(item, lookup, childPath(path, key), problems);
    return out;
  }
  return value;
}
