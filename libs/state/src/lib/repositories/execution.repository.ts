import { Injectable } from '@nestjs/common';
import { releaseTarget, WorkloadStatus, type AttemptFence, type CheckpointPolicy, type JsonValue, type Workload, type WorkloadError } from '@niyanta/models';
import { DataSource, type EntityManager } from 'typeorm';
import { parseCheckpointPolicy } from './execution-row';
import { toWorkload, workloadColumns, type WorkloadRow } from './workload-row.mapper';
import { ACTIVE_STATUS_SQL, EXECUTING_STATUS_SQL, STARTABLE_STATUS_SQL, statusList } from './status-sql';

/** What a worker needs to run an attempt it has just started. */
export interface ExecutionStart {
  /** The workload as it is now (RUNNING). */
  workload: Workload;
  /** The workload's override merged over its type's policy. */
  checkpointPolicy: CheckpointPolicy;
  /** The workload's limit, else its type's; null: none. */
  timeoutSeconds: number | null;
}

/** How a failed attempt was recorded. */
export type FailureRecord =
  { kind: 'retry_scheduled'; workload: Workload; retryDelayMs: number } | { kind: 'failed'; workload: Workload };

/** How an attempt handed back by its worker was recorded. */
export type ReleaseRecord = { kind: 'requeued' | 'paused'; workload: Workload };

/** Options of {@link ExecutionRepository.recordFailure}. */
export interface FailureOptions {
  /** False fails the workload at once whatever its retries. */
  retryable: boolean;
  /** Backoff before the retry, given the failure count after this failure (1 for the first). */
  retryDelayMs: (failureCount: number) => number;
}

/**
 * Inserts the audit events of the rows of the `changed` CTE (`FROM changed …` follows): actor is
 * the worker that held the attempt, `before`/`after` are `{status, attempt, worker_id}`. Same
 * columns as `appendAudit`, inlined so that a transition and its event take one round trip.
 */
function auditInsert(actionParam: string, detailsParam: string): string {
  return `INSERT INTO audit_events (customer_id, workload_id, actor_type, actor_id, action, before, after, details)
  SELECT changed.customer_id, changed.id, 'worker', changed.previous_worker_id, ${actionParam},
         jsonb_build_object('status', changed.previous_status, 'attempt', changed.previous_attempt,
                            'worker_id', changed.previous_worker_id),
         jsonb_build_object('status', changed.status, 'attempt', changed.attempt, 'worker_id', changed.worker_id),
         ${detailsParam}::jsonb`;
}

/** The changed row with what it was before (for audit events). */
const CHANGED_RETURNING = `prev.status AS previous_status, prev.attempt AS previous_attempt,
                   prev.worker_id AS previous_worker_id`;

/** Fences of a batch (`$1`–`$3` arrays) as the relation `input(id, attempt, worker_id)`. */
const FENCE_INPUT = `SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[]) AS t(id, attempt, worker_id)`;

// Statuses in which the worker holding the attempt may still write to it.
const RUNNING_STATUSES = `(${EXECUTING_STATUS_SQL})`;
const FENCE = `id = $1 AND attempt = $2 AND worker_id = $3`;

interface StartRow extends WorkloadRow {
  previous_status: string;
  config_timeout_seconds: number | null;
  config_checkpoint_interval_seconds: number | null;
  config_checkpoint_progress_step: number | null;
}

interface ChangedRow extends WorkloadRow {
  previous_status: WorkloadRow['status'];
  previous_attempt: number;
  previous_worker_id: string | null;
}

function fenceArrays(fences: readonly AttemptFence[]): unknown[] {
  return [fences.map((f) => f.workloadId), fences.map((f) => f.attempt), fences.map((f) => f.workerId)];
}

/** The row of each fence (matched by id, attempt and worker), or null where the fence matched nothing. */
function alignWithFences<T extends Pick<WorkloadRow, 'id' | 'attempt' | 'worker_id'>>(
  fences: readonly AttemptFence[],
  rows: T[],
): Array<T | null> {
  const byKey = new Map(rows.map((row) => [`${row.id}#${row.attempt}#${row.worker_id}`, row]));
  return fences.map((f) => byKey.get(`${f.workloadId}#${f.attempt}#${f.workerId}`) ?? null);
}

function toExecutionStart(row: StartRow): ExecutionStart {
  const override = parseCheckpointPolicy(row.checkpoint_policy) ?? {};
  return {
    workload: toWorkload(row),
    checkpointPolicy: {
      intervalSeconds:
        override.intervalSeconds !== undefined ? override.intervalSeconds : row.config_checkpoint_interval_seconds,
      progressStep: override.progressStep !== undefined ? override.progressStep : row.config_checkpoint_progress_step,
    },
    timeoutSeconds: row.timeout_seconds ?? row.config_timeout_seconds,
  };
}

function fenceParams(fence: AttemptFence): unknown[] {
  return [fence.workloadId, fence.attempt, fence.workerId];
}

function jsonParam(value: JsonValue | undefined): string {
  return JSON.stringify(value ?? null);
}

/**
 * The worker's writes to the workloads it runs: start, progress, outcome, hand-back. Every write
 * is fenced by {@link AttemptFence}; a write that matches no row returns null (or false) — the
 * attempt is stale or cancelled and the worker must abort it, never retry the write.
 */
@Injectable()
export class ExecutionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Marks the attempt RUNNING (from SCHEDULED; a redelivered assignment of an attempt already
   * RUNNING on this worker is accepted again) and returns what the worker needs to run it.
   * Audits `workload.started` on the SCHEDULED → RUNNING transition.
   */
  async start(fence: AttemptFence): Promise<ExecutionStart | null> {
    return (await this.startMany([fence]))[0] ?? null;
  }

  /**
   * {@link start} for many attempts in one statement (so one transaction and one round trip:
   * transitions, audit events and type configs). Results are aligned with `fences`.
   */
  async startMany(fences: readonly AttemptFence[]): Promise<Array<ExecutionStart | null>> {
    if (fences.length === 0) return [];
    const rows: StartRow[] = await this.dataSource.query(
      `WITH input AS (${FENCE_INPUT}),
       prev AS (
         SELECT w.id, w.status, w.attempt, w.worker_id FROM workloads w
           JOIN input i ON w.id = i.id AND w.attempt = i.attempt AND w.worker_id = i.worker_id
          WHERE w.status IN (${STARTABLE_STATUS_SQL})
          ORDER BY w.id FOR UPDATE OF w
       ), changed AS (
         UPDATE workloads w
            SET status = 'RUNNING', started_at = COALESCE(w.started_at, now()), updated_at = now(),
                pending_reason = NULL
           FROM prev WHERE w.id = prev.id
         RETURNING ${workloadColumns('w')}, ${CHANGED_RETURNING}
       ), audited AS (
         ${auditInsert(`'workload.started'`, 'NULL')} FROM changed WHERE changed.previous_status = 'SCHEDULED'
       )
       SELECT changed.*, c.timeout_seconds AS config_timeout_seconds,
              c.checkpoint_interval_seconds AS config_checkpoint_interval_seconds,
              c.checkpoint_progress_step AS config_checkpoint_progress_step
         FROM changed LEFT JOIN workload_configs c ON c.workload_type = changed.workload_type`,
      fenceArrays(fences),
    );
    return alignWithFences(fences, rows).map((row) => (row === null ? null : toExecutionStart(row)));
  }

  /** Records progress (0–1) and an optional message. False: the attempt is no longer this worker's. */
  async reportProgress(fence: AttemptFence, progress: number, message: string | null): Promise<boolean> {
    return (await this.reportProgressMany([{ fence, progress, message }]))[0] ?? false;
  }

  /** {@link reportProgress} for many attempts in one statement. Results are aligned with `items`. */
  async reportProgressMany(
    items: ReadonlyArray<{ fence: AttemptFence; progress: number; message: string | null }>,
  ): Promise<boolean[]> {
    if (items.length === 0) return [];
    const fences = items.map((item) => item.fence);
    const rows: WorkloadRow[] = await this.dataSource.query(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::float8[], $5::text[])
           AS t(id, attempt, worker_id, progress, message)
       ), prev AS (
         SELECT w.id, i.progress, i.message FROM workloads w
           JOIN input i ON w.id = i.id AND w.attempt = i.attempt AND w.worker_id = i.worker_id
          WHERE w.status IN ${RUNNING_STATUSES}
          ORDER BY w.id FOR UPDATE OF w
       ), changed AS (
         UPDATE workloads w SET progress = prev.progress, progress_message = prev.message, updated_at = now()
           FROM prev WHERE w.id = prev.id
         RETURNING w.id, w.attempt, w.worker_id
       ) SELECT * FROM changed`,
      [...fenceArrays(fences), items.map((item) => item.progress), items.map((item) => item.message)],
    );
    return alignWithFences(fences, rows).map((row) => row !== null);
  }

  /** COMPLETED with `output` and progress 1, audited `workload.completed`, in one statement. */
  async complete(fence: AttemptFence, output: JsonValue | undefined): Promise<Workload | null> {
    return (await this.completeMany([{ fence, output }]))[0] ?? null;
  }

  /** {@link complete} for many attempts in one statement. Results are aligned with `items`. */
  async completeMany(
    items: ReadonlyArray<{ fence: AttemptFence; output: JsonValue | undefined }>,
  ): Promise<Array<Workload | null>> {
    if (items.length === 0) return [];
    const fences = items.map((item) => item.fence);
    const rows: ChangedRow[] = await this.dataSource.query(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[]) AS t(id, attempt, worker_id, output)
       ), prev AS (
         SELECT w.id, w.status, w.attempt, w.worker_id, i.output FROM workloads w
           JOIN input i ON w.id = i.id AND w.attempt = i.attempt AND w.worker_id = i.worker_id
          WHERE w.status IN ${RUNNING_STATUSES}
          ORDER BY w.id FOR UPDATE OF w
       ), changed AS (
         UPDATE workloads w
            SET status = 'COMPLETED', output = prev.output::jsonb, error = NULL, progress = 1, completed_at = now(),
                not_before = NULL, pending_reason = NULL, updated_at = now()
           FROM prev WHERE w.id = prev.id
         RETURNING ${workloadColumns('w')}, ${CHANGED_RETURNING}
       ), audited AS (
         ${auditInsert(`'workload.completed'`, 'NULL')} FROM changed
       ) SELECT * FROM changed`,
      [...fenceArrays(fences), items.map((item) => jsonParam(item.output))],
    );
    return alignWithFences(fences, rows).map((row) => (row === null ? null : toWorkload(row)));
  }

  /**
   * Records a failed attempt. A retryable failure within `max_retries` (failure_count + 1 ≤
   * max_retries) goes back to PENDING with attempt + 1, failure_count + 1, no worker and
   * `not_before` = now + backoff (audited `workload.retry_scheduled`); anything else is FAILED with
   * `error` (audited `workload.failed`).
   */
  async recordFailure(
    fence: AttemptFence,
    error: WorkloadError,
    options: FailureOptions,
  ): Promise<FailureRecord | null> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.lockHeld(manager, fence, RUNNING_STATUSES);
      if (current === null) return null;
      const failureCount = current.failure_count + 1;
      const details = { error, failure_count: failureCount };
      if (options.retryable && failureCount <= current.max_retries) {
        const retryDelayMs = Math.max(0, Math.round(options.retryDelayMs(failureCount)));
        const row = await this.change(
          manager,
          fence,
          RUNNING_STATUSES,
          `status = 'PENDING', attempt = w.attempt + 1, failure_count = $6, worker_id = NULL,
           not_before = now() + ($7::bigint * interval '1 millisecond'), scheduled_at = NULL, pending_reason = NULL`,
          [failureCount, retryDelayMs],
          { action: 'workload.retry_scheduled', details: { ...details, retry_delay_ms: retryDelayMs } },
        );
        return row === null ? null : { kind: 'retry_scheduled', workload: toWorkload(row), retryDelayMs };
      }
      const row = await this.change(
        manager,
        fence,
        RUNNING_STATUSES,
        `status = 'FAILED', error = $6::jsonb, failure_count = $7, completed_at = now(), not_before = NULL,
         pending_reason = NULL`,
        [JSON.stringify(error), failureCount],
        { action: 'workload.failed', details },
      );
      return row === null ? null : { kind: 'failed', workload: toWorkload(row) };
    });
  }

  /**
   * Hands an attempt back: a PAUSING workload becomes PAUSED (attempt unchanged — resume bumps it;
   * audited `workload.paused`), a SCHEDULED or RUNNING one goes back to PENDING with attempt + 1
   * and no worker (audited `workload.requeued` with `reason`). Used by pause and by drain.
   */
  async release(fence: AttemptFence, reason: string): Promise<ReleaseRecord | null> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.lockHeld(manager, fence, `(${ACTIVE_STATUS_SQL})`);
      if (current === null) return null;
      if (releaseTarget(current.status) === WorkloadStatus.Paused) {
        const row = await this.change(manager, fence, `(${statusList([WorkloadStatus.Pausing])})`, `status = 'PAUSED', worker_id = NULL`, [], {
          action: 'workload.paused',
          details: { reason },
        });
        return row === null ? null : { kind: 'paused', workload: toWorkload(row) };
      }
      const row = await this.change(
        manager,
        fence,
        `(${STARTABLE_STATUS_SQL})`,
        `status = 'PENDING', attempt = w.attempt + 1, worker_id = NULL, not_before = NULL, scheduled_at = NULL,
         pending_reason = NULL`,
        [],
        { action: 'workload.requeued', details: { reason } },
      );
      return row === null ? null : { kind: 'requeued', workload: toWorkload(row) };
    });
  }

  /** The workload as stored now, or null. */
  async find(workloadId: string): Promise<Workload | null> {
    const rows: WorkloadRow[] = await this.dataSource.query(
      `SELECT ${workloadColumns('w')} FROM workloads w WHERE w.id = $1`,
      [workloadId],
    );
    return rows[0] === undefined ? null : toWorkload(rows[0]);
  }

  private async lockHeld(manager: EntityManager, fence: AttemptFence, statuses: string): Promise<WorkloadRow | null> {
    const rows: WorkloadRow[] = await manager.query(
      `SELECT ${workloadColumns('w')} FROM workloads w WHERE ${FENCE} AND status IN ${statuses} FOR UPDATE`,
      fenceParams(fence),
    );
    return rows[0] ?? null;
  }

  /**
   * Applies `assignments` (SQL `SET` list; `$6`… are `extra`) to the fenced row when its status is
   * in `statuses` and records the audit event of the change in the same statement. Returns the new
   * row, or null when the fence matched nothing (then nothing is written).
   */
  private async change(
    manager: EntityManager,
    fence: AttemptFence,
    statuses: string,
    assignments: string,
    extra: unknown[],
    audit: { action: string; details?: Record<string, unknown> },
  ): Promise<ChangedRow | null> {
    // The final SELECT makes TypeORM return plain rows for an UPDATE … RETURNING.
    const rows: ChangedRow[] = await manager.query(
      `WITH prev AS (
         SELECT id, status, attempt, worker_id FROM workloads
          WHERE ${FENCE} AND status IN ${statuses} FOR UPDATE
       ), changed AS (
         UPDATE workloads w SET ${assignments}, updated_at = now()
           FROM prev WHERE w.id = prev.id
         RETURNING ${workloadColumns('w')}, ${CHANGED_RETURNING}
       ), audited AS (
         ${auditInsert('$4', '$5')} FROM changed
       ) SELECT * FROM changed`,
      [
        ...fenceParams(fence),
        audit.action,
        audit.details === undefined ? null : JSON.stringify(audit.details),
        ...extra,
      ],
    );
    return rows[0] ?? null;
  }
}
