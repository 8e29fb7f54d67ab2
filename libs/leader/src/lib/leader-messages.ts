import { Injectable, Logger } from '@nestjs/common';
import { Broker } from '@niyanta/broker';
import {
  createEnvelope,
  MessageType,
  Subjects,
  type AssignmentBatchPayload,
  type ControlPayload,
  type Workload,
  type JsonObject,
  type WorkloadEventPayload,
} from '@niyanta/models';
import type { LeaderWorkloadChange } from '@niyanta/state';

/** What an assignment message needs. */
export interface AssignmentSource {
  id: string;
  customerId: string;
  workloadType: string;
  attempt: number;
  workerId: string;
  input: JsonObject;
  /** About how many bytes `input` takes as JSON (the database says, so the leader never renders it to find out). */
  inputBytes: number;
  /** The customer's tier (null: unknown). */
  tier?: string | null;
  /** W3C `traceparent` of the assignment span when the workload is traced. */
  trace?: string | null;
}

/**
 * The leader's outbound messages: assignments (durable, to the worker's subject) and workload
 * events (to the customer's subject). Both follow committed database changes, so a failed publish
 * is logged and left to the reconcilers (unacknowledged assignments are re-sent; events are
 * notifications only).
 */
@Injectable()
export class LeaderMessages {
  private readonly logger = new Logger(LeaderMessages.name);

  constructor(
    private readonly broker: Broker,
    private readonly subjects: Subjects,
  ) {}

  /**
   * Publishes the assignments as few durable messages as it can: one batch per worker, in chunks of
   * at most {@link MAX_BATCH_ASSIGNMENTS} assignments and about {@link MAX_BATCH_BYTES} of input,
   * each in a new envelope (a re-send must not be taken for a duplicate of the first). Resolves with
   * how many assignments the broker confirmed.
   */
  async sendAssignments(assignments: readonly AssignmentSource[], generation: number): Promise<number> {
    const chunks = chunkByWorker(assignments);
    const results = await Promise.allSettled(
      chunks.map((chunk) => {
        const payload: AssignmentBatchPayload = {
          assignments: chunk.items.map((assignment) => ({
            workload_id: assignment.id,
            customer_id: assignment.customerId,
            workload_type: assignment.workloadType,
            attempt: assignment.attempt,
            input: assignment.input,
            generation,
            ...(assignment.tier ? { tier: assignment.tier } : {}),
            ...(assignment.trace ? { trace: assignment.trace } : {}),
          })),
        };
        return this.broker.publishDurable(
          this.subjects.workerAssign(chunk.workerId),
          createEnvelope(MessageType.AssignmentBatch, payload, { correlationId: chunk.items[0]?.id }),
        );
      }),
    );
    let sent = 0;
    results.forEach((result, index) => {
      const chunk = chunks[index] as AssignmentChunk;
      if (result.status === 'fulfilled') sent += chunk.items.length;
      else {
        this.logger.warn(
          `${chunk.items.length} assignments to worker ${chunk.workerId} not sent (first: workload ${chunk.items[0]?.id}): ${describe(result.reason)}`,
        );
      }
    });
    return sent;
  }

  /** Publishes a workload event per change on its customer's subject (fire-and-forget). */
  async publishEvents(changes: readonly LeaderWorkloadChange[]): Promise<void> {
    const occurredAt = new Date().toISOString();
    const results = await Promise.allSettled(
      changes.map((change) => {
        const payload: WorkloadEventPayload = {
          workload_id: change.id,
          customer_id: change.customerId,
          workload_type: change.workloadType,
          status: change.status,
          attempt: change.attempt,
          progress: change.progress,
          worker_id: change.workerId,
          occurred_at: occurredAt,
        };
        return this.broker.publish(
          this.subjects.customerEvents(change.customerId),
          createEnvelope(MessageType.WorkloadEvent, payload, { correlationId: change.id }),
        );
      }),
    );
    const failed = results.filter((result) => result.status === 'rejected');
    if (failed.length > 0) {
      this.logger.warn(`${failed.length} of ${changes.length} workload events not published: ${describe(failed[0]?.reason)}`);
    }
  }

  /**
   * A schedule fired: the new workload's event, carrying the schedule and the tick, on its
   * customer's subject (what `/v1/stream` shows), fire-and-forget like every event.
   */
  async publishScheduleFire(workload: Workload, scheduleId: string, tick: Date | null): Promise<void> {
    const payload: WorkloadEventPayload = {
      workload_id: workload.id,
      customer_id: workload.customerId,
      workload_type: workload.workloadType,
      status: workload.status,
      attempt: workload.attempt,
      progress: workload.progress,
      worker_id: workload.workerId,
      occurred_at: workload.createdAt.toISOString(),
      schedule_id: scheduleId,
      schedule_tick: tick?.toISOString() ?? null,
    };
    await this.broker
      .publish(this.subjects.customerEvents(workload.customerId), createEnvelope(MessageType.WorkloadEvent, payload, { correlationId: workload.id }))
      .catch((error: unknown) => this.logger.warn(`schedule fire event of workload ${workload.id} not published: ${describe(error)}`));
  }

  /**
   * Tells the worker holding `before` (cancelled by a schedule's `cancel_previous`) to abort it, and
   * publishes its event. Both follow the committed change; the worker's fenced writes cover a loss.
   */
  async publishCancelled(before: Workload, after: Workload): Promise<void> {
    if (before.workerId !== null) {
      const control: ControlPayload = { action: 'cancel', workload_id: before.id, attempt: before.attempt };
      await this.broker
        .publish(this.subjects.workerControl(before.workerId), createEnvelope(MessageType.Control, control, { correlationId: before.id }))
        .catch((error: unknown) => this.logger.warn(`cancel of workload ${before.id} not sent to worker ${before.workerId}: ${describe(error)}`));
    }
    await this.publishEvents([
      {
        id: after.id,
        customerId: after.customerId,
        workloadType: after.workloadType,
        status: after.status,
        attempt: after.attempt,
        progress: after.progress,
        workerId: after.workerId,
        previousStatus: before.status,
        previousAttempt: before.attempt,
        previousWorkerId: before.workerId,
      },
    ]);
  }
}

/** Most assignments in one batch message. */
export const MAX_BATCH_ASSIGNMENTS = 200;
/** A batch is closed once its inputs reach about this size (broker messages are bounded, 1 MiB by default). */
export const MAX_BATCH_BYTES = 256 * 1024;

interface AssignmentChunk {
  workerId: string;
  items: AssignmentSource[];
}

/** Groups assignments by worker, in order, into chunks bounded by count and input size. */
export function chunkByWorker(assignments: readonly AssignmentSource[]): AssignmentChunk[] {
  const open = new Map<string, { chunk: AssignmentChunk; bytes: number }>();
  const chunks: AssignmentChunk[] = [];
  for (const assignment of assignments) {
    const bytes = assignment.inputBytes;
    let current = open.get(assignment.workerId);
    if (current && (current.chunk.items.length >= MAX_BATCH_ASSIGNMENTS || current.bytes + bytes > MAX_BATCH_BYTES)) current = undefined;
    if (!current) {
      current = { chunk: { workerId: assignment.workerId, items: [] }, bytes: 0 };
      open.set(assignment.workerId, current);
      chunks.push(current.chunk);
    }
    current.chunk.items.push(assignment);
    current.bytes += bytes;
  }
  return chunks;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
