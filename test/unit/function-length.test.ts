import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The longest a function in src/ may be, in lines from its first token to its closing brace. */
const MAX_FUNCTION_LINES = 80;

/** The longest a file in src/ may be, in lines: past it, a file holds more than one concern. */
const MAX_FILE_LINES = 300;

/**
 * Functions allowed over the limit, by `file:name`, each with why; keep this empty where you can.
 * An entry that no longer exceeds the limit fails the test, so the list cannot go stale.
 */
const EXCEPTIONS: Record<string, string> = {};

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

interface LongFunction {
  key: string;
  lines: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

function nameOf(node: ts.Node, source: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name !== undefined) return named.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  // An arrow or function expression takes the name of what it is assigned to, else its position.
  const parent = node.parent;
  if (parent !== undefined && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) return parent.name.getText(source);
  return `<anonymous at line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}>`;
}

/** Every function-like node of one file (nested ones too) longer than `max` lines. */
export function longFunctions(fileName: string, text: string, max: number): LongFunction[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > max) found.push({ key: `${fileName}:${nameOf(node, source)}`, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Lines of a file as `wc -l` counts them (a final newline ends the last line, it does not start another). */
export function lineCount(text: string): number {
  return text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

describe('function length', () => {
  test('the walk finds a long function, method and arrow, and passes a short one', () => {
    const body = (n: number): string => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const text = [
      `function short() {\n${body(3)}\n}`,
      `function long() {\n${body(10)}\n}`,
      `class K {\n  method() {\n${body(10)}\n  }\n}`,
      `const arrow = () => {\n${body(10)}\n};`,
    ].join('\n');
    assert.deepEqual(
      longFunctions('x.ts', text, 10).map((f) => [f.key, f.lines]),
      [
        ['x.ts:long', 12],
        ['x.ts:method', 12],
        ['x.ts:arrow', 12],
      ],
    );
  });

  test(`no function in src/ is over ${MAX_FUNCTION_LINES} lines, but for the listed exceptions`, () => {
    const files = sourceFiles(SRC);
    assert.ok(files.length > 50, `found only ${files.length} files under ${SRC}`);
    const long = files.flatMap((file) => longFunctions(path.relative(SRC, file), readFileSync(file, 'utf8'), MAX_FUNCTION_LINES));
    const offending = long.filter((f) => !(f.key in EXCEPTIONS)).map((f) => `src/${f.key} has ${f.lines} lines: split it into named steps`);
    assert.deepEqual(offending, []);
    const stale = Object.keys(EXCEPTIONS).filter((key) => !long.some((f) => f.key === key));
    assert.deepEqual(stale, [], 'these exceptions are no longer over the limit: remove them from EXCEPTIONS');
  });

  test('lines are counted as wc -l counts them', () => {
    assert.deepEqual(['', 'a', 'a\n', 'a\nb', 'a\nb\n', '\n\n'].map(lineCount), [0, 1, 1, 2, 2, 2]);
  });

  test(`no file in src/ is over ${MAX_FILE_LINES} lines`, () => {
    const long = sourceFiles(SRC)
      .map((file) => ({ file: `src/${path.relative(SRC, file)}`, lines: lineCount(readFileSync(file, 'utf8')) }))
      .filter((f) => f.lines > MAX_FILE_LINES)
      .map((f) => `${f.file} has ${f.lines} lines: move one concern out into a file named for what it exports`);
    assert.deepEqual(long, []);
  });
});
