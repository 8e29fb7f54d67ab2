import { Injectable } from '@nestjs/common';
import {
  EMPTY_AFFINITY,
  type AffinityRules,
  type JsonObject,
  type WorkerStatus,
  type WorkloadStatus,
} from '@niyanta/models';
import type { AssignmentKey, PendingKey, PendingWorkload, Placement, WorkerSnapshot } from '@niyanta/scheduling';
import { DataSource } from 'typeorm';
import { appendAudit, type AuditEventInput } from './audit.repository';
import { leaderFenceCondition, runFenced, type LeaderFence } from './leadership.repository';
import { ACTIVE_STATUS_SQL } from './status-sql';

/** A workload state change made by the leader, with what the workers and events need. */
export interface LeaderWorkloadChange {
  id: string;
  customerId: string;
  workloadType: string;
  status: WorkloadStatus;
  attempt: number;
  workerId: string | null;
  progress: number;
  previousStatus: WorkloadStatus;
  previousAttempt: number;
  previousWorkerId: string | null;
}

/** A workload now SCHEDULED on a worker: everything its assignment message carries. */
export interface ScheduledWorkload extends LeaderWorkloadChange {
  workerId: string;
  input: JsonObject;
  /** About how many bytes `input` takes as JSON, from the database (see {@link INPUT_BYTES}). */
  inputBytes: number;
}

/** A workload SCHEDULED for longer than the acknowledgement timeout. */
export interface UnacknowledgedAssignment {
  id: string;
  customerId: string;
  workloadType: string;
  attempt: number;
  workerId: string;
  input: JsonObject;
  /** About how many bytes `input` takes as JSON (see {@link ScheduledWorkload.inputBytes}). */
  inputBytes: number;
  progress: number;
  /** Milliseconds since it was scheduled, by the database clock. */
  ageMs: number;
}

interface PendingRow {
  id: string;
  customer_id: string;
  customer_tier: string | null;
  workload_type: string;
  priority: number;
  affinity: AffinityRules | null;
  region: string | null;
  attempt: number;
  pending_reason: string | null;
  not_before: Date | null;
  created_at: Date;
  pending_since: Date;
  trace_context: string | null;
}

interface WorkerRow {
  id: string;
  status: WorkerStatus;
  tags: Record<string, string> | null;
  region: string | null;
  capacity: number;
  workload_types: string[] | null;
  active_count: number;
  heartbeat_age_ms: string | number;
}

/** A row of a leader `UPDATE ... RETURNING` with the previous values alongside. */
export interface ChangeRow {
  id: string;
  customer_id: string;
  workload_type: string;
  status: WorkloadStatus;
  attempt: number;
  worker_id: string | null;
  progress: number;
  previous_status: WorkloadStatus;
  previous_attempt: number;
  previous_worker_id: string | null;
}

/**
 * The size of a workload's input, for bounding the leader's assignment batches without rendering
 * each input as JSON in the leader: the stored jsonb's size, which PostgreSQL knows without
 * reading the value. A compressed value's stored size says little about its JSON size (a large
 * repetitive input compresses to almost nothing), so those — only inputs of more than about
 * 2 kB are ever compressed — are measured as text. For ordinary inputs the jsonb size is a little
 * above the JSON text's, so batches close slightly early; strings dense with characters JSON must
 * escape are the exception, within the headroom the batch bound leaves under the broker's limit.
 */
const INPUT_BYTES = (column: string) =>
  `(CASE WHEN pg_column_compression(${column}) IS NULL THEN pg_column_size(${column})
         ELSE octet_length(${column}::text) END)::int`;

// A suspended customer's workloads stay PENDING but out of the scheduler's sight until it is
// reactivated (the sweep then finds them). A missing customer row does not hide a workload.
const SCHEDULABLE_CUSTOMER = `(c.status IS NULL OR c.status = 'active')`;
// A dependent waiting for parents (SPEC §8) is PENDING but not the scheduler's until released.
// NULL for every workload without dependencies, so the condition costs them a column test.
const RELEASED = `COALESCE(w.waiting_parents, 0) = 0`;

const PENDING_SELECT_COLUMNS = `
  SELECT w.id, w.customer_id, c.tier AS customer_tier, w.workload_type, w.priority, w.affinity, w.region,
         w.attempt, w.pending_reason, w.not_before, w.created_at, w.trace_context,
         GREATEST(w.created_at, w.updated_at, COALESCE(w.not_before, w.created_at)) AS pending_since`;

const PENDING_SELECT = `${PENDING_SELECT_COLUMNS}
    FROM workloads w LEFT JOIN customers c ON c.id = w.customer_id`;

function positiveInt(value: number): number {
  return Math.max(1, Math.floor(value));
}


// A correlated count per worker walks the partial index of active workloads for that worker only.
const WORKER_SELECT = `
  SELECT wk.id, wk.status, wk.tags, wk.region, wk.capacity, wk.workload_types,
         (SELECT count(*) FROM workloads l
           WHERE l.worker_id = wk.id AND l.status IN (${ACTIVE_STATUS_SQL}))::int AS active_count,
         (EXTRACT(EPOCH FROM (now() - wk.last_heartbeat_at)) * 1000)::float8 AS heartbeat_age_ms
    FROM workers wk`;

function toPending(row: PendingRow): PendingWorkload {
  const affinity = row.affinity ?? EMPTY_AFFINITY;
  return {
    id: row.id,
    customerId: row.customer_id,
    customerTier: row.customer_tier,
    workloadType: row.workload_type,
    priority: row.priority,
    affinity: { required: affinity.required ?? {}, preferred: affinity.preferred ?? {}, anti: affinity.anti ?? {} },
    region: row.region,
    attempt: row.attempt,
    pendingReason: row.pending_reason,
    notBefore: row.not_before,
    createdAt: row.created_at,
    pendingSince: row.pending_since,
    traceContext: row.trace_context ?? null,
  };
}

function toWorker(row: WorkerRow): WorkerSnapshot {
  return {
    id: row.id,
    status: row.status,
    tags: row.tags ?? {},
    region: row.region,
    capacity: row.capacity,
    workloadTypes: row.workload_types ?? [],
    activeCount: Number(row.active_count),
    heartbeatAgeMs: Number(row.heartbeat_age_ms),
  };
}

/** Maps a row of a leader `UPDATE ... RETURNING` to a {@link LeaderWorkloadChange}. */
export function toLeaderChange(row: ChangeRow): LeaderWorkloadChange {
  return {
    id: row.id,
    customerId: row.customer_id,
    workloadType: row.workload_type,
    status: row.status,
    attempt: row.attempt,
    workerId: row.worker_id,
    progress: Number(row.progress),
    previousStatus: row.previous_status,
    previousAttempt: row.previous_attempt,
    previousWorkerId: row.previous_worker_id,
  };
}

/** Audit event of one leader change; `before`/`after` are the `{status, attempt, worker_id}` snapshots. */
export function leaderChangeAudit(
  action: string,
  change: LeaderWorkloadChange,
  fence: LeaderFence,
  details: Record<string, unknown> = {},
): AuditEventInput {
  return {
    action,
    actorType: 'coordinator',
    actorId: fence.leaderId,
    customerId: change.customerId,
    workloadId: change.id,
    before: { status: change.previousStatus, attempt: change.previousAttempt, worker_id: change.previousWorkerId },
    after: { status: change.status, attempt: change.attempt, worker_id: change.workerId },
    details: { generation: fence.generation, ...details },
  };
}

/**
 * The scheduler's reads and writes: the pending queue and worker slots it rebuilds from, and the
 * fenced batch writes of a scheduling pass (SCHEDULED, pending reasons, reclaimed assignments).
 * Every write runs under {@link runFenced} and its UPDATE carries the lease condition as well.
 */
@Injectable()
export class SchedulingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The database clock, so the leader can judge `not_before` without trusting its own clock. */
  async databaseNow(): Promise<Date> {
    const [row]: Array<{ now: Date }> = await this.dataSource.query(`SELECT now() AS now`);
    return row?.now ?? new Date();
  }

  /**
   * Streams PENDING workloads in pages of `pageSize`, at most `limit` in all and at most
   * `perCustomer` of each customer (its first by priority, then age), from one consistent snapshot
   * (a server-side cursor), so a large backlog is loaded without holding it twice in memory and one
   * customer's backlog cannot crowd the others out of the leader's queue.
   */
  async streamPending(
    pageSize: number,
    limit: number,
    perCustomer: number,
    onPage: (page: PendingWorkload[]) => Promise<void> | void,
  ): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let loaded = 0;
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query(
        `DECLARE pending_cursor NO SCROLL CURSOR FOR
           SELECT * FROM (${PENDING_SELECT_COLUMNS}, row_number() OVER (PARTITION BY w.customer_id ORDER BY w.priority DESC, w.created_at) AS customer_rank
                            FROM workloads w LEFT JOIN customers c ON c.id = w.customer_id
                           WHERE w.status = 'PENDING' AND ${RELEASED} AND ${SCHEDULABLE_CUSTOMER}) ranked
            WHERE customer_rank <= ${positiveInt(perCustomer)}
            ORDER BY customer_rank, priority DESC, created_at LIMIT ${Math.max(0, Math.floor(limit))}`,
      );
      for (;;) {
        const rows: PendingRow[] = await runner.query(`FETCH ${Math.max(1, Math.floor(pageSize))} FROM pending_cursor`);
        if (rows.length === 0) break;
        loaded += rows.length;
        await onPage(rows.map(toPending));
      }
      await runner.commitTransaction();
      return loaded;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  /**
   * One customer's first PENDING workloads in its queue order (priority, then age), at most
   * `limit`: how the leader refills its queue with a customer whose backlog did not fit.
   */
  async findPendingOfCustomer(customerId: string, limit: number): Promise<PendingWorkload[]> {
    const rows: PendingRow[] = await this.dataSource.query(
      `${PENDING_SELECT} WHERE w.customer_id = $1 AND w.status = 'PENDING' AND ${RELEASED} AND ${SCHEDULABLE_CUSTOMER}
        ORDER BY w.priority DESC, w.created_at LIMIT $2`,
      [customerId, positiveInt(limit)],
    );
    return rows.map(toPending);
  }

  /** The PENDING workloads among `ids` (others have moved on or do not exist). */
  async findPendingByIds(ids: readonly string[]): Promise<PendingWorkload[]> {
    if (ids.length === 0) return [];
    const rows: PendingRow[] = await this.dataSource.query(
      `${PENDING_SELECT} WHERE w.id = ANY($1::uuid[]) AND w.status = 'PENDING' AND ${RELEASED} AND ${SCHEDULABLE_CUSTOMER}`,
      [ids],
    );
    return rows.map(toPending);
  }

  /**
   * `id`/`attempt` of PENDING workloads, at most `limit` in all and `perCustomer` of each customer
   * (its first in queue order), the same selection {@link streamPending} loads: the sweep's cheap diff.
   */
  async listPendingKeys(limit: number, perCustomer: number): Promise<PendingKey[]> {
    const rows: PendingKey[] = await this.dataSource.query(
      `SELECT id, attempt, customer_id AS "customerId" FROM (
         SELECT w.id, w.attempt, w.customer_id, w.priority, w.created_at,
                row_number() OVER (PARTITION BY w.customer_id ORDER BY w.priority DESC, w.created_at) AS customer_rank
           FROM workloads w LEFT JOIN customers c ON c.id = w.customer_id
          WHERE w.status = 'PENDING' AND ${RELEASED} AND ${SCHEDULABLE_CUSTOMER}) ranked
        WHERE customer_rank <= $2
        ORDER BY customer_rank, priority DESC, created_at LIMIT $1`,
      [limit, positiveInt(perCustomer)],
    );
    return rows;
  }

  /**
   * Workers with their occupied slots. Without `ids`: every ACTIVE or DRAINING worker; with `ids`:
   * those workers whatever their status (a missing id is a worker that no longer exists).
   */
  async loadWorkers(ids?: readonly string[]): Promise<WorkerSnapshot[]> {
    const rows: WorkerRow[] =
      ids === undefined
        ? await this.dataSource.query(`${WORKER_SELECT} WHERE wk.status IN ('ACTIVE', 'DRAINING')`)
        : ids.length === 0
          ? []
          : await this.dataSource.query(`${WORKER_SELECT} WHERE wk.id = ANY($1::text[])`, [ids]);
    return rows.map(toWorker);
  }

  /**
   * Workloads occupying a slot (SCHEDULED, RUNNING, PAUSING) per customer: of every customer that
   * has any, or of `customerIds` only (customers without any are absent from the map).
   */
  async countActiveByCustomer(customerIds?: readonly string[]): Promise<Map<string, number>> {
    if (customerIds !== undefined && customerIds.length === 0) return new Map();
    const rows: Array<{ customer_id: string; active: number }> =
      customerIds === undefined
        ? await this.dataSource.query(
            `SELECT customer_id, count(*)::int AS active FROM workloads
              WHERE status IN (${ACTIVE_STATUS_SQL}) GROUP BY customer_id`,
          )
        : await this.dataSource.query(
            `SELECT customer_id, count(*)::int AS active FROM workloads
              WHERE customer_id = ANY($1::uuid[]) AND status IN (${ACTIVE_STATUS_SQL}) GROUP BY customer_id`,
            [customerIds],
          );
    return new Map(rows.map((row) => [row.customer_id, Number(row.active)]));
  }

  /** Workload types with a cap on concurrently active workloads (`workload_configs.max_concurrent`). */
  async loadTypeLimits(): Promise<Map<string, number>> {
    const rows: Array<{ workload_type: string; max_concurrent: number }> = await this.dataSource.query(
      `SELECT workload_type, max_concurrent FROM workload_configs WHERE max_concurrent IS NOT NULL`,
    );
    return new Map(rows.map((row) => [row.workload_type, Number(row.max_concurrent)]));
  }

  /** Workloads occupying a slot (SCHEDULED, RUNNING, PAUSING) of each of `types` (absent: none). */
  async countActiveByType(types: readonly string[]): Promise<Map<string, number>> {
    if (types.length === 0) return new Map();
    const rows: Array<{ workload_type: string; active: number }> = await this.dataSource.query(
      `SELECT workload_type, count(*)::int AS active FROM workloads
        WHERE workload_type = ANY($1::text[]) AND status IN (${ACTIVE_STATUS_SQL}) GROUP BY workload_type`,
      [types],
    );
    return new Map(rows.map((row) => [row.workload_type, Number(row.active)]));
  }

  /**
   * Writes SCHEDULED for every placement whose workload is still PENDING and due and whose worker is
   * still ACTIVE, with one `workload.scheduled` audit event each, in one transaction fenced by
   * `fence`. Placements that no longer apply are left out of the result (the caller drops them).
   * @throws LeaseLostError when the lease is no longer held (nothing is written)
   */
  async schedule(fence: LeaderFence, placements: readonly Placement[]): Promise<ScheduledWorkload[]> {
    if (placements.length === 0) return [];
    return runFenced(this.dataSource, fence, async (manager) => {
      const rows: Array<ChangeRow & { input: JsonObject | null; input_bytes: number | null }> = await manager.query(
        `WITH changed AS (
         UPDATE workloads w
            SET status = 'SCHEDULED', worker_id = p.worker_id, scheduled_at = now(), pending_reason = NULL,
                updated_at = now()
           FROM unnest($3::uuid[], $4::text[]) AS p(id, worker_id)
          WHERE w.id = p.id
            AND w.status = 'PENDING' AND ${RELEASED}
            AND (w.not_before IS NULL OR w.not_before <= now())
            AND EXISTS (SELECT 1 FROM workers wk WHERE wk.id = p.worker_id AND wk.status = 'ACTIVE')
            AND ${leaderFenceCondition('$1', '$2')}
        RETURNING w.id, w.customer_id, w.workload_type, w.status, w.attempt, w.worker_id, w.progress, w.input,
                  ${INPUT_BYTES('w.input')} AS input_bytes,
                  'PENDING' AS previous_status, w.attempt AS previous_attempt, NULL::text AS previous_worker_id)
         SELECT * FROM changed`,
        [fence.leaderId, fence.generation, placements.map((p) => p.workloadId), placements.map((p) => p.workerId)],
      );
      const scheduled = rows.map((row) => ({
        ...toLeaderChange(row),
        workerId: row.worker_id as string,
        input: row.input ?? {},
        inputBytes: Number(row.input_bytes ?? 2),
      }));
      await appendAudit(
        manager,
        scheduled.map((change) => leaderChangeAudit('workload.scheduled', change, fence)),
      );
      return scheduled;
    });
  }

  /**
   * Records why PENDING workloads cannot be placed, only where the reason changed (null clears it).
   * Not audited: it is a diagnostic, not a state change.
   * @returns the number of rows changed
   * @throws LeaseLostError when the lease is no longer held
   */
  async setPendingReasons(
    fence: LeaderFence,
    reasons: ReadonlyArray<{ id: string; reason: string | null }>,
  ): Promise<number> {
    if (reasons.length === 0) return 0;
    return runFenced(this.dataSource, fence, async (manager) => {
      const rows: unknown[] = await manager.query(
        `WITH changed AS (
         UPDATE workloads w SET pending_reason = r.reason
           FROM unnest($3::uuid[], $4::text[]) AS r(id, reason)
          WHERE w.id = r.id AND w.status = 'PENDING' AND ${RELEASED} AND w.pending_reason IS DISTINCT FROM r.reason
            AND ${leaderFenceCondition('$1', '$2')}
        RETURNING 1 AS changed)
         SELECT changed FROM changed`,
        [fence.leaderId, fence.generation, reasons.map((r) => r.id), reasons.map((r) => r.reason)],
      );
      return rows.length;
    });
  }

  /** Workloads SCHEDULED for more than `olderThanMs` (by the database clock), oldest first. */
  async findUnacknowledged(olderThanMs: number, limit: number): Promise<UnacknowledgedAssignment[]> {
    const rows: Array<{
      id: string;
      customer_id: string;
      workload_type: string;
      attempt: number;
      worker_id: string;
      input: JsonObject | null;
      input_bytes: number | null;
      progress: number;
      age_ms: string | number;
    }> = await this.dataSource.query(
      `SELECT id, customer_id, workload_type, attempt, worker_id, input, ${INPUT_BYTES('input')} AS input_bytes, progress,
              (EXTRACT(EPOCH FROM (now() - scheduled_at)) * 1000)::float8 AS age_ms
         FROM workloads
        WHERE status = 'SCHEDULED' AND worker_id IS NOT NULL
          AND scheduled_at < now() - make_interval(secs => $1::float8 / 1000)
        ORDER BY scheduled_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      customerId: row.customer_id,
      workloadType: row.workload_type,
      attempt: row.attempt,
      workerId: row.worker_id,
      input: row.input ?? {},
      inputBytes: Number(row.input_bytes ?? 2),
      progress: Number(row.progress),
      ageMs: Number(row.age_ms),
    }));
  }

  /**
   * Takes back assignments their workers never started: each workload still SCHEDULED with the same
   * attempt and worker, and scheduled more than `olderThanMs` ago, becomes PENDING with attempt + 1
   * and no worker (`workload.requeued`), fenced by `fence`. Repeating the call changes nothing more.
   * @throws LeaseLostError when the lease is no longer held
   */
  async reclaimUnacknowledged(
    fence: LeaderFence,
    assignments: readonly AssignmentKey[],
    olderThanMs: number,
  ): Promise<LeaderWorkloadChange[]> {
    if (assignments.length === 0) return [];
    return runFenced(this.dataSource, fence, async (manager) => {
      const rows: ChangeRow[] = await manager.query(
        `WITH changed AS (
         UPDATE workloads w
            SET status = 'PENDING', attempt = w.attempt + 1, worker_id = NULL, pending_reason = NULL,
                not_before = NULL, updated_at = now()
           FROM unnest($3::uuid[], $4::int[], $5::text[]) AS a(id, attempt, worker_id)
          WHERE w.id = a.id AND w.status = 'SCHEDULED' AND w.attempt = a.attempt AND w.worker_id = a.worker_id
            AND w.scheduled_at < now() - make_interval(secs => $6::float8 / 1000)
            AND ${leaderFenceCondition('$1', '$2')}
        RETURNING w.id, w.customer_id, w.workload_type, w.status, w.attempt, w.worker_id, w.progress,
                  'SCHEDULED' AS previous_status, a.attempt AS previous_attempt, a.worker_id AS previous_worker_id)
         SELECT * FROM changed`,
        [
          fence.leaderId,
          fence.generation,
          assignments.map((a) => a.id),
          assignments.map((a) => a.attempt),
          assignments.map((a) => a.workerId),
          olderThanMs,
        ],
      );
      const changes = rows.map(toLeaderChange);
      await appendAudit(
        manager,
        changes.map((change) =>
          leaderChangeAudit('workload.requeued', change, fence, { reason: 'assignment_unacknowledged' }),
        ),
      );
      return changes;
    });
  }
}
