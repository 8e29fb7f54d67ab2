import { Injectable, Logger } from '@nestjs/common';
import { Broker } from '@niyanta/broker';
import {
  createEnvelope,
  MessageType,
  Subjects,
  type AssignmentPayload,
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
   * Publishes one assignment per workload, concurrently, each in a new envelope (a re-send must not
   * be taken for a duplicate of the first). Resolves with how many the broker confirmed.
   */
  async sendAssignments(assignments: readonly AssignmentSource[], generation: number): Promise<number> {
    const results = await Promise.allSettled(
      assignments.map((assignment) => {
        const payload: AssignmentPayload = {
          workload_id: assignment.id,
          customer_id: assignment.customerId,
          workload_type: assignment.workloadType,
          attempt: assignment.attempt,
          input: assignment.input,
          generation,
        };
        return this.broker.publishDurable(
          this.subjects.workerAssign(assignment.workerId),
          createEnvelope(MessageType.Assignment, payload, { correlationId: assignment.id }),
        );
      }),
    );
    let sent = 0;
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') sent++;
      else {
        const assignment = assignments[index] as AssignmentSource;
        this.logger.warn(
          `assignment of workload ${assignment.id} (attempt ${assignment.attempt}) to worker ${assignment.workerId} not sent: ${describe(result.reason)}`,
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
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
