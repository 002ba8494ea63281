import type Docker from 'dockerode';
import { createDockerClient, dockerEndpointFromEnv } from '../../src/adapters/docker/docker-client.js';

/** A dockerode client for the rig (image builds, cleanup), pointed where cutover's adapter points. */
export function rigDockerClient(): Docker {
  return createDockerClient(dockerEndpointFromEnv());
}
