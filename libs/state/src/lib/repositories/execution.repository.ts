import { Injectable } from '@nestjs/common';
import type { CheckpointPolicy, JsonValue, Workload, WorkloadError } from '@niyanta/models';
import { DataSource, type EntityManager } from 'typeorm';
import { appendAudit, type AuditEventInput } from './audit.repository';
import {
  auditState,
  parseCheckpointPolicy,
  toWorkload,
  workloadColumns,
  type AttemptFence,
  type WorkloadRow,
} from './execution-row';

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

// Statuses in which the worker holding the attempt may still write to it.
const RUNNING_STATUSES = `('RUNNING', 'PAUSING')`;
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
    return this.dataSource.transaction(async (manager) => {
      const rows: StartRow[] = await manager.query(
        `WITH prev AS (
           SELECT id, status FROM workloads
            WHERE ${FENCE} AND status IN ('SCHEDULED', 'RUNNING') FOR UPDATE
         ), changed AS (
           UPDATE workloads w
              SET status = 'RUNNING', started_at = COALESCE(w.started_at, now()), updated_at = now(),
                  pending_reason = NULL
             FROM prev WHERE w.id = prev.id
           RETURNING ${workloadColumns('w')}, prev.status AS previous_status
         )
         SELECT changed.*, c.timeout_seconds AS config_timeout_seconds,
                c.checkpoint_interval_seconds AS config_checkpoint_interval_seconds,
                c.checkpoint_progress_step AS config_checkpoint_progress_step
           FROM changed LEFT JOIN workload_configs c ON c.workload_type = changed.workload_type`,
        fenceParams(fence),
      );
      const row = rows[0];
      if (row === undefined) return null;
      if (row.previous_status === 'SCHEDULED') {
        await appendAudit(manager, [
          this.audit('workload.started', row, { status: 'SCHEDULED', attempt: row.attempt, worker_id: row.worker_id }),
        ]);
      }
      const override = parseCheckpointPolicy(row.checkpoint_policy) ?? {};
      return {
        workload: toWorkload(row),
        checkpointPolicy: {
          intervalSeconds:
            override.intervalSeconds !== undefined ? override.intervalSeconds : row.config_checkpoint_interval_seconds,
          progressStep:
            override.progressStep !== undefined ? override.progressStep : row.config_checkpoint_progress_step,
        },
        timeoutSeconds: row.timeout_seconds ?? row.config_timeout_seconds,
      };
    });
  }

  /** Records progress (0–1) and an optional message. False: the attempt is no longer this worker's. */
  async reportProgress(fence: AttemptFence, progress: number, message: string | null): Promise<boolean> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `WITH changed AS (
         UPDATE workloads SET progress = $4, progress_message = $5, updated_at = now()
          WHERE ${FENCE} AND status IN ${RUNNING_STATUSES}
         RETURNING id
       ) SELECT id FROM changed`,
      [...fenceParams(fence), progress, message],
    );
    return rows.length > 0;
  }

  /** COMPLETED with `output` and progress 1, audited `workload.completed`, in one transaction. */
  async complete(fence: AttemptFence, output: JsonValue | undefined): Promise<Workload | null> {
    return this.dataSource.transaction(async (manager) => {
      const row = await this.change(
        manager,
        fence,
        RUNNING_STATUSES,
        `status = 'COMPLETED', output = $4::jsonb, error = NULL, progress = 1, completed_at = now(),
         not_before = NULL, pending_reason = NULL`,
        [jsonParam(output)],
      );
      if (row === null) return null;
      await appendAudit(manager, [this.audit('workload.completed', row, this.previous(row))]);
      return toWorkload(row);
    });
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
          `status = 'PENDING', attempt = w.attempt + 1, failure_count = $4, worker_id = NULL,
           not_before = now() + ($5::bigint * interval '1 millisecond'), scheduled_at = NULL, pending_reason = NULL`,
          [failureCount, retryDelayMs],
        );
        if (row === null) return null;
        await appendAudit(manager, [
          this.audit('workload.retry_scheduled', row, this.previous(row), { ...details, retry_delay_ms: retryDelayMs }),
        ]);
        return { kind: 'retry_scheduled', workload: toWorkload(row), retryDelayMs };
      }
      const row = await this.change(
        manager,
        fence,
        RUNNING_STATUSES,
        `status = 'FAILED', error = $4::jsonb, failure_count = $5, completed_at = now(), not_before = NULL,
         pending_reason = NULL`,
        [JSON.stringify(error), failureCount],
      );
      if (row === null) return null;
      await appendAudit(manager, [this.audit('workload.failed', row, this.previous(row), details)]);
      return { kind: 'failed', workload: toWorkload(row) };
    });
  }

  /**
   * Hands an attempt back: a PAUSING workload becomes PAUSED (attempt unchanged — resume bumps it;
   * audited `workload.paused`), a SCHEDULED or RUNNING one goes back to PENDING with attempt + 1
   * and no worker (audited `workload.requeued` with `reason`). Used by pause and by drain.
   */
  async release(fence: AttemptFence, reason: string): Promise<ReleaseRecord | null> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.lockHeld(manager, fence, `('SCHEDULED', 'RUNNING', 'PAUSING')`);
      if (current === null) return null;
      if (current.status === 'PAUSING') {
        const row = await this.change(manager, fence, `('PAUSING')`, `status = 'PAUSED', worker_id = NULL`, []);
        if (row === null) return null;
        await appendAudit(manager, [this.audit('workload.paused', row, this.previous(row), { reason })]);
        return { kind: 'paused', workload: toWorkload(row) };
      }
      const row = await this.change(
        manager,
        fence,
        `('SCHEDULED', 'RUNNING')`,
        `status = 'PENDING', attempt = w.attempt + 1, worker_id = NULL, not_before = NULL, scheduled_at = NULL,
         pending_reason = NULL`,
        [],
      );
      if (row === null) return null;
      await appendAudit(manager, [this.audit('workload.requeued', row, this.previous(row), { reason })]);
      return { kind: 'requeued', workload: toWorkload(row) };
    });
  }

  /** The workload as stored now (for events after a write that matched nothing), or null. */
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
   * Applies `assignments` (SQL `SET` list; `$4`… are `extra`) to the fenced row when its status is
   * in `statuses`, returning the new row with its previous status, attempt and worker.
   */
  private async change(
    manager: EntityManager,
    fence: AttemptFence,
    statuses: string,
    assignments: string,
    extra: unknown[],
  ): Promise<ChangedRow | null> {
    // The CTE's final SELECT makes TypeORM return plain rows for an UPDATE … RETURNING.
    const rows: ChangedRow[] = await manager.query(
      `WITH prev AS (
         SELECT id, status, attempt, worker_id FROM workloads
          WHERE ${FENCE} AND status IN ${statuses} FOR UPDATE
       ), changed AS (
         UPDATE workloads w SET ${assignments}, updated_at = now()
           FROM prev WHERE w.id = prev.id
         RETURNING ${workloadColumns('w')}, prev.status AS previous_status, prev.attempt AS previous_attempt,
                   prev.worker_id AS previous_worker_id
       ) SELECT * FROM changed`,
      [...fenceParams(fence), ...extra],
    );
    return rows[0] ?? null;
  }

  private previous(row: ChangedRow): ReturnType<typeof auditState> {
    return { status: row.previous_status, attempt: row.previous_attempt, worker_id: row.previous_worker_id };
  }

  private audit(
    action: string,
    row: WorkloadRow,
    before: ReturnType<typeof auditState>,
    details?: Record<string, unknown>,
  ): AuditEventInput {
    return {
      action,
      actorType: 'worker',
      actorId: before.worker_id,
      customerId: row.customer_id,
      workloadId: row.id,
      before,
      after: auditState(row),
      details,
    };
  }
}
