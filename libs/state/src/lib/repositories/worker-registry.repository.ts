import { Injectable } from '@nestjs/common';
import type { JsonObject, WorkerInfo, WorkerStatus, WorkloadStatus } from '@niyanta/models';
import { DataSource, type EntityManager } from 'typeorm';
import { appendAudit, type AuditEventInput } from './audit.repository';
import { storeInputSchemas } from './workload-input-schema.store';
import { toWorkerInfo, WORKER_COLUMNS, type WorkerRow } from './worker-row.mapper';
import { ACTIVE_STATUS_SQL } from './status-sql';

/** What a worker says about itself when it registers. */
export interface WorkerRegistration {
  id: string;
  tags: Record<string, string>;
  region: string | null;
  /** Concurrent slots. */
  capacity: number;
  workloadTypes: string[];
}

/** The `workload_configs` row a worker proposes for a type it brings (kept if the type exists). */
export interface WorkloadTypeRegistration {
  workloadType: string;
  defaultPriority: number;
  maxRetries: number;
  timeoutSeconds: number | null;
  checkpointIntervalSeconds: number | null;
  checkpointProgressStep: number | null;
  /** JSON Schema of the input; stored on every registration (the newest worker's wins). Absent: left as is. */
  inputSchema?: JsonObject | null;
}

/** A workload a (re)starting worker found assigned to itself and handed back. */
export interface ReleasedWorkload {
  workloadId: string;
  customerId: string;
  workloadType: string;
  /** PENDING (attempt + 1) or PAUSED (it was pausing). */
  status: WorkloadStatus;
  attempt: number;
  /** Its last reported progress (kept: a resumed attempt may continue from a checkpoint). */
  progress: number;
  /** When it was handed back. */
  updatedAt: Date;
}

/** Result of {@link WorkerRegistryRepository.register}. */
export interface RegistrationResult {
  worker: WorkerInfo;
  /** Workload types whose config row this registration created. */
  createdTypes: string[];
  /** Workloads the previous life of this worker id left assigned to it, now handed back. */
  released: ReleasedWorkload[];
}

/**
 * What a heartbeat found. `dead`: the fleet presumed this worker dead; `missing`: no row;
 * `drain_requested`: an operator asked this ACTIVE worker to drain (the row stays DRAINING).
 */
export type HeartbeatResult = 'ok' | 'dead' | 'missing' | 'drain_requested';

interface RegisteredRow extends WorkerRow {
  previous_status?: WorkerStatus | null;
}

interface ReleasedRow {
  id: string;
  customer_id: string;
  workload_type: string;
  status: WorkloadStatus;
  attempt: number;
  previous_status: WorkloadStatus;
  previous_attempt: number;
  progress: number;
  updated_at: Date;
}

/** A worker's own row in `workers`, and the types it brings. */
@Injectable()
export class WorkerRegistryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Registers (or re-registers) the worker in one transaction: upserts its row as ACTIVE with
   * `registered_at` and `last_heartbeat_at` = now and no running workloads; inserts the config of
   * each type it brings unless the type exists (`ON CONFLICT DO NOTHING`: an operator's edits
   * win); hands back any workload still assigned to this worker id (a process that registers runs
   * nothing yet, so those were left by a crashed previous life: PAUSING → PAUSED, others → PENDING
   * with attempt + 1, audited `workload.paused` / `workload.requeued`); audits `worker.registered`.
   */
  async register(worker: WorkerRegistration, types: WorkloadTypeRegistration[]): Promise<RegistrationResult> {
    return this.dataSource.transaction(async (manager) => {
      const createdTypes = await this.insertTypes(manager, types);
      await storeInputSchemas(manager, types);
      // No FOR UPDATE on prev: it would skip the row the upsert of the same statement changes.
      const rows: RegisteredRow[] = await manager.query(
        `WITH prev AS (SELECT status FROM workers WHERE id = $1),
         upserted AS (
           INSERT INTO workers (id, status, tags, region, capacity, workload_types, running_count,
                                last_heartbeat_at, registered_at, updated_at)
           VALUES ($1, 'ACTIVE', $2::jsonb, $3, $4, $5::text[], 0, now(), now(), now())
           ON CONFLICT (id) DO UPDATE
             SET status = 'ACTIVE', tags = EXCLUDED.tags, region = EXCLUDED.region, capacity = EXCLUDED.capacity,
                 workload_types = EXCLUDED.workload_types, running_count = 0, last_heartbeat_at = now(),
                 registered_at = now(), updated_at = now()
           RETURNING ${WORKER_COLUMNS}
         )
         SELECT upserted.*, (SELECT status FROM prev) AS previous_status FROM upserted`,
        [worker.id, JSON.stringify(worker.tags), worker.region, worker.capacity, worker.workloadTypes],
      );
      const row = rows[0];
      if (row === undefined) throw new Error(`registering worker ${worker.id} returned no row`);
      const released = await this.releaseHeld(manager, worker.id);
      await appendAudit(manager, [
        {
          action: 'worker.registered',
          actorType: 'worker',
          actorId: worker.id,
          before: row.previous_status ? { status: row.previous_status } : null,
          after: { status: row.status },
          details: {
            tags: worker.tags,
            region: worker.region,
            capacity: worker.capacity,
            workload_types: worker.workloadTypes,
            created_types: createdTypes,
            released_workloads: released.map((r) => r.workloadId),
          },
        },
      ]);
      return { worker: toWorkerInfo(row), createdTypes, released };
    });
  }

  /**
   * Refreshes the worker's liveness: `last_heartbeat_at` = now, its running count and status.
   * A row the fleet marked DEAD is left alone and reported as `dead` (the worker must abort what
   * it runs and register again); `missing` when there is no row at all. A row an operator set to
   * DRAINING stays DRAINING and, while the worker still reports itself ACTIVE, is reported as
   * `drain_requested` (the worker drains even if the drain message was lost).
   */
  async heartbeat(workerId: string, runningCount: number, status: WorkerStatus): Promise<HeartbeatResult> {
    const rows: Array<{ status: WorkerStatus; updated: boolean }> = await this.dataSource.query(
      `WITH changed AS (
         UPDATE workers SET last_heartbeat_at = now(), running_count = $2, updated_at = now(),
                status = CASE WHEN status = 'DRAINING' THEN 'DRAINING' ELSE $3 END
          WHERE id = $1 AND status <> 'DEAD'
         RETURNING status
       )
       SELECT status, true AS updated FROM changed
       UNION ALL
       SELECT status, false AS updated FROM workers WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM changed)`,
      [workerId, runningCount, status],
    );
    const row = rows[0];
    if (row === undefined) return 'missing';
    if (!row.updated) return 'dead';
    return row.status === 'DRAINING' && status === 'ACTIVE' ? 'drain_requested' : 'ok';
  }

  /** Sets the worker's status (DRAINING, STOPPED) unless the fleet marked it DEAD. False: no change. */
  async setStatus(workerId: string, status: WorkerStatus, runningCount: number): Promise<boolean> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `WITH changed AS (
         UPDATE workers SET status = $2, running_count = $3, last_heartbeat_at = now(), updated_at = now()
          WHERE id = $1 AND status <> 'DEAD'
         RETURNING id
       ) SELECT id FROM changed`,
      [workerId, status, runningCount],
    );
    return rows.length > 0;
  }

  /** The worker's row, or null. */
  async find(workerId: string): Promise<WorkerInfo | null> {
    const rows: WorkerRow[] = await this.dataSource.query(`SELECT ${WORKER_COLUMNS} FROM workers WHERE id = $1`, [
      workerId,
    ]);
    return rows[0] === undefined ? null : toWorkerInfo(rows[0]);
  }

  private async insertTypes(manager: EntityManager, types: WorkloadTypeRegistration[]): Promise<string[]> {
    if (types.length === 0) return [];
    const rows: Array<{ workload_type: string }> = await manager.query(
      `INSERT INTO workload_configs
         (workload_type, default_priority, max_retries, timeout_seconds, checkpoint_interval_seconds,
          checkpoint_progress_step, created_at, updated_at)
       SELECT t.workload_type, t.default_priority, t.max_retries, t.timeout_seconds, t.checkpoint_interval_seconds,
              t.checkpoint_progress_step, now(), now()
         FROM unnest($1::text[], $2::int[], $3::int[], $4::int[], $5::int[], $6::float8[])
           AS t(workload_type, default_priority, max_retries, timeout_seconds, checkpoint_interval_seconds,
                checkpoint_progress_step)
       ON CONFLICT (workload_type) DO NOTHING
       RETURNING workload_type`,
      [
        types.map((t) => t.workloadType),
        types.map((t) => t.defaultPriority),
        types.map((t) => t.maxRetries),
        types.map((t) => t.timeoutSeconds),
        types.map((t) => t.checkpointIntervalSeconds),
        types.map((t) => t.checkpointProgressStep),
      ],
    );
    return rows.map((row) => row.workload_type);
  }

  private async releaseHeld(manager: EntityManager, workerId: string): Promise<ReleasedWorkload[]> {
    const rows: ReleasedRow[] = await manager.query(
      `WITH prev AS (
         SELECT id, status, attempt FROM workloads
          WHERE worker_id = $1 AND status IN (${ACTIVE_STATUS_SQL}) FOR UPDATE
       ), changed AS (
         UPDATE workloads w
            SET status = CASE WHEN prev.status = 'PAUSING' THEN 'PAUSED' ELSE 'PENDING' END,
                attempt = CASE WHEN prev.status = 'PAUSING' THEN w.attempt ELSE w.attempt + 1 END,
                worker_id = NULL, not_before = NULL, scheduled_at = NULL, pending_reason = NULL, updated_at = now()
           FROM prev WHERE w.id = prev.id
         RETURNING w.id, w.customer_id, w.workload_type, w.status, w.attempt, w.progress, w.updated_at,
                   prev.status AS previous_status, prev.attempt AS previous_attempt
       ) SELECT * FROM changed`,
      [workerId],
    );
    if (rows.length > 0) {
      const events: AuditEventInput[] = rows.map((row) => ({
        action: row.status === 'PAUSED' ? 'workload.paused' : 'workload.requeued',
        actorType: 'worker',
        actorId: workerId,
        customerId: row.customer_id,
        workloadId: row.id,
        before: { status: row.previous_status, attempt: row.previous_attempt, worker_id: workerId },
        after: { status: row.status, attempt: row.attempt, worker_id: null },
        details: { reason: 'worker_restarted' },
      }));
      await appendAudit(manager, events);
    }
    return rows.map((row) => ({
      workloadId: row.id,
      customerId: row.customer_id,
      workloadType: row.workload_type,
      status: row.status,
      attempt: row.attempt,
      progress: Number(row.progress),
      updatedAt: row.updated_at,
    }));
  }
}
