import type { components, operations } from '../generated/niyanta-api';

type Schemas = components['schemas'];

/** A workload as the API returns it. */
export type Workload = Schemas['WorkloadDto'];
/** `PENDING`, `SCHEDULED`, `RUNNING`, `PAUSING`, `PAUSED`, `COMPLETED`, `FAILED` or `CANCELLED`. */
export type WorkloadStatus = Schemas['WorkloadStatus'];
/** The body of `POST /v1/workloads` (and one item of a batch). */
export type SubmitWorkloadRequest = Schemas['SubmitWorkloadDto'];
/** A workload as a listing returns it: `input`/`output` only when the listing's `include` names them. */
export type WorkloadListItem = Schemas['WorkloadListItemDto'];
/** One page of `GET /v1/workloads`. */
export type WorkloadPage = Schemas['WorkloadListDto'];
/** Filters and paging of `GET /v1/workloads`. */
export type ListWorkloadsQuery = NonNullable<operations['listWorkloads']['parameters']['query']>;
/** The per-id outcome of a batch cancel. */
export type BatchCancelResult = Schemas['BatchCancelResultDto'];
/** Checkpoint metadata. */
export type Checkpoint = Schemas['CheckpointDto'];
/** One entry of a workload's audit trail. */
export type WorkloadEvent = Schemas['WorkloadEventDto'];
/** A worker of the fleet. */
export type Worker = Schemas['WorkerDto'];
/** A registered workload type and its defaults. */
export type WorkloadType = Schemas['WorkloadTypeDto'];
/** The error body every failed request carries. */
export type ErrorResponse = Schemas['ErrorResponseDto'];
/** A message of the live stream: the opening snapshot or an update. */
export type StreamMessage = Schemas['StreamMessage'];
/** The first message of a stream connection. */
export type StreamSnapshotMessage = Schemas['StreamSnapshotMessageDto'];
/** A later change of one workload. */
export type StreamUpdateMessage = Schemas['StreamUpdateMessageDto'];
/** A workload's state as stream messages carry it. */
export type WorkloadUpdate = Schemas['WorkloadUpdateDto'];

/** A cron schedule (`/v1/schedules`). */
export type Schedule = Schemas['ScheduleDto'];
/** The body of `POST /v1/schedules`. */
export type CreateScheduleRequest = Schemas['CreateScheduleDto'];
/** The body of `PATCH /v1/schedules/{id}` (any subset of the create body). */
export type UpdateScheduleRequest = Schemas['UpdateScheduleDto'];
/** One page of `GET /v1/schedules`. */
export type SchedulePage = Schemas['ScheduleListDto'];
/** What `POST /v1/schedules/{id}/trigger` created. */
export type ScheduleTriggerResult = Schemas['TriggerScheduleResponseDto'];

/** Throughput and latency per time bucket (`GET /v1/analytics/summary`). */
export type AnalyticsSummary = Schemas['AnalyticsSummaryDto'];
/** One bucket of an analytics summary. */
export type AnalyticsBucket = Schemas['SummaryBucketDto'];
/** Worker utilization over a range (`GET /v1/analytics/workers`). */
export type WorkerAnalytics = Schemas['WorkerAnalyticsDto'];
/** One workload of an analytics export. */
export type ExportRow = Schemas['ExportRowDto'];

/** Statuses a workload never leaves. */
export const TERMINAL_STATUSES: readonly WorkloadStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

/**
 * The input type of each workload type a client submits, by type name, e.g.
 * `{ 'word-count': { text: string } }` — with `@niyanta/workload-sdk`:
 * `{ 'word-count': InputOf<typeof wordCount> }`. Give it to `createNiyantaClient<...>()` to type
 * `submit`'s `input` per type (the API checks it against the registered schema in any case).
 */
export type WorkloadInputs = Record<string, object>;

/** Any type name, any JSON object input: the default of {@link WorkloadInputs}. */
export type UntypedWorkloadInputs = Record<string, Record<string, unknown>>;

/**
 * A submission whose `input` has the type {@link WorkloadInputs} gives its `workload_type`
 * (required unless the input type accepts `{}`).
 */
export type TypedSubmitRequest<TInputs extends WorkloadInputs = UntypedWorkloadInputs> = {
  [K in keyof TInputs & string]: Omit<SubmitWorkloadRequest, 'workload_type' | 'input'> & { workload_type: K } & (Record<never, never> extends TInputs[K]
      ? { input?: TInputs[K] }
      : { input: TInputs[K] });
}[keyof TInputs & string];
