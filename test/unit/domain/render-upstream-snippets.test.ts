import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderUpstreamSnippets } from '../../../src/domain/render-upstream-snippets.js';

describe('renderUpstreamSnippets', () => {
  test('one snippet per service and one per service and port, each naming the dials', () => {
    const text = renderUpstreamSnippets(
      [
        { service: 'platform', port: 3000, dials: ['platform-green:3000'] },
        { service: 'platform', port: 3210, dials: ['platform-green:3210'] },
        { service: 'rag', port: 8080, dials: ['127.0.0.1:8201', '127.0.0.1:8202'] },
      ],
      'green',
    );
    const snippets = text.split('\n').filter((line) => !line.startsWith('#')).join('\n');
    assert.equal(
      snippets,
      [
        '(cutover-platform) {', '\tto platform-green:3000', '}',
        '(cutover-platform-3000) {', '\tto platform-green:3000', '}',
        '(cutover-platform-3210) {', '\tto platform-green:3210', '}',
        '(cutover-rag) {', '\tto 127.0.0.1:8201 127.0.0.1:8202', '}',
        '(cutover-rag-8080) {', '\tto 127.0.0.1:8201 127.0.0.1:8202', '}',
        '',
      ].join('\n'),
    );
    assert.match(text, /points at green/);
  });
});
