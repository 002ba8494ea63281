/**
 * Compose variable interpolation in one string: `$VAR`, `${VAR}`, the six
 * operators `:-` `-` `:?` `?` `:+` `+`, and `$$` for a literal `$`.
 * Operands may nest (`${A:-${B:-x}}`) and are evaluated only when used, so an
 * unused `${B:?...}` inside a default never fails.
 *
 * Like Compose, an unset variable without an operator becomes '' and a `$`
 * followed by anything else is an error (write `$$`).
 */

/** Looks a variable up; undefined means unset (an empty string is set). */
export type VariableLookup = (name: string) => string | undefined;

export type InterpolationResult = { ok: true; value: string } | { ok: false; message: string };

type Operator = ':-' | '-' | ':?' | '?' | ':+' | '+';

type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'variable'; name: string; operator: Operator | undefined; operand: Segment[] };

class TemplateError extends Error {}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const OPERATORS: readonly Operator[] = [':-', ':?', ':+', '-', '?', '+'];

export function interpolate(text: string, lookup: VariableLookup): InterpolationResult {
  try {
    return { ok: true, value: evaluate(parseTemplate(text), lookup) };
  } catch (error) {
    if (error instanceof TemplateError) return { ok: false, message: error.message };
    throw error;
  }
}

/** Every variable name the string mentions, also inside operands that may never be evaluated. */
export function referencedVariables(text: string): string[] {
  let segments: Segment[];
  try {
    segments = parseTemplate(text);
  } catch (error) {
    if (error instanceof TemplateError) return [];
    throw error;
  }
  const names = new Set<string>();
  const visit = (list: Segment[]): void => {
    for (const segment of list) {
      if (segment.kind !== 'variable') continue;
      names.add(segment.name);
      visit(segment.operand);
    }
  };
  visit(segments);
  return [...names];
}

function parseTemplate(text: string): Segment[] {
  const { segments, end } = parseUntil(text, 0, false);
  if (end !== text.length) throw new TemplateError(`invalid interpolation in "${text}": unexpected "}"`);
  return segments;
}

/** Parses from `start` to the end of the text, or (inside braces) to the `}` that closes the operand. */
function parseUntil(text: string, start: number, inBraces: boolean): { segments: Segment[]; end: number } {
  const segments: Segment[] = [];
  let literal = '';
  let i = start;
  const flush = (): void => {
    if (literal !== '') segments.push({ kind: 'text', text: literal });
    literal = '';
  };
  while (i < text.length) {
    const char = text[i];
    if (inBraces && char === '}') break;
    if (char !== '$') {
      literal += char;
      i += 1;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      literal += '$';
      i += 2;
      continue;
    }
    flush();
    if (next === '{') {
      const parsed = parseBraced(text, i + 2);
      segments.push(parsed.segment);
      i = parsed.end;
      continue;
    }
    const name = matchName(text, i + 1);
    if (name === undefined) {
      throw new TemplateError(`invalid interpolation in "${text}": "$" must be followed by a variable name, "{" or "$" (write $$ for a literal $)`);
    }
    segments.push({ kind: 'variable', name, operator: undefined, operand: [] });
    i += 1 + name.length;
  }
  flush();
  return { segments, end: i };
}

/** `start` is just after `${`; returns the index after the closing `}`. */
function parseBraced(text: string, start: number): { segment: Segment; end: number } {
  const name = matchName(text, start);
  if (name === undefined) throw new TemplateError(`invalid interpolation in "${text}": "\${" must be followed by a variable name`);
  let i = start + name.length;
  if (text[i] === '}') return { segment: { kind: 'variable', name, operator: undefined, operand: [] }, end: i + 1 };
  const operator = OPERATORS.find((op) => text.startsWith(op, i));
  if (operator === undefined) {
    throw new TemplateError(`invalid interpolation in "${text}": expected "}" or one of ${OPERATORS.join(' ')} after \${${name}`);
  }
  const operand = parseUntil(text, i + operator.length, true);
  i = operand.end;
  if (text[i] !== '}') throw new TemplateError(`invalid interpolation in "${text}": "\${${name}" is not closed with "}"`);
  return { segment: { kind: 'variable', name, operator, operand: operand.segments }, end: i + 1 };
}

function matchName(text: string, at: number): string | undefined {
  NAME.lastIndex = at;
  return NAME.exec(text)?.[0];
}

function evaluate(segments: Segment[], lookup: VariableLookup): string {
  let out = '';
  for (const segment of segments) out += segment.kind === 'text' ? segment.text : evaluateVariable(segment, lookup);
  return out;
}

function evaluateVariable(segment: Extract<Segment, { kind: 'variable' }>, lookup: VariableLookup): string {
  const value = lookup(segment.name);
  const isSet = value !== undefined;
  const isFilled = isSet && value !== '';
  const operand = (): string => evaluate(segment.operand, lookup);
  switch (segment.operator) {
    case undefined:
      return value ?? '';
    case ':-':
      return isFilled ? value : operand();
    case '-':
      return isSet ? value : operand();
    case ':+':
      return isFilled ? operand() : '';
    case '+':
      return isSet ? operand() : '';
    case ':?':
    case '?': {
      if (segment.operator === ':?' ? isFilled : isSet) return value ?? '';
      const message = operand();
      throw new TemplateError(message === '' ? `required variable ${segment.name} is missing a value` : message);
    }
  }
}
