import { Injectable } from '@nestjs/common';
import type { WorkerStatus } from '@niyanta/models';
import { DataSource } from 'typeorm';
import { appendAudit, type AuditEventInput } from './audit.repository';
import { leaderFenceCondition, runFenced, type LeaderFence } from './leadership.repository';
import { leaderChangeAudit, toLeaderChange, type ChangeRow, type LeaderWorkloadChange } from './scheduling.repository';
import { ACTIVE_STATUS_SQL } from './status-sql';

/** A worker the health monitor declared DEAD. */
export interface DeadWorker {
  id: string;
  previousStatus: WorkerStatus;
  lastHeartbeatAt: Date;
}

/** What one health sweep changed. */
export interface WorkerSweepResult {
  deadWorkers: DeadWorker[];
  /**
   * Workloads taken back from workers that are no longer live: SCHEDULED/RUNNING ones are PENDING
   * with attempt + 1, PAUSING ones are PAUSED (they were being paused; resume requeues them).
   */
  recovered: LeaderWorkloadChange[];
}

/**
 * The leader's health monitor writes: workers whose heartbeat is older than the timeout (by the
 * database clock) become DEAD, and the workloads held by any worker that is not live are taken
 * back — in one transaction fenced by the leader's generation.
 */
@Injectable()
export class WorkerHealthRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Marks stale ACTIVE/DRAINING workers DEAD (`worker.dead`) and recovers the active workloads of
   * every worker that is not ACTIVE or DRAINING (`workload.requeued`, or `workload.paused` for a
   * PAUSING one), at most `limit` workloads per call. Rows another transaction is writing at that
   * moment are skipped and picked up by the next sweep, so the call never waits on a worker.
   * Idempotent: a second call finds nothing more to do.
   * @throws LeaseLostError when the lease is no longer held (nothing is written)
   */
  async sweep(fence: LeaderFence, workerTimeoutMs: number, limit = 5000): Promise<WorkerSweepResult> {
    return runFenced(this.dataSource, fence, async (manager) => {
      const deadRows: Array<{ id: string; previous_status: WorkerStatus; last_heartbeat_at: Date }> =
        await manager.query(
          `WITH stale AS (
             SELECT id, status, last_heartbeat_at FROM workers
              WHERE status IN ('ACTIVE', 'DRAINING')
                AND last_heartbeat_at < now() - make_interval(secs => $3::float8 / 1000)
              FOR UPDATE SKIP LOCKED)
           , dead AS (
           UPDATE workers wk SET status = 'DEAD', updated_at = now()
             FROM stale
            WHERE wk.id = stale.id AND ${leaderFenceCondition('$1', '$2')}
           RETURNING wk.id, stale.status AS previous_status, stale.last_heartbeat_at)
           SELECT * FROM dead`,
          [fence.leaderId, fence.generation, workerTimeoutMs],
        );
      const recoveredRows: ChangeRow[] = await manager.query(
        `WITH orphan AS (
           SELECT l.id, l.status, l.attempt, l.worker_id FROM workloads l
            WHERE l.status IN (${ACTIVE_STATUS_SQL})
              AND NOT EXISTS (SELECT 1 FROM workers wk
                               WHERE wk.id = l.worker_id AND wk.status IN ('ACTIVE', 'DRAINING'))
            ORDER BY l.id
            LIMIT $3
            FOR UPDATE OF l SKIP LOCKED)
         , recovered AS (
         UPDATE workloads w
            SET status = CASE WHEN o.status = 'PAUSING' THEN 'PAUSED' ELSE 'PENDING' END,
                attempt = CASE WHEN o.status = 'PAUSING' THEN w.attempt ELSE w.attempt + 1 END,
                worker_id = NULL, pending_reason = NULL, not_before = NULL, updated_at = now()
           FROM orphan o
          WHERE w.id = o.id AND w.status = o.status AND w.attempt = o.attempt
            AND ${leaderFenceCondition('$1', '$2')}
        RETURNING w.id, w.customer_id, w.workload_type, w.status, w.attempt, w.worker_id, w.progress,
                  o.status AS previous_status, o.attempt AS previous_attempt, o.worker_id AS previous_worker_id)
         SELECT * FROM recovered`,
        [fence.leaderId, fence.generation, limit],
      );
      const deadWorkers = deadRows.map((row) => ({
        id: row.id,
        previousStatus: row.previous_status,
        lastHeartbeatAt: row.last_heartbeat_at,
      }));
      const recovered = recoveredRows.map(toLeaderChange);
      const audit: AuditEventInput[] = deadWorkers.map((worker) => ({
        action: 'worker.dead',
        actorType: 'coordinator',
        actorId: fence.leaderId,
        before: { status: worker.previousStatus },
        after: { status: 'DEAD' },
        details: {
          worker_id: worker.id,
          last_heartbeat_at: worker.lastHeartbeatAt.toISOString(),
          worker_timeout_ms: workerTimeoutMs,
          generation: fence.generation,
        },
      }));
      for (const change of recovered) {
        const action = change.status === 'PAUSED' ? 'workload.paused' : 'workload.requeued';
        audit.push(leaderChangeAudit(action, change, fence, { reason: 'worker_lost' }));
      }
      await appendAudit(manager, audit);
      return { deadWorkers, recovered };
    });
  }
}
