import { Logger } from '@nestjs/common';
import type { Broker } from '@niyanta/broker';
import { createEnvelope, MessageType, type LeaderWakePayload, type Subjects } from '@niyanta/models';

/**
 * The worker's `leader.wake` messages. Freed slots are announced once per turn of the event loop:
 * completions are written in shared statements, so hundreds of attempts end in the same turn, and
 * one message naming the worker (and every requeued workload) tells the leader all it needs — one
 * wake per attempt cost the worker, NATS and the leader a message each for nothing.
 */
export class LeaderWakes {
  private readonly logger = new Logger('ExecutionEngine');
  /** Freed slots not yet announced to the leader (see `slotFreed`). */
  private freedRequeued: string[] = [];
  /** Ended workloads with dependents not yet announced to the leader (it releases or cancels those). */
  private freedParents: string[] = [];
  private freedCorrelationId: string | undefined;
  private freedWakeScheduled = false;

  constructor(
    private readonly broker: Broker,
    private readonly subjects: Subjects,
    private readonly workerId: string,
  ) {}

  /**
   * An attempt ended and freed its slot; `requeuedId` is its workload when it went back to the queue,
   * `endedParentId` when it ended for good and has dependents (SPEC §8).
   */
  slotFreed(requeuedId: string | null, correlationId: string, endedParentId: string | null = null): void {
    if (requeuedId !== null) this.freedRequeued.push(requeuedId);
    if (endedParentId !== null) this.freedParents.push(endedParentId);
    this.freedCorrelationId ??= correlationId;
    if (this.freedWakeScheduled) return;
    this.freedWakeScheduled = true;
    setImmediate(() => {
      const ids = this.freedRequeued;
      const parents = this.freedParents;
      const correlation = this.freedCorrelationId;
      this.freedRequeued = [];
      this.freedParents = [];
      this.freedCorrelationId = undefined;
      this.freedWakeScheduled = false;
      this.wake(
        {
          reason: 'slot_freed',
          worker_id: this.workerId,
          workload_ids: ids.length > 0 ? ids : undefined,
          parents_done: parents.length > 0 ? parents : undefined,
        },
        correlation,
      );
    });
  }

  /** Publishes one wake-up now; a failed publish is logged, not thrown. */
  wake(payload: LeaderWakePayload, correlationId?: string): void {
    const clean: LeaderWakePayload = { reason: payload.reason, worker_id: payload.worker_id };
    if (payload.workload_ids !== undefined) clean.workload_ids = payload.workload_ids;
    if (payload.parents_done !== undefined) clean.parents_done = payload.parents_done;
    const envelope = createEnvelope(MessageType.LeaderWake, clean, { correlationId });
    this.broker.publish(this.subjects.leaderWake(), envelope).catch((error: unknown) => {
      this.logger.warn(`waking the leader failed: ${String(error)}`);
    });
  }
}
