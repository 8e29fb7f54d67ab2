import type { AuditEvent } from '@niyanta/state';
import { shownPendingReason, type CheckpointInfo, type Workload } from '@niyanta/models';
import type { CheckpointDto } from './dto/checkpoint.dto';
import type { WorkloadEventDto } from './dto/workload-event.dto';
import type { WorkloadDto, WorkloadListItemDto } from './dto/workload.dto';

/** RFC 3339 UTC, or null. */
export function isoOrNull(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/** The wire shape of a workload: exactly the SPEC §2 fields plus `pending_reason` and `failure_count`. */
export function toWorkloadDto(workload: Workload): WorkloadDto {
  return {
    id: workload.id,
    customer_id: workload.customerId,
    workload_type: workload.workloadType,
    status: workload.status,
    priority: workload.priority,
    input: workload.input,
    output: workload.output,
    error: workload.error,
    progress: workload.progress,
    progress_message: workload.progressMessage,
    affinity: {
      required: workload.affinity.required,
      preferred: workload.affinity.preferred,
      anti: workload.affinity.anti,
    },
    region: workload.region,
    max_retries: workload.maxRetries,
    attempt: workload.attempt,
    failure_count: workload.failureCount,
    worker_id: workload.workerId,
    idempotency_key: workload.idempotencyKey,
    schedule_id: workload.scheduleId,
    labels: workload.labels,
    pending_reason: shownPendingReason(workload.status, workload.pendingReason),
    last_checkpoint: workload.lastCheckpoint
      ? {
          sequence: workload.lastCheckpoint.sequence,
          size_bytes: workload.lastCheckpoint.sizeBytes,
          created_at: workload.lastCheckpoint.createdAt.toISOString(),
        }
      : null,
    created_at: workload.createdAt.toISOString(),
    scheduled_at: isoOrNull(workload.scheduledAt),
    started_at: isoOrNull(workload.startedAt),
    completed_at: isoOrNull(workload.completedAt),
    updated_at: workload.updatedAt.toISOString(),
  };
}

/** A listed workload: without `input`/`output` unless `columns` asks for them. */
export function toListItemDto(workload: Workload, columns: { input: boolean; output: boolean }): WorkloadListItemDto {
  const { input, output, ...rest } = toWorkloadDto(workload);
  return { ...rest, ...(columns.input ? { input } : {}), ...(columns.output ? { output } : {}) };
}

export function toCheckpointDto(checkpoint: CheckpointInfo): CheckpointDto {
  return {
    id: checkpoint.id,
    sequence: checkpoint.sequence,
    attempt: checkpoint.attempt,
    size_bytes: checkpoint.sizeBytes,
    stored_bytes: checkpoint.storedBytes,
    codec: checkpoint.codec,
    storage: checkpoint.storage,
    created_at: checkpoint.createdAt.toISOString(),
  };
}

export function toWorkloadEventDto(event: AuditEvent): WorkloadEventDto {
  return {
    id: event.id,
    action: event.action,
    occurred_at: event.occurredAt.toISOString(),
    actor_type: event.actorType,
    actor_id: event.actorId,
    before: event.before,
    after: event.after,
    request_id: event.requestId,
    details: event.details,
  };
}
