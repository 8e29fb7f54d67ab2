import type { CheckpointInfo } from '@niyanta/models';

/** The metadata columns of a `checkpoints` row (never the bytes), as node-postgres returns them. */
export interface CheckpointInfoRow {
  id: string;
  workload_id: string;
  attempt: number;
  sequence: number;
  size_bytes: number;
  stored_bytes: number;
  codec: string;
  storage: string;
  created_at: Date;
}

/** The columns {@link toCheckpointInfo} reads. */
export const CHECKPOINT_INFO_COLUMNS = 'id, workload_id, attempt, sequence, size_bytes, stored_bytes, codec, storage, created_at';

/** Maps a row to the domain {@link CheckpointInfo}. */
export function toCheckpointInfo(row: CheckpointInfoRow): CheckpointInfo {
  return {
    id: row.id,
    workloadId: row.workload_id,
    attempt: row.attempt,
    sequence: row.sequence,
    sizeBytes: row.size_bytes,
    storedBytes: row.stored_bytes,
    codec: row.codec,
    storage: row.storage,
    createdAt: row.created_at,
  };
}
