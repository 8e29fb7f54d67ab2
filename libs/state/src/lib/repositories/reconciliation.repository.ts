import { Injectable } from '@nestjs/common';
import type { WorkloadStatus } from '@niyanta/models';
import type { OrphanedAttempt, PlacedWorkload } from '@niyanta/scheduling';
import { DataSource } from 'typeorm';
import { appendAudit } from './audit.repository';
import { leaderFenceCondition, runFenced, type LeaderFence } from './leadership.repository';
import { leaderChangeAudit, toLeaderChange, type ChangeRow, type LeaderWorkloadChange } from './scheduling.repository';
import { ACTIVE_STATUS_SQL, EXECUTING_STATUS_SQL } from './status-sql';

/**
 * Reads and fenced writes of the leader's heartbeat reconciliation: what the database says about
 * the workloads heartbeats list, and about the active workloads of the workers that sent them.
 */
@Injectable()
export class ReconciliationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Every workload that is SCHEDULED, RUNNING or PAUSING on one of `workerIds`, plus every workload
   * in `workloadIds` whatever its state (ids that do not exist are simply absent).
   */
  async placements(workerIds: readonly string[], workloadIds: readonly string[]): Promise<PlacedWorkload[]> {
    if (workerIds.length === 0 && workloadIds.length === 0) return [];
    const rows: Array<{ id: string; status: WorkloadStatus; attempt: number; worker_id: string | null }> =
      await this.dataSource.query(
        `SELECT id, status, attempt, worker_id FROM workloads
          WHERE (worker_id = ANY($1::text[]) AND status IN (${ACTIVE_STATUS_SQL}))
         UNION
         SELECT id, status, attempt, worker_id FROM workloads WHERE id = ANY($2::uuid[])`,
        [workerIds, workloadIds],
      );
    return rows.map((row) => ({ id: row.id, status: row.status, attempt: row.attempt, workerId: row.worker_id }));
  }

  /**
   * Takes back attempts their worker no longer runs (fenced by the generation and by the exact
   * attempt and worker): RUNNING → PENDING with attempt + 1 and no worker (`workload.requeued`),
   * PAUSING → PAUSED (`workload.paused`), reason `missing_from_heartbeats`. Rows a worker is
   * writing at that moment are skipped (its write decides). Repeating the call changes nothing.
   * @throws LeaseLostError when the lease is no longer held (nothing is written)
   */
  async requeueOrphans(fence: LeaderFence, orphans: readonly OrphanedAttempt[]): Promise<LeaderWorkloadChange[]> {
    if (orphans.length === 0) return [];
    return runFenced(this.dataSource, fence, async (manager) => {
      const rows: ChangeRow[] = await manager.query(
        `WITH wanted AS (
           SELECT * FROM unnest($3::uuid[], $4::int[], $5::text[]) AS t(id, attempt, worker_id))
         , orphan AS (
           SELECT l.id, l.status, l.attempt, l.worker_id FROM workloads l
             JOIN wanted ON wanted.id = l.id AND wanted.attempt = l.attempt AND wanted.worker_id = l.worker_id
            WHERE l.status IN (${EXECUTING_STATUS_SQL})
            FOR UPDATE OF l SKIP LOCKED)
         , recovered AS (
         UPDATE workloads w
            SET status = CASE WHEN o.status = 'PAUSING' THEN 'PAUSED' ELSE 'PENDING' END,
                attempt = CASE WHEN o.status = 'PAUSING' THEN w.attempt ELSE w.attempt + 1 END,
                worker_id = NULL, pending_reason = NULL, not_before = NULL, updated_at = now()
           FROM orphan o
          WHERE w.id = o.id AND w.status = o.status AND w.attempt = o.attempt AND w.worker_id = o.worker_id
            AND ${leaderFenceCondition('$1', '$2')}
        RETURNING w.id, w.customer_id, w.workload_type, w.status, w.attempt, w.worker_id, w.progress,
                  o.status AS previous_status, o.attempt AS previous_attempt, o.worker_id AS previous_worker_id)
         SELECT * FROM recovered`,
        [
          fence.leaderId,
          fence.generation,
          orphans.map((o) => o.id),
          orphans.map((o) => o.attempt),
          orphans.map((o) => o.workerId),
        ],
      );
      const changes = rows.map(toLeaderChange);
      await appendAudit(
        manager,
        changes.map((change) =>
          leaderChangeAudit(change.status === 'PAUSED' ? 'workload.paused' : 'workload.requeued', change, fence, {
            reason: 'missing_from_heartbeats',
          }),
        ),
      );
      return changes;
    });
  }
}
