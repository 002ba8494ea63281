import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { interpolate, referencedVariables } from '../../../src/config/interpolate.js';

const vars: Record<string, string> = { SET: 'value', EMPTY: '', VERSION: 'v2', OTHER: 'other' };
const lookup = (name: string): string | undefined => vars[name];

describe('interpolate', () => {
  const cases: Array<[string, string]> = [
    ['plain text', 'plain text'],
    ['$SET', 'value'],
    ['${SET}', 'value'],
    ['a-$SET-b', 'a-value-b'],
    ['$SET.suffix', 'value.suffix'],
    ['${UNSET}', ''],
    ['$UNSET', ''],
    ['${SET:-default}', 'value'],
    ['${EMPTY:-default}', 'default'],
    ['${UNSET:-default}', 'default'],
    ['${SET-default}', 'value'],
    ['${EMPTY-default}', ''],
    ['${UNSET-default}', 'default'],
    ['${SET:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${UNSET:+alt}', ''],
    ['${SET+alt}', 'alt'],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['${SET:?needed}', 'value'],
    ['${EMPTY?needed}', ''],
    ['$$', '$'],
    ['$$SET', '$SET'],
    ['$${SET}', '${SET}'],
    ['cost: $$5', 'cost: $5'],
    ['${UNSET:-${OTHER}}', 'other'],
    ['${UNSET:-${ALSO_UNSET:-deep}}', 'deep'],
    ['${UNSET:-prefix-$OTHER-suffix}', 'prefix-other-suffix'],
    ['${SET:-${UNSET:?never evaluated}}', 'value'],
    ['${UNSET:-a:b-c}', 'a:b-c'],
    ['image:${VERSION:?VERSION is required}', 'image:v2'],
    ['${UNSET:-}', ''],
  ];
  for (const [template, expected] of cases) {
    test(`${template} -> ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(interpolate(template, lookup), { ok: true, value: expected });
    });
  }

  const errors: Array<[string, string]> = [
    ['${UNSET:?VERSION is required}', 'VERSION is required'],
    ['${EMPTY:?must not be empty}', 'must not be empty'],
    ['${UNSET?gone}', 'gone'],
    ['${UNSET:?}', 'required variable UNSET is missing a value'],
    ['${UNSET:?need $OTHER}', 'need other'],
    ['${UNSET:-${INNER:?inner missing}}', 'inner missing'],
    ['price $5', 'invalid interpolation in "price $5": "$" must be followed by a variable name, "{" or "$" (write $$ for a literal $)'],
    ['trailing $', 'invalid interpolation in "trailing $": "$" must be followed by a variable name, "{" or "$" (write $$ for a literal $)'],
    ['${SET', 'invalid interpolation in "${SET": expected "}" or one of :- :? :+ - ? + after ${SET'],
    ['${SET:-open', 'invalid interpolation in "${SET:-open": "${SET" is not closed with "}"'],
    ['${}', 'invalid interpolation in "${}": "${" must be followed by a variable name'],
    ['${SET*x}', 'invalid interpolation in "${SET*x}": expected "}" or one of :- :? :+ - ? + after ${SET'],
  ];
  for (const [template, message] of errors) {
    test(`${template} fails with ${JSON.stringify(message)}`, () => {
      assert.deepEqual(interpolate(template, lookup), { ok: false, message });
    });
  }
});

describe('referencedVariables', () => {
  const cases: Array<[string, string[]]> = [
    ['ghcr.io/app:${VERSION:?VERSION is required}', ['VERSION']],
    ['ghcr.io/app:$VERSION', ['VERSION']],
    ['ghcr.io/app:${TAG:-${VERSION}}', ['TAG', 'VERSION']],
    ['ghcr.io/app:$${VERSION}', []],
    ['ghcr.io/app:latest', []],
    ['broken ${', []],
  ];
  for (const [template, names] of cases) {
    test(`${template} mentions ${names.join(', ') || 'nothing'}`, () => {
      assert.deepEqual(referencedVariables(template), names);
    });
  }
});
