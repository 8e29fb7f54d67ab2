import { Injectable, Logger } from '@nestjs/common';
import { Broker } from '@niyanta/broker';
import {
  createEnvelope,
  isActive,
  MessageType,
  Subjects,
  type ControlPayload,
  type LeaderWakePayload,
  type MessageEnvelope,
  type Workload,
  type WorkloadEventPayload,
} from '@niyanta/models';

/** A command's effect on one workload, as the notifier needs it. */
export interface AppliedChange {
  before: Workload;
  workload: Workload;
}

/**
 * Tells the rest of the system about committed changes: wakes the leader, commands workers, and
 * publishes workload events on the customer's subject. Called after the transaction commits; a
 * failed publish is logged and never fails the request (PostgreSQL holds the truth and the leader's
 * sweep and the workers' fenced writes reconcile whatever a lost message leaves behind).
 */
@Injectable()
export class WorkloadNotifier {
  private readonly logger = new Logger(WorkloadNotifier.name);
  /** Submitted workloads whose leader wake goes out at the end of this event-loop turn. */
  private pendingWake: { ids: string[]; correlationId?: string } | null = null;

  constructor(
    private readonly broker: Broker,
    private readonly subjects: Subjects,
  ) {}

  /**
   * New workloads are schedulable: one event each, and one leader wake for every workload submitted
   * in this turn of the event loop (concurrent requests committed by one grouped statement resolve
   * together), not one per request. The wake keeps the first request's correlation id.
   */
  submitted(workloads: readonly Workload[], correlationId?: string): void {
    if (workloads.length === 0) return;
    if (this.pendingWake === null) {
      const wake: { ids: string[]; correlationId?: string } = { ids: [], correlationId };
      this.pendingWake = wake;
      setImmediate(() => {
        this.pendingWake = null;
        this.wakeLeader({ reason: 'submitted', workload_ids: wake.ids }, wake.correlationId);
      });
    }
    for (const workload of workloads) this.pendingWake.ids.push(workload.id);
    for (const workload of workloads) this.event(workload, correlationId);
  }

  /**
   * Cancel, pause and resume: a worker holding the workload gets a control message (abort, or
   * checkpoint and stop); a workload back in PENDING wakes the leader; a slot freed without the
   * worker's involvement (a SCHEDULED workload cancelled or paused) wakes it too.
   */
  changed(command: 'cancel' | 'pause' | 'resume', changes: readonly AppliedChange[], correlationId?: string): void {
    const requeued: string[] = [];
    const freedWorkers = new Set<string>();
    for (const { before, workload } of changes) {
      if (command !== 'resume' && before.workerId !== null && isActive(before.status)) {
        const control: ControlPayload = { action: command, workload_id: workload.id, attempt: before.attempt };
        this.publish(this.subjects.workerControl(before.workerId), createEnvelope(MessageType.Control, control, { correlationId }));
        if (before.status === 'SCHEDULED') freedWorkers.add(before.workerId);
      }
      if (command === 'resume') requeued.push(workload.id);
      this.event(workload, correlationId);
    }
    if (requeued.length > 0) this.wakeLeader({ reason: 'resumed', workload_ids: requeued }, correlationId);
    // A cancelled workload with dependents: the leader cancels them (SPEC §8). Nothing for the others.
    const parents = command === 'cancel' ? changes.filter((change) => change.workload.hasDependents === true) : [];
    if (parents.length > 0) {
      this.wakeLeader({ reason: 'parents_ended', parents_done: parents.map((change) => change.workload.id) }, correlationId);
    }
    for (const workerId of freedWorkers) this.wakeLeader({ reason: 'slot_freed', worker_id: workerId }, correlationId);
  }

  private wakeLeader(payload: LeaderWakePayload, correlationId?: string): void {
    this.publish(this.subjects.leaderWake(), createEnvelope(MessageType.LeaderWake, payload, { correlationId }));
  }

  private event(workload: Workload, correlationId?: string): void {
    const payload: WorkloadEventPayload = {
      workload_id: workload.id,
      customer_id: workload.customerId,
      workload_type: workload.workloadType,
      status: workload.status,
      attempt: workload.attempt,
      progress: workload.progress,
      worker_id: workload.workerId,
      occurred_at: workload.updatedAt.toISOString(),
    };
    this.publish(
      this.subjects.customerEvents(workload.customerId),
      createEnvelope(MessageType.WorkloadEvent, payload, { correlationId }),
    );
  }

  private publish<T>(subject: string, message: MessageEnvelope<T>): void {
    // Not awaited: the request has committed and answers without waiting for the broker.
    Promise.resolve()
      .then(() => this.broker.publish(subject, message))
      .catch((error: unknown) =>
        this.logger.warn(`publishing ${message.type} on ${subject} failed: ${error instanceof Error ? error.message : String(error)}`),
      );
  }
}
