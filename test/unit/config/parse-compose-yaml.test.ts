import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OverrideValue, ResetValue } from '../../../src/config/merge-tags.js';
import { parseComposeYaml } from '../../../src/config/parse-compose-yaml.js';

describe('parseComposeYaml', () => {
  test('reads !reset and !override on scalars, sequences and mappings', () => {
    const parsed = parseComposeYaml('a: !reset []\nb: !reset null\nc: !override [1, 2]\nd: !override {k: v}\ne: !override text\n');
    assert.deepEqual(parsed, {
      ok: true,
      value: { a: new ResetValue(), b: new ResetValue(), c: new OverrideValue([1, 2]), d: new OverrideValue({ k: 'v' }), e: new OverrideValue('text') },
    });
    assert.ok(parsed.ok && (parsed.value as Record<string, unknown>).a instanceof ResetValue);
  });

  test('resolves anchors, aliases and << merge keys', () => {
    const parsed = parseComposeYaml('x-common: &common\n  restart: always\n  image: a\nservices:\n  web:\n    <<: *common\n    image: b\n');
    assert.deepEqual(parsed, { ok: true, value: { 'x-common': { restart: 'always', image: 'a' }, services: { web: { restart: 'always', image: 'b' } } } });
  });

  test('an empty file is an empty mapping', () => {
    assert.deepEqual(parseComposeYaml(''), { ok: true, value: {} });
  });

  const bad: Array<[string, string, string]> = [
    [
      'unclosed flow sequence',
      'services:\n  web:\n    ports: [80\n  db: {}\n',
      'YAML syntax error at line 4, column 3: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    ['duplicate key', 'services:\n  web: {}\n  web: {}\n', 'YAML syntax error at line 3, column 3: Map keys must be unique'],
    ['bad indentation', 'services:\n  web:\n    image: a\n   ports: []\n', 'YAML syntax error at line 4, column 1: All mapping items must start at the same column'],
    ['unknown tag', 'services:\n  web:\n    image: !env VERSION\n', 'unsupported YAML tag at line 3, column 12: Unresolved tag: !env (cutover knows !reset and !override)'],
  ];
  for (const [name, text, message] of bad) {
    test(`reports ${name} with line and column`, () => {
      assert.deepEqual(parseComposeYaml(text), { ok: false, messages: [message] });
    });
  }
});
