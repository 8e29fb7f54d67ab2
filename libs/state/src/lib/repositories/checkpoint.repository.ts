import { Injectable } from '@nestjs/common';
import type { CheckpointInfo } from '@niyanta/models';
import { DataSource } from 'typeorm';
import type { AttemptFence } from './execution-row';

/** An encoded checkpoint to store inline (the bytes go into `checkpoints.data`). */
export interface NewCheckpoint {
  data: Buffer;
  /** Codec label that reads `data` back, e.g. `json.v1+gzip`. */
  codec: string;
  /** Encoded size before compression. */
  sizeBytes: number;
  /** `data.length`. */
  storedBytes: number;
  /** SHA-256 of `data`, lowercase hex. */
  contentHash: string;
}

/** A stored checkpoint with what is needed to read it back. */
export interface StoredCheckpoint extends CheckpointInfo {
  contentHash: string;
  /** The bytes when `storage` is `inline`, else null. */
  data: Buffer | null;
  /** The object key when stored outside PostgreSQL, else null. */
  objectKey: string | null;
}

interface CheckpointRow {
  id: string;
  workload_id: string;
  attempt: number;
  sequence: number;
  size_bytes: number;
  stored_bytes: number;
  codec: string;
  content_hash: string;
  storage: string;
  data: Buffer | null;
  object_key: string | null;
  created_at: Date;
}

function toInfo(row: CheckpointRow): CheckpointInfo {
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

/** The worker's checkpoint writes and reads. */
@Injectable()
export class CheckpointRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores a checkpoint of the fenced attempt atomically: the workload's
   * `last_checkpoint_*` move to the next sequence (last + 1; the row lock orders concurrent
   * savers) and the checkpoint row is inserted with it. Null when the attempt is no longer this
   * worker's (nothing is written).
   */
  async save(fence: AttemptFence, checkpoint: NewCheckpoint): Promise<CheckpointInfo | null> {
    // One statement, hence one transaction: the update and the insert commit together or not at all.
    const rows: CheckpointRow[] = await this.dataSource.query(
      `WITH advanced AS (
           UPDATE workloads
              SET last_checkpoint_sequence = COALESCE(last_checkpoint_sequence, 0) + 1,
                  last_checkpoint_size_bytes = $4, last_checkpoint_at = now()
            WHERE id = $1 AND attempt = $2 AND worker_id = $3 AND status IN ('RUNNING', 'PAUSING')
           RETURNING id, attempt, last_checkpoint_sequence, last_checkpoint_at
         ), inserted AS (
           INSERT INTO checkpoints
             (workload_id, attempt, sequence, size_bytes, stored_bytes, codec, content_hash, storage, data, created_at)
           SELECT id, attempt, last_checkpoint_sequence, $4, $5, $6, $7, 'inline', $8, last_checkpoint_at FROM advanced
           RETURNING id, workload_id, attempt, sequence, size_bytes, stored_bytes, codec, content_hash, storage,
                     NULL::bytea AS data, object_key, created_at
         ) SELECT * FROM inserted`,
      [
        fence.workloadId,
        fence.attempt,
        fence.workerId,
        checkpoint.sizeBytes,
        checkpoint.storedBytes,
        checkpoint.codec,
        checkpoint.contentHash,
        checkpoint.data,
      ],
    );
    return rows[0] === undefined ? null : toInfo(rows[0]);
  }

  /** The newest checkpoint of a workload (highest sequence) with its bytes, or null. */
  async latest(workloadId: string): Promise<StoredCheckpoint | null> {
    const rows: CheckpointRow[] = await this.dataSource.query(
      `SELECT id, workload_id, attempt, sequence, size_bytes, stored_bytes, codec, content_hash, storage, data,
              object_key, created_at
         FROM checkpoints WHERE workload_id = $1 ORDER BY sequence DESC LIMIT 1`,
      [workloadId],
    );
    const row = rows[0];
    if (row === undefined) return null;
    return {
      ...toInfo(row),
      contentHash: row.content_hash,
      data: row.data,
      objectKey: row.object_key,
    };
  }

  /** Checkpoint metadata of a workload, newest first (never the bytes). */
  async list(workloadId: string, limit = 100): Promise<CheckpointInfo[]> {
    const rows: CheckpointRow[] = await this.dataSource.query(
      `SELECT id, workload_id, attempt, sequence, size_bytes, stored_bytes, codec, content_hash, storage,
              NULL::bytea AS data, object_key, created_at
         FROM checkpoints WHERE workload_id = $1 ORDER BY sequence DESC LIMIT $2`,
      [workloadId, limit],
    );
    return rows.map(toInfo);
  }
}
