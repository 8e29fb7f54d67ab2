import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Workload } from '@niyanta/models';
import { DataSource, type EntityManager } from 'typeorm';
import { appendAudit, type AuditEventInput } from './audit.repository';
import { leaderFenceCondition, runFenced, type LeaderFence } from './leadership.repository';
import { cancelForOverlap, insertTickWorkload, unfinishedWorkload, type ScheduleOverlap, type TickActor } from './schedule-row';

/** A schedule whose next tick is due, as the leader's firing round reads it. */
export interface DueSchedule {
  id: string;
  customerId: string;
  cron: string;
  timezone: string;
  overlap: ScheduleOverlap;
  nextRunAt: Date;
}

/** The due schedules and the database's clock, which every leader compares ticks with. */
export interface DueScan {
  schedules: DueSchedule[];
  now: Date;
}

/** What happened to one tick. */
export type TickOutcome =
  | { tick: Date; outcome: 'fired'; workload: Workload; cancelled: Workload | null }
  | { tick: Date; outcome: 'already_fired' }
  | { tick: Date; outcome: 'skipped'; reason: 'overlap' | 'unknown_workload_type' };

/** The ticks to fire and the due tick after them, planned from a {@link DueSchedule}. */
export interface TickPlan {
  ticks: Date[];
  nextRunAt: Date | null;
  /** True when older ticks of a long gap were passed over (recorded on the audit event). */
  collapsed: boolean;
  /** The idempotency key of each tick's workload. */
  keyOf(tick: Date): string;
}

/**
 * The leader's writes for schedules: which are due, and firing their ticks. Each fire runs fenced by
 * the leader's generation (a deposed leader writes nothing) and compare-and-sets the schedule's due
 * tick, and each tick's workload is keyed by the tick: a tick creates one workload however many
 * leaders (or retries) reach it.
 */
@Injectable()
export class ScheduleFiringRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Unpaused schedules due by the database clock, oldest due first. */
  async findDue(limit: number): Promise<DueScan> {
    const rows: Array<{ id: string; customer_id: string; cron: string; timezone: string; overlap: ScheduleOverlap; next_run_at: Date; now: Date }> =
      await this.dataSource.query(
        `SELECT id, customer_id, cron, timezone, overlap, next_run_at, now() AS now FROM schedules
          WHERE NOT paused AND next_run_at IS NOT NULL AND next_run_at <= now()
          ORDER BY next_run_at LIMIT $1`,
        [limit],
      );
    const [clock]: Array<{ now: Date }> = rows.length > 0 ? [{ now: (rows[0] as { now: Date }).now }] : await this.dataSource.query(`SELECT now() AS now`);
    return {
      now: (clock as { now: Date }).now,
      schedules: rows.map((row) => ({ id: row.id, customerId: row.customer_id, cron: row.cron, timezone: row.timezone, overlap: row.overlap, nextRunAt: row.next_run_at })),
    };
  }

  /**
   * Fires `plan`'s ticks of `due` under `fence`, in one transaction: each tick obeys the overlap
   * policy, creates its workload (unless its key exists), and the schedule moves to `plan.nextRunAt`.
   * Nothing is written when the schedule changed since it was read (paused, edited, deleted or fired
   * by someone else): its due tick no longer matches.
   * @returns the outcome of each tick, or null when the schedule had changed
   * @throws LeaseLostError when `fence` no longer holds the lease (nothing is written)
   */
  async fire(fence: LeaderFence, due: DueSchedule, plan: TickPlan): Promise<TickOutcome[] | null> {
    return runFenced(this.dataSource, fence, async (manager) => {
      const locked: Array<{ last_workload_id: string | null }> = await manager.query(
        `SELECT last_workload_id FROM schedules WHERE id = $1 AND next_run_at = $2 AND NOT paused FOR UPDATE`,
        [due.id, due.nextRunAt],
      );
      if (locked.length === 0) return null;
      const actor: TickActor = { actorType: 'coordinator', actorId: fence.leaderId };
      let previousId = (locked[0] as { last_workload_id: string | null }).last_workload_id;
      const outcomes: TickOutcome[] = [];
      const audit: AuditEventInput[] = [];
      for (const tick of plan.ticks) {
        const outcome = await this.fireTick(manager, due, tick, plan.keyOf(tick), previousId, actor);
        outcomes.push(outcome);
        if (outcome.outcome === 'fired') previousId = outcome.workload.id;
        audit.push({
          action: outcome.outcome === 'skipped' ? 'schedule.tick_skipped' : 'schedule.fired',
          actorType: 'coordinator',
          actorId: fence.leaderId,
          customerId: due.customerId,
          workloadId: outcome.outcome === 'fired' ? outcome.workload.id : null,
          details: {
            schedule_id: due.id,
            tick: tick.toISOString(),
            generation: fence.generation,
            ...(outcome.outcome === 'skipped' ? { reason: outcome.reason } : {}),
            ...(outcome.outcome === 'already_fired' ? { already_fired: true } : {}),
            ...(plan.collapsed ? { missed_ticks_collapsed: true } : {}),
          },
        });
      }
      const last = plan.ticks[plan.ticks.length - 1] ?? null;
      // Fenced again in the statement itself, as every leader write is.
      await manager.query(
        `UPDATE schedules SET next_run_at = $3, last_tick_at = COALESCE($4, last_tick_at), last_workload_id = $5
          WHERE id = $6 AND ${leaderFenceCondition('$1', '$2')}`,
        [fence.leaderId, fence.generation, plan.nextRunAt, last, previousId, due.id],
      );
      await appendAudit(manager, audit);
      return outcomes;
    });
  }

  private async fireTick(
    manager: EntityManager,
    due: DueSchedule,
    tick: Date,
    key: string,
    previousId: string | null,
    actor: TickActor,
  ): Promise<TickOutcome> {
    const previous = due.overlap === 'allow' ? null : await unfinishedWorkload(manager, previousId);
    // A previous run with this very key is this tick, fired before: a repeat, not an overlap.
    if (previous && previous.idempotencyKey === key) return { tick, outcome: 'already_fired' };
    if (previous && due.overlap === 'skip') return { tick, outcome: 'skipped', reason: 'overlap' };
    const cancelled = previous ? await cancelForOverlap(manager, previous, actor, due.id) : null;
    const workload = await insertTickWorkload(manager, due.id, randomUUID(), key, actor, { schedule_id: due.id, tick: tick.toISOString() });
    if (workload) return { tick, outcome: 'fired', workload, cancelled };
    const [exists]: unknown[] = await manager.query(`SELECT 1 FROM workloads WHERE customer_id = $1 AND idempotency_key = $2`, [due.customerId, key]);
    return exists ? { tick, outcome: 'already_fired' } : { tick, outcome: 'skipped', reason: 'unknown_workload_type' };
  }
}
