import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDotenv } from '../../../src/config/parse-dotenv.js';

const env: Record<string, string> = { FROM_ENV: 'env-value', SHADOWED: 'env-wins' };
const lookup = (name: string): string | undefined => env[name];

describe('parseDotenv', () => {
  const cases: Array<[string, string, Record<string, string>]> = [
    ['plain', 'KEY=value', { KEY: 'value' }],
    ['export prefix', 'export KEY=value', { KEY: 'value' }],
    ['colon delimiter', 'KEY: value', { KEY: 'value' }],
    ['spaces around', '  KEY =  value  ', { KEY: 'value' }],
    ['empty value', 'KEY=', { KEY: '' }],
    ['comments and blank lines', '# comment\n\n   # indented comment\nKEY=value\n', { KEY: 'value' }],
    ['inline comment after space', 'KEY=value # comment', { KEY: 'value' }],
    ['hash without space is part of the value', 'KEY=value#not-comment', { KEY: 'value#not-comment' }],
    ['single quotes are literal', "KEY='$FROM_ENV \\n ${X}'", { KEY: '$FROM_ENV \\n ${X}' }],
    ['single quotes with escaped quote', "KEY='Let\\'s go'", { KEY: "Let's go" }],
    ['double quotes keep hash', 'KEY="value # not a comment"', { KEY: 'value # not a comment' }],
    ['comment after double quotes', 'KEY="value" # comment', { KEY: 'value' }],
    ['double-quote escapes', 'KEY="a\\nb\\tc\\\\d\\"e"', { KEY: 'a\nb\tc\\d"e' }],
    ['escaped dollar in double quotes', 'KEY="cost \\$5"', { KEY: 'cost $5' }],
    ['unquoted keeps backslash-n', 'KEY=a\\nb', { KEY: 'a\\nb' }],
    ['multi-line single quotes', "KEY='line1\nline2'\nNEXT=1", { KEY: 'line1\nline2', NEXT: '1' }],
    ['interpolates from the environment', 'KEY=${FROM_ENV}-x', { KEY: 'env-value-x' }],
    ['interpolates earlier entries', 'A=1\nB=${A}2', { A: '1', B: '12' }],
    ['environment wins over earlier entries in interpolation', 'SHADOWED=file\nB=$SHADOWED', { SHADOWED: 'file', B: 'env-wins' }],
    ['defaults in values', 'KEY=${MISSING:-fallback}', { KEY: 'fallback' }],
    ['double quotes interpolate', 'KEY="${FROM_ENV}"', { KEY: 'env-value' }],
    ['bare key inherits from lookup', 'FROM_ENV\nMISSING', { FROM_ENV: 'env-value' }],
    ['later entries win', 'KEY=1\nKEY=2', { KEY: '2' }],
    ['dots and dashes in keys', 'my.key-1=x', { 'my.key-1': 'x' }],
    ['CRLF line ends', 'A=1\r\nB=2\r\n', { A: '1', B: '2' }],
  ];
  for (const [name, text, values] of cases) {
    test(name, () => {
      assert.deepEqual(parseDotenv(text, lookup), { values, problems: [] });
    });
  }

  const bad: Array<[string, string, Array<{ line: number; message: string }>]> = [
    ['no equals sign', 'GOOD=1\nthis is not valid\n', [{ line: 2, message: 'expected KEY=value, got "this is not valid"' }]],
    ['key starting with a digit', '1KEY=x', [{ line: 1, message: 'expected KEY=value, got "1KEY=x"' }]],
    ['unclosed double quote', 'A=1\nB="open\nC=3', [{ line: 2, message: 'B: the " quote is never closed' }]],
    ['text after the closing quote', "A='x' y", [{ line: 1, message: 'A: unexpected text after the closing quote: "y"' }]],
    ['required variable', 'A=${NEEDED:?set NEEDED}', [{ line: 1, message: 'A: set NEEDED' }]],
    ['lone dollar', 'A=5$', [{ line: 1, message: 'A: invalid interpolation in "5$": "$" must be followed by a variable name, "{" or "$" (write $$ for a literal $)' }]],
  ];
  for (const [name, text, problems] of bad) {
    test(`problem: ${name}`, () => {
      assert.deepEqual(parseDotenv(text, lookup).problems, problems);
    });
  }
});
