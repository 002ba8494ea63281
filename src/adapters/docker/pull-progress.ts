/**
 * Summarises Docker's pull stream (one JSON object per layer step) into counts
 * a person can follow: how many layers, how many are done, bytes so far.
 */

export interface PullProgress {
  layers: number;
  /** Layers downloaded and extracted, or already present. */
  layersDone: number;
  /** Of layersDone, those that were already present locally. */
  layersPresent: number;
  bytesDownloaded: number;
  /** Sum of the sizes of layers whose size Docker has announced so far. */
  bytesTotal: number;
  /** Docker's latest status line that is not about one layer ("Digest: ...", "Status: ..."). */
  status: string;
}

export interface PullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

const LAYER_STATUSES = new Set(['Pulling fs layer', 'Waiting', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete', 'Already exists']);

interface LayerState {
  done: boolean;
  present: boolean;
  current: number;
  total: number;
}

export class PullProgressTracker {
  private readonly layers = new Map<string, LayerState>();
  private status = '';

  update(event: PullEvent): PullProgress {
    const status = event.status ?? '';
    if (event.id !== undefined && LAYER_STATUSES.has(status)) {
      const layer = this.layers.get(event.id) ?? { done: false, present: false, current: 0, total: 0 };
      if (status === 'Downloading') {
        layer.current = event.progressDetail?.current ?? layer.current;
        layer.total = event.progressDetail?.total ?? layer.total;
      } else if (status === 'Download complete') {
        layer.current = layer.total;
      } else if (status === 'Pull complete') {
        layer.done = true;
      } else if (status === 'Already exists') {
        layer.done = true;
        layer.present = true;
      }
      this.layers.set(event.id, layer);
    } else if (status !== '') {
      this.status = event.id === undefined ? status : `${status} ${event.id}`.trim();
    }
    return this.summary();
  }

  summary(): PullProgress {
    let layersDone = 0;
    let layersPresent = 0;
    let bytesDownloaded = 0;
    let bytesTotal = 0;
    for (const layer of this.layers.values()) {
      if (layer.done) layersDone += 1;
      if (layer.present) layersPresent += 1;
      bytesDownloaded += layer.current;
      bytesTotal += layer.total;
    }
    return { layers: this.layers.size, layersDone, layersPresent, bytesDownloaded, bytesTotal, status: this.status };
  }
}
