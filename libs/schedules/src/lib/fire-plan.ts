import { latestTickAtOrBefore, nextTick, ticksBetween, type CronSpec } from './cron';

/** Which ticks of a due schedule to fire now, and when it is due next. */
export interface FirePlan {
  /** Ticks to fire, oldest first (each is the idempotency key of its workload). */
  ticks: Date[];
  /** The schedule's next due tick after these, or null when the expression never fires again. */
  nextRunAt: Date | null;
  /** Ticks passed over because they were older than the catch-up horizon. */
  collapsed: boolean;
}

export interface FirePlanOptions {
  /**
   * Ticks at most this old are fired one by one (a leader failover of a few seconds loses no tick);
   * a gap longer than this (downtime) fires only its latest tick, once.
   */
  catchUpMs: number;
  /** Most ticks fired for one schedule in one round; the rest are fired by the next round. */
  maxTicks: number;
}

/**
 * Plans the fires of a schedule whose stored due tick is `dueAt`, at time `now`.
 * - `dueAt` in the future: nothing.
 * - `dueAt` within the catch-up horizon: every tick from `dueAt` up to `now` (bounded by `maxTicks`).
 * - older: only the latest tick at or before `now`; the ones before it are not fired at all.
 */
export function planFires(spec: CronSpec, dueAt: Date, now: Date, options: FirePlanOptions): FirePlan {
  if (dueAt.getTime() > now.getTime()) return { ticks: [], nextRunAt: dueAt, collapsed: false };
  if (now.getTime() - dueAt.getTime() <= options.catchUpMs) {
    const ticks = [dueAt, ...ticksBetween(spec, dueAt, now, Math.max(0, options.maxTicks - 1))];
    const last = ticks[ticks.length - 1] as Date;
    return { ticks, nextRunAt: nextTick(spec, last), collapsed: false };
  }
  const latest = latestTickAtOrBefore(spec, new Date(dueAt.getTime() - 1), now) ?? dueAt;
  return { ticks: [latest], nextRunAt: nextTick(spec, latest), collapsed: latest.getTime() !== dueAt.getTime() };
}

/** The idempotency key of the workload a tick creates: the schedule and the tick's instant. */
export function tickIdempotencyKey(scheduleId: string, tick: Date): string {
  return `schedule:${scheduleId}:${tick.toISOString()}`;
}
