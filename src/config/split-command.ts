/**
 * Splits a string `command:`/`entrypoint:` into words the way Compose does
 * (shell-like quoting, no shell is run): `npm run "start prod"` is
 * ["npm", "run", "start prod"]. Returns undefined when a quote is not closed.
 */
export function splitCommand(text: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] ?? '';
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
      continue;
    }
    if (char === '\\' && i + 1 < text.length) {
      const next = text[i + 1] ?? '';
      // Inside double quotes a backslash only escapes what a shell would; elsewhere it escapes anything.
      if (quote === '"' && !'"\\$`'.includes(next)) {
        word += char;
      } else {
        word += next;
        i += 1;
      }
      inWord = true;
      continue;
    }
    if (quote === '"') {
      if (char === '"') quote = undefined;
      else word += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== undefined) return undefined;
  if (inWord) words.push(word);
  return words;
}
