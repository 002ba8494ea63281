/**
 * A private Docker engine in Swarm mode, for the Swarm tests. The machine's
 * own engine is shared with other test runs and must never enter Swarm mode
 * (swarm init adds the ingress and docker_gwbridge networks for everyone), so
 * this starts a second dockerd that shares nothing with it:
 *
 * - its own network namespace (`unshare --net`): its bridges, overlay
 *   sandboxes, VXLAN port and the Swarm ports 2377/7946 exist only there;
 * - its own mount namespace (`--mount`, private propagation): its overlay2
 *   layers and netns bind mounts vanish with it, and `/etc/docker` (where
 *   dockerd keeps key.json) is a bind of an empty dir of its own;
 * - its own data-root, exec-root, pidfile, socket and config file under one
 *   temp dir named with the run's temp prefix (the run's sweep removes a
 *   leftover dir); its own managed containerd (under the exec-root) with
 *   namespaces and a cgroup parent named for this engine;
 * - no bridge, no iptables rules, no masquerading: nothing on the host changes.
 *
 * A bash supervisor inside the namespaces runs dockerd and tears everything
 * down when told to (SIGTERM from stop()) or when the test process that
 * started it dies (it waits on that pid): dockerd stopped, whatever is left in
 * the namespace killed, the cgroups and the temp dir removed.
 *
 *   const engine = await startSwarmEngine();
 *   try { ... engine.docker ... engine.env.DOCKER_HOST ... } finally { await engine.stop(); }
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { createDockerClient } from '../../src/adapters/docker/docker-client.js';
import { runTempPrefix } from './run-id.js';
import { waitUntil } from './wait-until.js';

export interface SwarmEngine {
  /** The engine's temp dir (data-root, exec-root, socket, log). */
  dir: string;
  /** `unix:///tmp/.../docker.sock`: give it as DOCKER_HOST to cutover and the docker CLI. */
  dockerHost: string;
  docker: Docker;
  /** The last lines of dockerd's log, for a failure message. */
  logTail(lines?: number): Promise<string>;
  /** Stops the engine and removes everything it made; safe to call twice. */
  stop(): Promise<void>;
}

/** Runs inside the new namespaces: $1 dir, $2 pid to outlive, $3 name (containerd namespace, cgroup parent). */
const SUPERVISOR = `
set -u
DIR=$1; OWNER=$2; NAME=$3
if [ -d /etc/docker ]; then mkdir -p "$DIR/etc-docker" && mount --bind "$DIR/etc-docker" /etc/docker; fi
ip link set lo up
echo '{}' > "$DIR/daemon.json"
dockerd --config-file "$DIR/daemon.json" --data-root "$DIR/data" --exec-root "$DIR/exec" \\
  --pidfile "$DIR/dockerd.pid" -H "unix://$DIR/docker.sock" \\
  --bridge=none --iptables=false --ip6tables=false --ip-masq=false --userland-proxy=false \\
  --containerd-namespace "$NAME" --containerd-plugins-namespace "$NAME-plugins" \\
  --cgroup-parent "/$NAME" --storage-driver overlay2 --shutdown-timeout 2 --log-level warn \\
  >"$DIR/dockerd.log" 2>&1 &
DPID=$!
tail --pid="$OWNER" -f /dev/null &
TPID=$!
trap 'kill -TERM $DPID 2>/dev/null' TERM INT HUP
wait -n $DPID $TPID
kill -TERM $DPID 2>/dev/null
# dockerd stops its containers within --shutdown-timeout; one that hangs anyway is killed after 30 s.
( sleep 30; kill -KILL $DPID 2>/dev/null ) &
KPID=$!
while kill -0 $DPID 2>/dev/null; do wait $DPID; done
kill $KPID 2>/dev/null
kill $TPID 2>/dev/null
for p in /proc/[0-9]*; do
  pid=\${p#/proc/}
  [ "$pid" != "$$" ] && [ "$p/ns/net" -ef /proc/$$/ns/net ] && kill -KILL "$pid" 2>/dev/null
done
for d in /sys/fs/cgroup/*/"$NAME" /sys/fs/cgroup/"$NAME"; do
  [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
done
for m in $(awk -v dir="$DIR" 'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do umount -l "$m"; done
rm -rf "$DIR"
`;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function readTail(file: string, lines: number): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Starts the private engine, waits until it answers, and makes it a
 * single-node Swarm manager advertising 127.0.0.1. Needs root (namespaces,
 * mounts). On any failure it is stopped again before the error is thrown.
 */
export async function startSwarmEngine(options: { timeoutMs?: number } = {}): Promise<SwarmEngine> {
  if (process.getuid?.() !== 0) throw new Error('the Swarm test engine needs root: it starts a dockerd in its own namespaces');
  const dir = await mkdtemp(path.join(os.tmpdir(), `${runTempPrefix()}swarm-`));
  const name = `cutover-swarm-${path.basename(dir).slice(-6).toLowerCase()}`;
  const child = spawn('unshare', ['--net', '--mount', '--propagation', 'private', '--', 'bash', '-c', SUPERVISOR, 'swarm-engine', dir, String(process.pid), name], {
    stdio: 'ignore',
    detached: true,
  });
  // The supervisor outlives this process if it must (it then cleans up by itself); never keep the test alive for it.
  child.unref();
  const socketPath = path.join(dir, 'docker.sock');
  const docker = createDockerClient({ kind: 'unix', socketPath, display: `unix://${socketPath}` });
  const logFile = path.join(dir, 'dockerd.log');
  let stopped: Promise<void> | undefined;
  const engine: SwarmEngine = {
    dir,
    dockerHost: `unix://${socketPath}`,
    docker,
    logTail: (lines = 20) => readTail(logFile, lines),
    stop: () => {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.ref();
          child.kill('SIGTERM');
          await exited(child);
        }
        // The supervisor removed the dir; what it could not (its namespace still held mounts) is plain files now.
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
  try {
    const timeoutMs = options.timeoutMs ?? 60_000;
    await waitUntil('the private dockerd to answer', timeoutMs, async () => {
      if (child.exitCode !== null) throw new Error(`the private dockerd's supervisor exited with ${child.exitCode}`);
      return docker.version().then(
        () => true,
        () => undefined,
      );
    });
    await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
    await waitUntil('the Swarm node to be ready', timeoutMs, async () => {
      const nodes = await docker.listNodes();
      return nodes.some((node) => node.Status?.State === 'ready') ? true : undefined;
    });
  } catch (err) {
    const tail = await engine.logTail();
    await engine.stop();
    throw new Error(`could not start the private Swarm engine in ${dir}: ${(err as Error).message}\n${tail}`, { cause: err });
  }
  return engine;
}
