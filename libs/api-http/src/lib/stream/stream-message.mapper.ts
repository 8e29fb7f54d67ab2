import type { WorkloadEventPayload } from '@niyanta/models';
import type { WorkloadStateSummary } from '@niyanta/state';
import type { StreamSnapshotMessageDto, StreamUpdateMessageDto, WorkloadUpdateDto } from './stream-message.dto';

/** A workload's state as the stream sends it, taken from a snapshot row. */
export function updateFromSummary(summary: WorkloadStateSummary): WorkloadUpdateDto {
  return {
    id: summary.id,
    workload_type: summary.workloadType,
    status: summary.status,
    attempt: summary.attempt,
    progress: summary.progress,
    worker_id: summary.workerId,
    output: summary.output,
    error: summary.error,
    updated_at: summary.updatedAt.toISOString(),
  };
}

/** A workload's state as the stream sends it, taken from a broker event. */
export function updateFromEvent(event: WorkloadEventPayload): WorkloadUpdateDto {
  return {
    id: event.workload_id,
    workload_type: event.workload_type,
    status: event.status,
    attempt: event.attempt,
    progress: event.progress,
    worker_id: event.worker_id,
    output: event.output ?? null,
    error: event.error ?? null,
    updated_at: event.occurred_at,
    ...(event.schedule_id ? { schedule: { id: event.schedule_id, tick: event.schedule_tick ?? null } } : {}),
  };
}

export function snapshotMessage(workloads: WorkloadUpdateDto[], truncated: boolean, limit: number): StreamSnapshotMessageDto {
  return { type: 'snapshot', workloads, truncated, limit };
}

export function updateMessage(workload: WorkloadUpdateDto): StreamUpdateMessageDto {
  return { type: 'update', workload };
}
