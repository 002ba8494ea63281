import { interpolate, type VariableLookup } from './interpolate.js';

export interface DotenvProblem {
  /** 1-based line where the entry starts. */
  line: number;
  message: string;
}

export interface ParsedDotenv {
  values: Record<string, string>;
  problems: DotenvProblem[];
}

// `KEY=value`, `KEY: value`, `export KEY=value`, or a bare `KEY`. Compose
// accepts dots and dashes in keys (env_file entries are not shell variables).
const ENTRY = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:([=:])\s*(.*))?$/;

/**
 * Parses a `.env` or `env_file` file with Compose's rules: `#` comments
 * (inline only after whitespace when unquoted), single quotes literal,
 * double quotes with `\n \r \t \\ \"` escapes, quoted values may span lines,
 * unquoted and double-quoted values are interpolated. `lookup` is consulted
 * before the file's own earlier entries (the environment wins over .env).
 * A bare `KEY` takes its value from `lookup`, or is left out.
 */
export function parseDotenv(text: string, lookup: VariableLookup): ParsedDotenv {
  const values: Record<string, string> = {};
  const problems: DotenvProblem[] = [];
  const resolve: VariableLookup = (name) => lookup(name) ?? values[name];
  const lines = text.split(/\r?\n/);
  let index = 0;
  while (index < lines.length) {
    const lineNumber = index + 1;
    const line = lines[index] ?? '';
    index += 1;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const entry = ENTRY.exec(line);
    if (entry === null) {
      problems.push({ line: lineNumber, message: `expected KEY=value, got ${JSON.stringify(trimmed)}` });
      continue;
    }
    const key = entry[1] ?? '';
    const rest = entry[3];
    if (entry[2] === undefined || rest === undefined) {
      const inherited = lookup(key);
      if (inherited !== undefined) values[key] = inherited;
      continue;
    }
    const quote = rest[0];
    if (quote === "'" || quote === '"') {
      // A quoted value may continue on the following lines until its closing quote.
      let body = rest.slice(1);
      let close = findClosingQuote(body, quote);
      while (close === -1 && index < lines.length) {
        body += `\n${lines[index] ?? ''}`;
        index += 1;
        close = findClosingQuote(body, quote);
      }
      if (close === -1) {
        problems.push({ line: lineNumber, message: `${key}: the ${quote} quote is never closed` });
        continue;
      }
      const after = body.slice(close + 1).trim();
      if (after !== '' && !after.startsWith('#')) {
        problems.push({ line: lineNumber, message: `${key}: unexpected text after the closing quote: ${JSON.stringify(after)}` });
        continue;
      }
      const raw = body.slice(0, close);
      if (quote === "'") {
        values[key] = raw.replace(/\\'/g, "'");
        continue;
      }
      assign(key, unescapeDoubleQuoted(raw), lineNumber);
      continue;
    }
    const comment = rest.search(/\s#/);
    assign(key, (comment === -1 ? rest : rest.slice(0, comment)).trim(), lineNumber);
  }
  return { values, problems };

  function assign(key: string, template: string, line: number): void {
    const result = interpolate(template, resolve);
    if (result.ok) values[key] = result.value;
    else problems.push({ line, message: `${key}: ${result.message}` });
  }
}

function findClosingQuote(body: string, quote: string): number {
  for (let i = 0; i < body.length; i += 1) {
    if (body[i] === '\\') i += 1;
    else if (body[i] === quote) return i;
  }
  return -1;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', "'": "'" };

function unescapeDoubleQuoted(raw: string): string {
  return raw.replace(/\\(.)/gs, (whole, char: string) => {
    // `\$` is a literal dollar: keep it escaped for the interpolation that follows.
    if (char === '$') return '$$';
    return ESCAPES[char] ?? whole;
  });
}
