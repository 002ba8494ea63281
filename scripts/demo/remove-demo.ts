/**
 * `bash scripts/demo.sh down [--images]`: removes the demo stack (containers,
 * its networks and volumes, the state file) and with --images the images the
 * demo built.
 */
import { fileURLToPath } from 'node:url';
import { createDockerClient, dockerEndpointFromEnv } from '../../src/adapters/docker/docker-client.js';
import { loadProject } from '../../src/config/load-project.js';
import { describeRemoved, removeDemoStack } from './remove-demo-stack.js';

const repoDir = fileURLToPath(new URL('../..', import.meta.url));
const images = process.argv.slice(2).includes('--images');
const project = await loadProject({ projectDir: repoDir, env: process.env, variables: { VERSION: 'v1' } });
const removed = await removeDemoStack(createDockerClient(dockerEndpointFromEnv()), project, { images });
for (const line of describeRemoved(removed)) process.stdout.write(`${line}\n`);
