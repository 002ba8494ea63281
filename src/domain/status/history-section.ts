import type { State } from '../../state/state-schema.js';
import { HISTORY_SHOWN, type HistoryRow } from './status-report-types.js';

/** The last operations, newest first. */
export function historySection(state: State | null): HistoryRow[] {
  return (state?.history ?? [])
    .slice(-HISTORY_SHOWN)
    .reverse()
    .map((h) => ({
      id: h.id,
      kind: h.kind,
      version: h.version,
      color: h.color,
      fromVersion: h.fromVersion,
      fromColor: h.fromColor,
      startedAt: h.startedAt,
      finishedAt: h.finishedAt,
      outcome: h.outcome,
      reason: h.reason ?? null,
      images: h.images ?? null,
      fromImages: h.fromImages ?? null,
    }));
}
