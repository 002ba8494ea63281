/** One task of a color's Swarm service, reduced to what waiting, switching and status need. */
export interface SwarmTask {
  id: string;
  /** The replica's slot (1-based) in a replicated service. */
  slot: number;
  nodeId: string | undefined;
  /** Swarm's view of the task: new ... starting, running, complete, shutdown, failed, rejected, orphaned. */
  state: string;
  /** What the orchestrator wants: running, or shutdown for a task it is replacing or removing. */
  desiredState: string;
  /** Swarm's reason when the task failed or was rejected (`task: non-zero exit (137): dockerexec: unhealthy container`). */
  error: string | undefined;
  /** Swarm's last word on the task (`started`, `finished`, ...). */
  message: string | undefined;
  containerId: string | undefined;
  exitCode: number | undefined;
  /** The task's address on each network, without the prefix length. */
  addresses: Array<{ network: string; address: string }>;
}

/** The fields of the Engine API's Task (GET /tasks) that cutover reads; dockerode leaves tasks untyped. */
export interface RawTask {
  ID?: string;
  Slot?: number;
  NodeID?: string;
  DesiredState?: string;
  Status?: { State?: string; Err?: string; Message?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
  NetworksAttachments?: Array<{ Network?: { Spec?: { Name?: string } }; Addresses?: string[] }>;
}

export function toSwarmTask(raw: RawTask): SwarmTask {
  const status = raw.Status ?? {};
  const attachments = raw.NetworksAttachments ?? [];
  return {
    id: raw.ID ?? '',
    slot: raw.Slot ?? 0,
    nodeId: raw.NodeID,
    state: status.State ?? 'unknown',
    desiredState: raw.DesiredState ?? 'unknown',
    error: status.Err === undefined || status.Err === '' ? undefined : status.Err,
    message: status.Message === undefined || status.Message === '' ? undefined : status.Message,
    containerId: status.ContainerStatus?.ContainerID === '' ? undefined : status.ContainerStatus?.ContainerID,
    exitCode: status.ContainerStatus?.ExitCode,
    addresses: attachments.flatMap((attachment) =>
      (attachment.Addresses ?? []).map((cidr) => ({ network: attachment.Network?.Spec?.Name ?? '', address: cidr.split('/')[0] as string })),
    ),
  };
}
