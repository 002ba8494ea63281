/**
 * What `curl` would show through the demo's Caddy: one line per path with
 * the status, the body (the app's version) and the color that answered (the
 * app's X-App-Color header).
 */
import { httpGet } from '../../test/rig/http-get.js';

export interface Answer {
  path: string;
  status: number | undefined;
  body: string;
  color: string | undefined;
}

export async function showAnswers(baseUrl: string, paths: readonly string[], headers: Record<string, string> = {}): Promise<Answer[]> {
  const flags = Object.entries(headers).map(([k, v]) => `-H '${k}: ${v}' `).join('');
  process.stdout.write(`$ curl -s ${flags}${baseUrl}{${paths.join(',')}}\n`);
  const answers: Answer[] = [];
  for (const path of paths) {
    let answer: Answer;
    try {
      const got = await httpGet(`${baseUrl}${path}`, { headers });
      const color = got.headers['x-app-color'];
      answer = { path, status: got.status, body: got.body.trim(), color: typeof color === 'string' && color !== '' ? color : undefined };
    } catch (error) {
      answer = { path, status: undefined, body: (error as Error).message, color: undefined };
    }
    answers.push(answer);
    const from = answer.color === undefined ? '' : `  (from ${answer.color})`;
    process.stdout.write(`  ${path.padEnd(26)} ${String(answer.status ?? 'no answer').padEnd(4)} ${answer.body.slice(0, 60)}${from}\n`);
  }
  return answers;
}
