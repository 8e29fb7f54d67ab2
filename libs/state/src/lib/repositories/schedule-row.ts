import type { EntityManager } from 'typeorm';
import { TERMINAL_STATUSES, type Workload } from '@niyanta/models';
import { statusList } from './status-sql';
import { toWorkload, workloadColumns, type WorkloadRow } from './workload-row.mapper';

/** What a schedule's ticks do when the previous tick's workload has not finished. */
export type ScheduleOverlap = 'skip' | 'allow' | 'cancel_previous';

/**
 * The submit body a schedule creates at every tick (snake_case, as `POST /v1/workloads` takes it),
 * already validated. Defaults the body leaves out (priority, retries, timeout) come from the type's
 * config when the tick fires, as for a direct submission.
 */
export type ScheduledWorkloadBody = {
  workload_type: string;
  input?: Record<string, unknown>;
  priority?: number;
  max_retries?: number;
  affinity?: { required?: Record<string, string>; preferred?: Record<string, string>; anti?: Record<string, string> };
  checkpoint_policy?: { interval_seconds?: number; progress_step?: number };
  region?: string;
  labels?: Record<string, string>;
};

/** A stored schedule. */
export interface Schedule {
  id: string;
  customerId: string;
  name: string;
  cron: string;
  timezone: string;
  workload: ScheduledWorkloadBody;
  overlap: ScheduleOverlap;
  paused: boolean;
  /** The next due tick; null when paused or when the expression never fires again. */
  nextRunAt: Date | null;
  lastTickAt: Date | null;
  lastWorkloadId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScheduleRow {
  id: string;
  customer_id: string;
  name: string;
  cron: string;
  timezone: string;
  workload: ScheduledWorkloadBody;
  overlap: ScheduleOverlap;
  paused: boolean;
  next_run_at: Date | null;
  last_tick_at: Date | null;
  last_workload_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export const SCHEDULE_COLUMNS =
  'id, customer_id, name, cron, timezone, workload, overlap, paused, next_run_at, last_tick_at, last_workload_id, created_at, updated_at';

export function toSchedule(row: ScheduleRow): Schedule {
  return {
    id: row.id,
    customerId: row.customer_id,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    workload: row.workload,
    overlap: row.overlap,
    paused: row.paused,
    nextRunAt: row.next_run_at,
    lastTickAt: row.last_tick_at,
    lastWorkloadId: row.last_workload_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Who creates a tick's workload, for its `workload.submitted` audit event. */
export interface TickActor {
  actorType: 'coordinator' | 'customer';
  actorId: string | null;
  keyId?: string | null;
  requestId?: string | null;
}

const TERMINAL_SQL = statusList(TERMINAL_STATUSES);

/**
 * Inserts the workload of one tick of `scheduleId` under `idempotencyKey`, with its audit event, in
 * `manager`'s transaction. Defaults are resolved as a direct submission resolves them: the type's
 * priority lowered to the tier's ceiling, its retries and timeout. A repeat of the key inserts
 * nothing (exactly one workload per tick).
 * @returns the created workload, or null when the key already exists or the type has no config
 */
export async function insertTickWorkload(
  manager: EntityManager,
  scheduleId: string,
  workloadId: string,
  idempotencyKey: string,
  actor: TickActor,
  details: Record<string, unknown>,
): Promise<Workload | null> {
  const rows: WorkloadRow[] = await manager.query(
    `WITH inserted AS (
       INSERT INTO workloads (id, customer_id, workload_type, status, priority, input, affinity, labels, region,
                              max_retries, idempotency_key, timeout_seconds, checkpoint_policy, schedule_id)
       SELECT $2::uuid, s.customer_id, c.workload_type, 'PENDING',
              COALESCE((s.workload->>'priority')::int, LEAST(c.default_priority, t.max_priority)),
              COALESCE(s.workload->'input', '{}'::jsonb),
              jsonb_build_object('required', COALESCE(s.workload->'affinity'->'required', '{}'::jsonb),
                                 'preferred', COALESCE(s.workload->'affinity'->'preferred', '{}'::jsonb),
                                 'anti', COALESCE(s.workload->'affinity'->'anti', '{}'::jsonb)),
              COALESCE(s.workload->'labels', '{}'::jsonb),
              s.workload->>'region',
              COALESCE((s.workload->>'max_retries')::int, c.max_retries),
              $3, c.timeout_seconds,
              NULLIF(jsonb_strip_nulls(jsonb_build_object(
                'intervalSeconds', s.workload->'checkpoint_policy'->'interval_seconds',
                'progressStep', s.workload->'checkpoint_policy'->'progress_step')), '{}'::jsonb),
              s.id
         FROM schedules s
         JOIN workload_configs c ON c.workload_type = s.workload->>'workload_type'
         JOIN customers cu ON cu.id = s.customer_id
         JOIN tiers t ON t.name = cu.tier
        WHERE s.id = $1
       ON CONFLICT (customer_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING ${workloadColumns()}
     ),
     audited AS (
       INSERT INTO audit_events (customer_id, workload_id, actor_type, actor_id, key_id, action, after, request_id, details)
       SELECT w.customer_id, w.id, $4, $5, $6::uuid, 'workload.submitted',
              jsonb_build_object('status', w.status, 'attempt', w.attempt, 'worker_id', w.worker_id), $7, $8::jsonb
         FROM inserted w
     )
     SELECT * FROM inserted`,
    [scheduleId, workloadId, idempotencyKey, actor.actorType, actor.actorId, actor.keyId ?? null, actor.requestId ?? null, JSON.stringify(details)],
  );
  return rows[0] ? toWorkload(rows[0]) : null;
}

/** The workload `id` when it has not finished (any status but COMPLETED, FAILED, CANCELLED). */
export async function unfinishedWorkload(manager: EntityManager, id: string | null): Promise<Workload | null> {
  if (id === null) return null;
  const rows: WorkloadRow[] = await manager.query(
    `SELECT ${workloadColumns()} FROM workloads WHERE id = $1 AND status NOT IN (${TERMINAL_SQL}) FOR UPDATE`,
    [id],
  );
  return rows[0] ? toWorkload(rows[0]) : null;
}

/** Cancels an unfinished workload (the `cancel_previous` overlap policy) with its audit event. */
export async function cancelForOverlap(manager: EntityManager, previous: Workload, actor: TickActor, scheduleId: string): Promise<Workload> {
  const rows: WorkloadRow[] = await manager.query(
    `WITH updated AS (
       UPDATE workloads SET status = 'CANCELLED', completed_at = now(), pending_reason = NULL, updated_at = now()
        WHERE id = $1 AND status NOT IN (${TERMINAL_SQL})
       RETURNING ${workloadColumns()}
     ),
     audited AS (
       INSERT INTO audit_events (customer_id, workload_id, actor_type, actor_id, key_id, action, before, after, request_id, details)
       SELECT u.customer_id, u.id, $2, $3, $4::uuid, 'workload.cancelled',
              $5::jsonb, jsonb_build_object('status', u.status, 'attempt', u.attempt, 'worker_id', u.worker_id), $6,
              jsonb_build_object('reason', 'schedule_overlap', 'schedule_id', $7::text)
         FROM updated u
     )
     SELECT * FROM updated`,
    [
      previous.id,
      actor.actorType,
      actor.actorId,
      actor.keyId ?? null,
      JSON.stringify({ status: previous.status, attempt: previous.attempt, worker_id: previous.workerId }),
      actor.requestId ?? null,
      scheduleId,
    ],
  );
  return rows[0] ? toWorkload(rows[0]) : previous;
}
