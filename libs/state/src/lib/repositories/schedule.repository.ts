import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, type Workload, type WorkloadStatus } from '@niyanta/models';
import { DataSource, type EntityManager } from 'typeorm';
import { appendAudit, type AuditActor } from './audit.repository';
import {
  cancelForOverlap,
  insertTickWorkload,
  SCHEDULE_COLUMNS,
  toSchedule,
  unfinishedWorkload,
  type Schedule,
  type ScheduleOverlap,
  type ScheduledWorkloadBody,
  type ScheduleRow,
} from './schedule-row';
import { toWorkload, workloadColumns, type WorkloadRow } from './workload-row.mapper';

/** A schedule to create; `nextRunAt` is computed by the caller from the expression. */
export interface NewSchedule {
  customerId: string;
  name: string;
  cron: string;
  timezone: string;
  workload: ScheduledWorkloadBody;
  overlap: ScheduleOverlap;
  paused: boolean;
  nextRunAt: Date | null;
}

/** Fields a change may set; absent ones keep their value. */
export type ScheduleChange = Partial<Pick<Schedule, 'name' | 'cron' | 'timezone' | 'workload' | 'overlap' | 'paused' | 'nextRunAt'>>;

/** One recent run of a schedule, as `GET /v1/schedules/{id}` lists them. */
export interface ScheduleRun {
  workloadId: string;
  status: WorkloadStatus;
  idempotencyKey: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

/** What a manual trigger did. */
export interface TriggerResult {
  workload: Workload;
  /** The previous run, cancelled by the `cancel_previous` policy. */
  cancelled: Workload | null;
}

const UNIQUE_VIOLATION = '23505';

/** Schedules of customers: create, read, change and delete them, each change with its audit event. */
@Injectable()
export class ScheduleRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Creates a schedule unless the customer already keeps its tier's `max_schedules`. A per-customer
   * transaction lock serialises concurrent creates, so the limit holds across API replicas.
   * @throws DomainError `quota_exceeded` at the limit, `conflict` when the name is taken
   */
  async create(schedule: NewSchedule, actor: AuditActor): Promise<Schedule> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('schedules:' || $1::text, 0))`, [schedule.customerId]);
        const [usage]: Array<{ count: number; limit: number }> = await manager.query(
          `SELECT (SELECT count(*)::int FROM schedules WHERE customer_id = $1) AS count, t.max_schedules AS limit
             FROM customers c JOIN tiers t ON t.name = c.tier WHERE c.id = $1`,
          [schedule.customerId],
        );
        if (usage && usage.count >= usage.limit) {
          throw new DomainError(ErrorCode.QuotaExceeded, `this customer's tier allows ${usage.limit} schedules; delete one first`);
        }
        const rows: ScheduleRow[] = await manager.query(
          `INSERT INTO schedules (id, customer_id, name, cron, timezone, workload, overlap, paused, next_run_at)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9) RETURNING ${SCHEDULE_COLUMNS}`,
          [randomUUID(), schedule.customerId, schedule.name, schedule.cron, schedule.timezone, JSON.stringify(schedule.workload), schedule.overlap, schedule.paused, schedule.nextRunAt],
        );
        const created = toSchedule(rows[0] as ScheduleRow);
        await appendAudit(manager, [{ action: 'schedule.created', ...actor, customerId: schedule.customerId, after: auditShape(created), details: { schedule_id: created.id } }]);
        return created;
      });
    } catch (error: unknown) {
      if (isUniqueViolation(error)) throw new DomainError(ErrorCode.Conflict, `a schedule named "${schedule.name}" already exists`, [{ path: 'name', message: 'is taken' }]);
      throw error;
    }
  }

  /** The customer's schedule `id`, or null (another customer's is null too). */
  async find(customerId: string, id: string): Promise<Schedule | null> {
    const rows: ScheduleRow[] = await this.dataSource.query(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE id = $1 AND customer_id = $2`, [id, customerId]);
    return rows[0] ? toSchedule(rows[0]) : null;
  }

  /**
   * The customer's schedules, newest first, after the schedule `afterId` (the previous page's last
   * item; its exact stored position is read in SQL, so no timestamp precision is lost in a cursor).
   */
  async list(customerId: string, limit: number, afterId: string | null): Promise<Schedule[]> {
    const rows: ScheduleRow[] = await this.dataSource.query(
      `SELECT ${SCHEDULE_COLUMNS} FROM schedules
        WHERE customer_id = $1
          AND ($2::uuid IS NULL OR (created_at, id) < (SELECT created_at, id FROM schedules WHERE id = $2::uuid AND customer_id = $1))
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [customerId, afterId, limit],
    );
    return rows.map(toSchedule);
  }

  /** The latest runs of a schedule, newest first (the partial index on `schedule_id`). */
  async lastRuns(scheduleId: string, limit: number): Promise<ScheduleRun[]> {
    const rows: Array<{ id: string; status: WorkloadStatus; idempotency_key: string | null; created_at: Date; completed_at: Date | null }> =
      await this.dataSource.query(
        `SELECT id, status, idempotency_key, created_at, completed_at FROM workloads
          WHERE schedule_id = $1 ORDER BY created_at DESC LIMIT $2`,
        [scheduleId, limit],
      );
    return rows.map((row) => ({ workloadId: row.id, status: row.status, idempotencyKey: row.idempotency_key, createdAt: row.created_at, completedAt: row.completed_at }));
  }

  /**
   * Changes the customer's schedule: `change` sees the locked row and returns the fields to set (or
   * throws to refuse, writing nothing). Recorded as `action` with before and after.
   * @returns the schedule after the change, or null when there is no such schedule
   * @throws DomainError `conflict` when a new name is taken
   */
  async update(customerId: string, id: string, action: string, change: (current: Schedule) => ScheduleChange, actor: AuditActor): Promise<Schedule | null> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const current = await lockSchedule(manager, customerId, id);
        if (!current) return null;
        const next = { ...current, ...change(current) };
        const rows: ScheduleRow[] = await manager.query(
          // Wrapped in a CTE: TypeORM answers a bare UPDATE ... RETURNING with [rows, count].
          `WITH updated AS (
             UPDATE schedules SET name = $3, cron = $4, timezone = $5, workload = $6::jsonb, overlap = $7, paused = $8,
                    next_run_at = $9, updated_at = now()
              WHERE id = $1 AND customer_id = $2 RETURNING ${SCHEDULE_COLUMNS})
           SELECT * FROM updated`,
          [id, customerId, next.name, next.cron, next.timezone, JSON.stringify(next.workload), next.overlap, next.paused, next.nextRunAt],
        );
        const updated = toSchedule(rows[0] as ScheduleRow);
        await appendAudit(manager, [{ action, ...actor, customerId, before: auditShape(current), after: auditShape(updated), details: { schedule_id: id } }]);
        return updated;
      });
    } catch (error: unknown) {
      if (isUniqueViolation(error)) throw new DomainError(ErrorCode.Conflict, 'another schedule has that name', [{ path: 'name', message: 'is taken' }]);
      throw error;
    }
  }

  /** Deletes the customer's schedule; its workloads stay (with their `schedule_id`). @returns false when absent */
  async delete(customerId: string, id: string, actor: AuditActor): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const current = await lockSchedule(manager, customerId, id);
      if (!current) return false;
      await manager.query(`DELETE FROM schedules WHERE id = $1`, [id]);
      await appendAudit(manager, [{ action: 'schedule.deleted', ...actor, customerId, before: auditShape(current), details: { schedule_id: id } }]);
      return true;
    });
  }

  /**
   * Runs the schedule now, outside its ticks: one workload keyed by this trigger (a retried request
   * with the same `requestKey` creates nothing more). `cancel_previous` cancels an unfinished previous
   * run first; `skip` and `allow` do not hold back an explicit trigger.
   * @returns null when there is no such schedule
   * @throws DomainError `unknown_workload_type` when the workload's type has no config any more
   */
  async trigger(customerId: string, id: string, requestKey: string, actor: AuditActor): Promise<TriggerResult | null> {
    return this.dataSource.transaction(async (manager) => {
      const schedule = await lockSchedule(manager, customerId, id);
      if (!schedule) return null;
      let cancelled: Workload | null = null;
      if (schedule.overlap === 'cancel_previous') {
        const previous = await unfinishedWorkload(manager, schedule.lastWorkloadId);
        if (previous) cancelled = await cancelForOverlap(manager, previous, { ...actor, actorType: 'customer' }, id);
      }
      const key = `schedule:${id}:trigger:${requestKey}`;
      const workload =
        (await insertTickWorkload(manager, id, randomUUID(), key, { ...actor, actorType: 'customer' }, { schedule_id: id, trigger: true })) ??
        (await existingByKey(manager, customerId, key));
      if (!workload) {
        throw new DomainError(ErrorCode.UnknownWorkloadType, `workload type "${schedule.workload.workload_type}" is not registered`);
      }
      await manager.query(`UPDATE schedules SET last_workload_id = $2 WHERE id = $1`, [id, workload.id]);
      await appendAudit(manager, [{ action: 'schedule.triggered', ...actor, customerId, workloadId: workload.id, details: { schedule_id: id } }]);
      return { workload, cancelled };
    });
  }
}

async function lockSchedule(manager: EntityManager, customerId: string, id: string): Promise<Schedule | null> {
  const rows: ScheduleRow[] = await manager.query(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE id = $1 AND customer_id = $2 FOR UPDATE`, [id, customerId]);
  return rows[0] ? toSchedule(rows[0]) : null;
}

async function existingByKey(manager: EntityManager, customerId: string, key: string): Promise<Workload | null> {
  const rows: WorkloadRow[] = await manager.query(`SELECT ${workloadColumns()} FROM workloads WHERE customer_id = $1 AND idempotency_key = $2`, [customerId, key]);
  return rows[0] ? toWorkload(rows[0]) : null;
}

/** The fields an audit event records of a schedule. */
function auditShape(schedule: Schedule): Record<string, unknown> {
  return {
    name: schedule.name,
    cron: schedule.cron,
    timezone: schedule.timezone,
    overlap: schedule.overlap,
    paused: schedule.paused,
    workload_type: schedule.workload.workload_type,
    next_run_at: schedule.nextRunAt?.toISOString() ?? null,
  };
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown; driverError?: { code?: unknown } }).driverError?.code ?? (error as { code?: unknown }).code;
  return code === UNIQUE_VIOLATION;
}
