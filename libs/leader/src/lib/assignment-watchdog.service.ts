import { Inject, Injectable, Logger } from '@nestjs/common';
import { SchedulingRepository, type UnacknowledgedAssignment } from '@niyanta/state';
import type { LeaderTerm } from './leader-duty';
import { LeaderMessages } from './leader-messages';
import { LeaderMetrics } from './leader-metrics';
import { LEADER_OPTIONS, type ResolvedLeaderOptions } from './leader-options';
import { PeriodicDuty } from './periodic-duty';
import { SchedulerService } from './scheduler.service';

/** Most overdue assignments handled per round; a full round is followed by another at once. */
const BATCH = 1_000;

/**
 * Which overdue assignments to re-send and which to reclaim, given how many re-sends each has had.
 * An assignment `age` ms old is due its k-th re-send once `age >= k * ackTimeout` (k ≤ resends) and is
 * reclaimed once `age >= (resends + 1) * ackTimeout`. Pure, so the schedule is easy to reason about.
 */
export function triageOverdue(
  overdue: readonly UnacknowledgedAssignment[],
  resent: ReadonlyMap<string, number>,
  ackTimeoutMs: number,
  resends: number,
): { resend: Array<{ assignment: UnacknowledgedAssignment; count: number }>; reclaim: UnacknowledgedAssignment[] } {
  const resend: Array<{ assignment: UnacknowledgedAssignment; count: number }> = [];
  const reclaim: UnacknowledgedAssignment[] = [];
  for (const assignment of overdue) {
    if (assignment.ageMs >= ackTimeoutMs * (resends + 1)) {
      reclaim.push(assignment);
      continue;
    }
    const due = Math.min(resends, Math.floor(assignment.ageMs / ackTimeoutMs));
    if ((resent.get(assignmentKey(assignment)) ?? 0) < due) resend.push({ assignment, count: due });
  }
  return { resend, reclaim };
}

/** Identity of one assignment: a workload attempt. */
export function assignmentKey(assignment: { id: string; attempt: number }): string {
  return `${assignment.id}#${assignment.attempt}`;
}

/**
 * Watches assignments the workers have not acknowledged (still SCHEDULED, by the database clock,
 * `assignmentAckTimeoutMs` after scheduling). Each is re-sent (same attempt, new envelope) up to
 * `assignmentResends` times, one ack timeout apart, then reclaimed: PENDING with attempt + 1 and no
 * worker, fenced by the generation, so a late start by the first worker no longer matches.
 */
@Injectable()
export class AssignmentWatchdogService extends PeriodicDuty {
  readonly name = 'assignment-watchdog';
  protected readonly logger = new Logger(AssignmentWatchdogService.name);
  /** Re-sends done per assignment during this term. */
  private readonly resent = new Map<string, number>();

  constructor(
    @Inject(LEADER_OPTIONS) private readonly options: ResolvedLeaderOptions,
    private readonly repository: SchedulingRepository,
    private readonly scheduler: SchedulerService,
    private readonly messages: LeaderMessages,
    private readonly metrics: LeaderMetrics,
  ) {
    super({ baseMs: options.retryBaseDelayMs, maxMs: options.retryMaxDelayMs });
  }

  override async start(term: LeaderTerm): Promise<void> {
    this.resent.clear();
    await super.start(term);
  }

  protected intervalMs(): number {
    return Math.max(50, Math.min(1_000, this.options.assignmentAckTimeoutMs / 2));
  }

  protected async round(term: LeaderTerm): Promise<boolean> {
    const { assignmentAckTimeoutMs: ackTimeout, assignmentResends: resends } = this.options;
    const overdue = await this.repository.findUnacknowledged(ackTimeout, BATCH);
    const current = new Set(overdue.map(assignmentKey));
    for (const key of this.resent.keys()) if (!current.has(key)) this.resent.delete(key);

    const { resend, reclaim } = triageOverdue(overdue, this.resent, ackTimeout, resends);
    if (resend.length > 0) {
      await this.messages.sendAssignments(
        resend.map(({ assignment }) => assignment),
        term.fence.generation,
      );
      for (const { assignment, count } of resend) this.resent.set(assignmentKey(assignment), count);
      this.metrics.assignmentsResent.inc(resend.length);
      this.logger.warn(`re-sent ${resend.length} assignments not started within ${ackTimeout} ms`);
    }
    if (reclaim.length > 0) {
      const changes = await this.repository.reclaimUnacknowledged(
        term.fence,
        reclaim.map((assignment) => ({ id: assignment.id, attempt: assignment.attempt, workerId: assignment.workerId })),
        ackTimeout * (resends + 1),
      );
      for (const assignment of reclaim) this.resent.delete(assignmentKey(assignment));
      if (changes.length > 0) {
        this.metrics.workloadsRecovered.inc({ reason: 'assignment_unacknowledged' }, changes.length);
        this.logger.warn(`reclaimed ${changes.length} assignments never started by their workers`);
        this.scheduler.notify({
          workloadIds: changes.map((change) => change.id),
          workerIds: new Set(changes.map((change) => change.previousWorkerId).filter((id): id is string => id !== null)),
        });
        await this.messages.publishEvents(changes);
      }
    }
    return overdue.length >= BATCH;
  }
}
