import type { z } from 'zod';
import { describeValue } from './describe-value.js';

export interface IssueProblem {
  path: PropertyKey[];
  message: string;
}

const TYPE_NAMES: Record<string, string> = { object: 'a mapping', record: 'a mapping', array: 'a list', string: 'a string', number: 'a number', boolean: 'true or false' };

/**
 * Zod issues as sentences a user can act on ("expected a list, got "abc"").
 * Unrecognized keys become one problem per key, worded by the caller
 * (nested keys cutover does not know are refused like top-level ones).
 * Parse with `{ reportInput: true }` so the messages can quote the value.
 */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[], unrecognizedKey: string): IssueProblem[] {
  const out: IssueProblem[] = [];
  for (const issue of issues) {
    const got = 'input' in issue ? `, got ${describeValue(issue.input)}` : '';
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) out.push({ path: [...issue.path, key], message: unrecognizedKey });
        break;
      case 'invalid_type':
        out.push({ path: issue.path, message: `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}${got}` });
        break;
      case 'invalid_value':
        out.push({ path: issue.path, message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got}` });
        break;
      default:
        out.push({ path: issue.path, message: issue.message });
    }
  }
  return out;
}
