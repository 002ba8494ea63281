import http from 'node:http';
import type { HostModeProject } from './host-mode-project.js';

/**
 * Tells the web container of a color, on its own published port, which share
 * of requests to fail (on `onPath` only, when given); share 0 heals it.
 */
export function failShare(project: HostModeProject, color: 'blue' | 'green', share: number, onPath?: string): Promise<void> {
  const query = share === 0 ? 'fail=0' : `fail=1&share=${share}${onPath === undefined ? '' : `&path=${onPath}`}`;
  return new Promise((resolve, reject) => {
    const request = http.request(`http://127.0.0.1:${project.ports[color].web}/control/errors?${query}`, { method: 'POST', agent: false }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`control: ${response.statusCode}`))));
    });
    request.on('error', reject);
    request.end();
  });
}
