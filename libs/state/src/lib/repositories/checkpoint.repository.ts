import { Injectable } from '@nestjs/common';
import type { AttemptFence, CheckpointInfo, WorkloadStatus } from '@niyanta/models';
import { DataSource } from 'typeorm';
import type { CheckpointStorage } from '../entities/checkpoint.entity';
import { CHECKPOINT_INFO_COLUMNS, toCheckpointInfo, type CheckpointInfoRow } from './checkpoint-row.mapper';
import { EXECUTING_STATUS_SQL } from './status-sql';

/**
 * An encoded checkpoint to record: its bytes inline (`storage` `inline`, `data` set), or a
 * reference to an object already written to an object store (`objectKey` set, `data` null).
 */
export interface NewCheckpoint {
  /** The bytes when stored inline; null when they are in an object store under `objectKey`. */
  data: Buffer | null;
  /** Codec label that reads the bytes back, e.g. `json.v1+br`. */
  codec: string;
  /** Encoded size before compression. */
  sizeBytes: number;
  /** Size of the stored bytes. */
  storedBytes: number;
  /** SHA-256 of the stored bytes, lowercase hex. */
  contentHash: string;
  /** Where the bytes are. @default 'inline' */
  storage?: CheckpointStorage;
  /** The object's key when `storage` is not `inline`. */
  objectKey?: string | null;
}

/** Options of {@link CheckpointRepository.save}. */
export interface SaveCheckpointOptions {
  /**
   * Keep only this many newest checkpoints of the workload (the new one included); older rows are
   * deleted in the same statement. Null or absent: keep all.
   */
  retain?: number | null;
}

/** An offloaded checkpoint whose row retention deleted: its object can go too. */
export interface DroppedCheckpointObject {
  storage: CheckpointStorage;
  objectKey: string;
}

/** A recorded checkpoint, with the objects of the rows retention dropped. */
export interface SavedCheckpoint extends CheckpointInfo {
  dropped: DroppedCheckpointObject[];
  /** The workload's status as the save found it: PAUSING means a pause is waiting for this attempt. */
  workloadStatus: WorkloadStatus;
}

/** A stored checkpoint with what is needed to read it back. */
export interface StoredCheckpoint extends CheckpointInfo {
  contentHash: string;
  /** The bytes when `storage` is `inline`, else null. */
  data: Buffer | null;
  /** The object key when stored outside PostgreSQL, else null. */
  objectKey: string | null;
}

interface CheckpointRow extends CheckpointInfoRow {
  content_hash: string;
  data: Buffer | null;
  object_key: string | null;
}

const STORED_COLUMNS = `${CHECKPOINT_INFO_COLUMNS}, content_hash, data, object_key`;

function toStored(row: CheckpointRow): StoredCheckpoint {
  return { ...toCheckpointInfo(row), contentHash: row.content_hash, data: row.data, objectKey: row.object_key };
}

/** The worker's checkpoint writes and reads, and the object references the orphan sweep checks. */
@Injectable()
export class CheckpointRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records a checkpoint of the fenced attempt atomically: the workload's `last_checkpoint_*` move
   * to the next sequence (last + 1; the row lock orders concurrent savers), the checkpoint row is
   * inserted with it and, with `retain`, rows beyond the newest `retain` are deleted. Null when the
   * attempt is no longer this worker's (nothing is written).
   *
   * For an offloaded checkpoint the object must already be written: a crash before this commits
   * leaves an object no row references (the orphan sweep removes it), never a row without its object.
   */
  async save(fence: AttemptFence, checkpoint: NewCheckpoint, options: SaveCheckpointOptions = {}): Promise<SavedCheckpoint | null> {
    const storage = checkpoint.storage ?? 'inline';
    const objectKey = checkpoint.objectKey ?? null;
    if ((storage === 'inline') !== (checkpoint.data !== null) || (storage === 'inline') !== (objectKey === null)) {
      throw new Error(`checkpoint: storage "${storage}" needs ${storage === 'inline' ? 'data and no object key' : 'an object key and no data'}`);
    }
    const retain = options.retain ?? null;
    if (retain !== null && (!Number.isInteger(retain) || retain < 1)) throw new Error(`checkpoint: retain must be >= 1, got ${retain}`);
    // One statement, hence one transaction: the update, the insert and the pruning commit together or not at all.
    const rows: Array<CheckpointRow & { dropped: DroppedCheckpointObject[]; workload_status: WorkloadStatus }> =
      await this.dataSource.query(
      `WITH advanced AS (
           UPDATE workloads
              SET last_checkpoint_sequence = COALESCE(last_checkpoint_sequence, 0) + 1,
                  last_checkpoint_size_bytes = $4, last_checkpoint_at = now()
            WHERE id = $1 AND attempt = $2 AND worker_id = $3 AND status IN (${EXECUTING_STATUS_SQL})
           RETURNING id, attempt, status, last_checkpoint_sequence, last_checkpoint_at
         ), inserted AS (
           INSERT INTO checkpoints
             (workload_id, attempt, sequence, size_bytes, stored_bytes, codec, content_hash, storage, data, object_key,
              created_at)
           SELECT id, attempt, last_checkpoint_sequence, $4, $5, $6, $7, $9, $8, $10, last_checkpoint_at FROM advanced
           RETURNING id, workload_id, attempt, sequence, size_bytes, stored_bytes, codec, content_hash, storage,
                     NULL::bytea AS data, object_key, created_at
         ), dropped AS (
           DELETE FROM checkpoints c USING advanced a
            WHERE $11::int IS NOT NULL AND c.workload_id = a.id AND c.sequence <= a.last_checkpoint_sequence - $11::int
           RETURNING c.storage, c.object_key
         )
         SELECT inserted.*,
                (SELECT COALESCE(json_agg(json_build_object('storage', storage, 'objectKey', object_key)), '[]'::json)
                   FROM dropped WHERE object_key IS NOT NULL) AS dropped,
                (SELECT status FROM advanced) AS workload_status
           FROM inserted`,
      [
        fence.workloadId,
        fence.attempt,
        fence.workerId,
        checkpoint.sizeBytes,
        checkpoint.storedBytes,
        checkpoint.codec,
        checkpoint.contentHash,
        checkpoint.data,
        storage,
        objectKey,
        retain,
      ],
    );
    const row = rows[0];
    return row === undefined ? null : { ...toCheckpointInfo(row), dropped: row.dropped, workloadStatus: row.workload_status };
  }

  /** The newest checkpoint of a workload (highest sequence) with its inline bytes, or null. */
  async latest(workloadId: string): Promise<StoredCheckpoint | null> {
    return (await this.recent(workloadId, 1))[0] ?? null;
  }

  /** The newest `limit` checkpoints of a workload with their inline bytes, newest first. */
  async recent(workloadId: string, limit: number): Promise<StoredCheckpoint[]> {
    const rows: CheckpointRow[] = await this.dataSource.query(
      `SELECT ${STORED_COLUMNS} FROM checkpoints WHERE workload_id = $1 ORDER BY sequence DESC LIMIT $2`,
      [workloadId, limit],
    );
    return rows.map(toStored);
  }

  /** Checkpoint metadata of a workload, newest first (never the bytes). */
  async list(workloadId: string, limit = 100): Promise<CheckpointInfo[]> {
    const rows: CheckpointInfoRow[] = await this.dataSource.query(
      `SELECT ${CHECKPOINT_INFO_COLUMNS} FROM checkpoints WHERE workload_id = $1 ORDER BY sequence DESC LIMIT $2`,
      [workloadId, limit],
    );
    return rows.map(toCheckpointInfo);
  }

  /** Which of the object keys recorded for these workloads exist as rows (one indexed query). */
  async referencedObjectKeys(workloadIds: readonly string[]): Promise<Set<string>> {
    if (workloadIds.length === 0) return new Set();
    const rows: Array<{ object_key: string }> = await this.dataSource.query(
      `SELECT object_key FROM checkpoints WHERE workload_id = ANY($1::uuid[]) AND object_key IS NOT NULL`,
      [[...new Set(workloadIds)]],
    );
    return new Set(rows.map((row) => row.object_key));
  }

  /**
   * Runs `work` while holding a session advisory lock named after this schema's checkpoint sweep,
   * so that one worker of a deployment sweeps at a time; null, without running it, when another
   * holds the lock.
   */
  async withSweepLock<T>(work: () => Promise<T>): Promise<T | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [lock]: Array<{ locked: boolean }> = await runner.query(
        `SELECT pg_try_advisory_lock(hashtext(current_schema() || '.checkpoint_sweep')) AS locked`,
      );
      if (lock?.locked !== true) return null;
      try {
        return await work();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext(current_schema() || '.checkpoint_sweep'))`);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Audits a checkpoint the worker could not take or store after retrying
   * (`workload.checkpoint_failed`, visible in the workload's events), while the attempt is still
   * this worker's; true when recorded.
   */
  async recordFailure(fence: AttemptFence, details: Record<string, unknown>): Promise<boolean> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO audit_events (customer_id, workload_id, actor_type, actor_id, action, before, after, details)
       SELECT w.customer_id, w.id, 'worker', $3, 'workload.checkpoint_failed',
              jsonb_build_object('status', w.status, 'attempt', w.attempt, 'worker_id', w.worker_id),
              jsonb_build_object('status', w.status, 'attempt', w.attempt, 'worker_id', w.worker_id), $4::jsonb
         FROM workloads w
        WHERE w.id = $1 AND w.attempt = $2 AND w.worker_id = $3 AND w.status IN (${EXECUTING_STATUS_SQL})
       RETURNING id`,
      [fence.workloadId, fence.attempt, fence.workerId, JSON.stringify(details)],
    );
    return rows.length > 0;
  }
}
