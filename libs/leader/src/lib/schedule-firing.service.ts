import { Inject, Injectable, Logger } from '@nestjs/common';
import { planFires, tickIdempotencyKey } from '@niyanta/schedules';
import { ScheduleFiringRepository, type DueSchedule } from '@niyanta/state';
import type { LeaderTerm } from './leader-duty';
import { LeaderMessages } from './leader-messages';
import { LEADER_OPTIONS, type ResolvedLeaderOptions } from './leader-options';
import { PeriodicDuty } from './periodic-duty';
import { SchedulerService } from './scheduler.service';

/** Most ticks of one schedule fired in one transaction (a long catch-up continues next round). */
const MAX_TICKS_PER_FIRE = 100;

/**
 * The leader fires cron schedules (SPEC §8). Every `scheduleIntervalMs` it reads the due schedules
 * (by the database clock) and fires each in a transaction fenced by the leader's generation: the
 * tick's workload is inserted under the tick's idempotency key and the schedule's due tick moves on
 * only if it is still the one read. So a tick creates exactly one workload, also when a deposed
 * leader and its successor both reach it, and a leader that lost its lease writes nothing.
 * Ticks of a short gap (a failover) are fired one by one; a gap longer than `scheduleCatchUpMs`
 * (downtime) fires only its latest tick.
 */
@Injectable()
export class ScheduleFiringService extends PeriodicDuty {
  readonly name = 'schedule-firing';
  protected readonly logger = new Logger(ScheduleFiringService.name);

  constructor(
    @Inject(LEADER_OPTIONS) private readonly options: ResolvedLeaderOptions,
    private readonly repository: ScheduleFiringRepository,
    private readonly messages: LeaderMessages,
    private readonly scheduler: SchedulerService,
  ) {
    super({ baseMs: options.retryBaseDelayMs, maxMs: options.retryMaxDelayMs });
  }

  protected intervalMs(): number {
    return this.options.scheduleIntervalMs;
  }

  protected async round(term: LeaderTerm): Promise<boolean> {
    const { schedules, now } = await this.repository.findDue(this.options.scheduleBatchSize);
    let more = schedules.length >= this.options.scheduleBatchSize;
    for (const due of schedules) {
      if (term.signal.aborted) return false;
      if (await this.fire(term, due, now)) more = true;
    }
    return more;
  }

  /** Fires the due ticks of one schedule; true when it still has due ticks (a capped catch-up). */
  private async fire(term: LeaderTerm, due: DueSchedule, now: Date): Promise<boolean> {
    const spec = { cron: due.cron, timezone: due.timezone };
    let plan;
    try {
      plan = planFires(spec, due.nextRunAt, now, { catchUpMs: this.options.scheduleCatchUpMs, maxTicks: MAX_TICKS_PER_FIRE });
    } catch (error: unknown) {
      // Validated on write; a stored expression the library refuses later must not stop the others.
      this.logger.error(`schedule ${due.id} cannot be planned (${due.cron} in ${due.timezone}): ${String(error)}`);
      return false;
    }
    const outcomes = await this.repository.fire(term.fence, due, { ...plan, keyOf: (tick) => tickIdempotencyKey(due.id, tick) });
    if (outcomes === null) return false;
    const created: string[] = [];
    for (const outcome of outcomes) {
      if (outcome.outcome !== 'fired') continue;
      created.push(outcome.workload.id);
      if (outcome.cancelled) void this.messages.publishCancelled(outcome.cancelled, { ...outcome.cancelled, status: 'CANCELLED' });
      void this.messages.publishScheduleFire(outcome.workload, due.id, outcome.tick);
    }
    if (created.length > 0) this.scheduler.notify({ workloadIds: created });
    return plan.nextRunAt !== null && plan.nextRunAt.getTime() <= now.getTime();
  }
}
