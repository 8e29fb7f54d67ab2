import {
  MessageType,
  type AssignmentPayload,
  type ControlPayload,
  type JsonObject,
  type MessageEnvelope,
  type Workload,
  type WorkerDrainPayload,
  type WorkloadEventPayload,
} from '@niyanta/models';
import type { ReleasedWorkload } from '@niyanta/state';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

function isAttempt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

/** The assignment in `message`, or null when it is not a well-formed assignment (it is then dropped). */
export function parseAssignment(message: MessageEnvelope<unknown>): AssignmentPayload | null {
  if (message.type !== MessageType.Assignment || message.version !== 1) return null;
  return parseAssignmentPayload(message.payload);
}

/**
 * The assignments of a single or batch assignment message, each checked on its own (a malformed
 * one is left out, never failing the others); null when the message is neither.
 */
export function parseAssignments(message: MessageEnvelope<unknown>): { assignments: AssignmentPayload[]; malformed: number } | null {
  if (message.version !== 1) return null;
  if (message.type === MessageType.Assignment) {
    const single = parseAssignmentPayload(message.payload);
    return single ? { assignments: [single], malformed: 0 } : { assignments: [], malformed: 1 };
  }
  if (message.type !== MessageType.AssignmentBatch) return null;
  const p = message.payload;
  const items = isRecord(p) && Array.isArray(p['assignments']) ? (p['assignments'] as unknown[]) : null;
  if (items === null) return { assignments: [], malformed: 1 };
  const assignments: AssignmentPayload[] = [];
  for (const item of items) {
    const parsed = parseAssignmentPayload(item);
    if (parsed) assignments.push(parsed);
  }
  return { assignments, malformed: items.length - assignments.length };
}

/** A W3C `traceparent` (version 00): anything else is ignored, not passed to the tracer. */
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

function parseAssignmentPayload(p: unknown): AssignmentPayload | null {
  if (!isRecord(p)) return null;
  // Ids are checked here: one malformed id must not fail a batched start-write of several attempts.
  if (!isUuid(p['workload_id']) || typeof p['workload_type'] !== 'string') return null;
  if (!isUuid(p['customer_id']) || !isAttempt(p['attempt'])) return null;
  return {
    workload_id: p['workload_id'],
    customer_id: p['customer_id'],
    workload_type: p['workload_type'],
    attempt: p['attempt'],
    input: isRecord(p['input']) ? (p['input'] as JsonObject) : {},
    generation: typeof p['generation'] === 'number' ? p['generation'] : 0,
    ...(typeof p['tier'] === 'string' && p['tier'].length <= 64 ? { tier: p['tier'] } : {}),
    ...(typeof p['trace'] === 'string' && TRACEPARENT.test(p['trace']) ? { trace: p['trace'] } : {}),
  };
}

/** The command in `message`, or null when it is not a well-formed control message. */
export function parseControl(message: MessageEnvelope<unknown>): ControlPayload | null {
  if (message.type !== MessageType.Control || message.version !== 1) return null;
  const p = message.payload;
  if (!isRecord(p) || !isUuid(p['workload_id']) || !isAttempt(p['attempt'])) return null;
  if (p['action'] !== 'cancel' && p['action'] !== 'pause' && p['action'] !== 'abort') return null;
  return { action: p['action'], workload_id: p['workload_id'], attempt: p['attempt'] };
}

/** The drain request in `message` when it is one addressed to `workerId`, else null. */
export function parseDrainRequest(message: MessageEnvelope<unknown>, workerId: string): WorkerDrainPayload | null {
  if (message.type !== MessageType.WorkerDrain || message.version !== 1) return null;
  const p = message.payload;
  if (!isRecord(p) || p['worker_id'] !== workerId) return null;
  return { worker_id: workerId, requested_by: typeof p['requested_by'] === 'string' ? p['requested_by'] : 'unknown' };
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

/** The event published on the customer's subject for a workload a re-registering worker handed back. */
export function handedBackEvent(released: ReleasedWorkload): WorkloadEventPayload {
  return {
    workload_id: released.workloadId,
    customer_id: released.customerId,
    workload_type: released.workloadType,
    status: released.status,
    attempt: released.attempt,
    progress: released.progress,
    worker_id: null,
    occurred_at: released.updatedAt.toISOString(),
  };
}
