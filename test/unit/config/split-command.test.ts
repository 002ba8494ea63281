import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitCommand } from '../../../src/config/split-command.js';

describe('splitCommand', () => {
  const cases: Array<[string, string[] | undefined]> = [
    ['npm start', ['npm', 'start']],
    ['  spaced   out  ', ['spaced', 'out']],
    ['node server.js --port 3000', ['node', 'server.js', '--port', '3000']],
    ['sh -c "echo hello world"', ['sh', '-c', 'echo hello world']],
    ["echo 'single $HOME'", ['echo', 'single $HOME']],
    ['echo "a \\"quoted\\" b"', ['echo', 'a "quoted" b']],
    ['echo "keep \\n"', ['echo', 'keep \\n']],
    ['echo a\\ b', ['echo', 'a b']],
    ['echo ""', ['echo', '']],
    ['', []],
    ['echo "open', undefined],
    ["echo 'open", undefined],
  ];
  for (const [text, words] of cases) {
    test(JSON.stringify(text), () => {
      assert.deepEqual(splitCommand(text), words);
    });
  }
});
