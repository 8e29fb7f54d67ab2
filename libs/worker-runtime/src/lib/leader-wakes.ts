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
  private freedCorrelationId: string | undefined;
  private freedWakeScheduled = false;

  constructor(
    private readonly broker: Broker,
    private readonly subjects: Subjects,
    private readonly workerId: string,
  ) {}

  /** An attempt ended and freed its slot; `requeuedId` is its workload when it went back to the queue. */
  slotFreed(requeuedId: string | null, correlationId: string): void {
    if (requeuedId !== null) this.freedRequeued.push(requeuedId);
    this.freedCorrelationId ??= correlationId;
    if (this.freedWakeScheduled) return;
    this.freedWakeScheduled = true;
    setImmediate(() => {
      const ids = this.freedRequeued;
      const correlation = this.freedCorrelationId;
      this.freedRequeued = [];
      this.freedCorrelationId = undefined;
      this.freedWakeScheduled = false;
      this.wake({ reason: 'slot_freed', worker_id: this.workerId, workload_ids: ids.length > 0 ? ids : undefined }, correlation);
    });
  }

  /** Publishes one wake-up now; a failed publish is logged, not thrown. */
  wake(payload: LeaderWakePayload, correlationId?: string): void {
    const clean: LeaderWakePayload = { reason: payload.reason, worker_id: payload.worker_id };
    if (payload.workload_ids !== undefined) clean.workload_ids = payload.workload_ids;
    const envelope = createEnvelope(MessageType.LeaderWake, clean, { correlationId });
    this.broker.publish(this.subjects.leaderWake(), envelope).catch((error: unknown) => {
      this.logger.warn(`waking the leader failed: ${String(error)}`);
    });
  }
}
