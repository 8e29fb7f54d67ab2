import {
  MessageType,
  type AssignmentPayload,
  type ControlPayload,
  type JsonObject,
  type MessageEnvelope,
  type Workload,
  type WorkloadEventPayload,
} from '@niyanta/models';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAttempt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

/** The assignment in `message`, or null when it is not a well-formed assignment (it is then dropped). */
export function parseAssignment(message: MessageEnvelope<unknown>): AssignmentPayload | null {
  if (message.type !== MessageType.Assignment || message.version !== 1) return null;
  const p = message.payload;
  if (!isRecord(p)) return null;
  if (typeof p['workload_id'] !== 'string' || typeof p['workload_type'] !== 'string') return null;
  if (typeof p['customer_id'] !== 'string' || !isAttempt(p['attempt'])) return null;
  return {
    workload_id: p['workload_id'],
    customer_id: p['customer_id'],
    workload_type: p['workload_type'],
    attempt: p['attempt'],
    input: isRecord(p['input']) ? (p['input'] as JsonObject) : {},
    generation: typeof p['generation'] === 'number' ? p['generation'] : 0,
  };
}

/** The command in `message`, or null when it is not a well-formed control message. */
export function parseControl(message: MessageEnvelope<unknown>): ControlPayload | null {
  if (message.type !== MessageType.Control || message.version !== 1) return null;
  const p = message.payload;
  if (!isRecord(p) || typeof p['workload_id'] !== 'string' || !isAttempt(p['attempt'])) return null;
  if (p['action'] !== 'cancel' && p['action'] !== 'pause') return null;
  return { action: p['action'], workload_id: p['workload_id'], attempt: p['attempt'] };
}

/** The event published on the customer's subject after the worker changed `workload`. */
export function workloadEvent(workload: Workload): WorkloadEventPayload {
  const event: WorkloadEventPayload = {
    workload_id: workload.id,
    customer_id: workload.customerId,
    workload_type: workload.workloadType,
    status: workload.status,
    attempt: workload.attempt,
    progress: workload.progress,
    worker_id: workload.workerId,
    occurred_at: workload.updatedAt.toISOString(),
  };
  if (workload.status === 'COMPLETED') event.output = workload.output;
  if (workload.error !== null) event.error = workload.error;
  return event;
}
