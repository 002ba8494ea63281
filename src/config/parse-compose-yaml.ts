import { LineCounter, parseDocument } from 'yaml';
import { MERGE_TAGS } from './merge-tags.js';

export type ParsedYaml = { ok: true; value: unknown } | { ok: false; messages: string[] };

/**
 * Parses one Compose file into plain JS. `!reset`/`!override` become markers
 * (see merge-tags.ts); anchors, aliases and `<<` merge keys resolve as in
 * Compose. Syntax errors and unknown tags come back with line and column.
 */
export function parseComposeYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { customTags: MERGE_TAGS, lineCounter, merge: true, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): string => {
    const pos = lineCounter.linePos(offset ?? 0);
    return `line ${pos.line}, column ${pos.col}`;
  };
  const messages = doc.errors.map((error) => `YAML syntax error at ${at(error.pos[0])}: ${error.message}`);
  for (const warning of doc.warnings) {
    // An unknown tag would otherwise be read as a plain value and silently change meaning.
    if (warning.code === 'TAG_RESOLVE_FAILED') messages.push(`unsupported YAML tag at ${at(warning.pos[0])}: ${warning.message} (cutover knows !reset and !override)`);
  }
  if (messages.length > 0) return { ok: false, messages };
  return { ok: true, value: doc.toJS({ json: true, maxAliasCount: 1000 }) ?? {} };
}
