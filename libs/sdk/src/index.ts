export { createNiyantaClient, MAX_BATCH_SIZE, NiyantaClient } from './lib/niyanta-client';
export type { NiyantaClientOptions, SubmitBatchOptions, WaitOptions } from './lib/niyanta-client';
export { describeError, NiyantaApiError, NiyantaBatchError, NiyantaStreamError, NiyantaTimeoutError, retryAfterSeconds } from './lib/errors';
export type { NiyantaErrorDetail } from './lib/errors';
export { retryingFetch } from './lib/retrying-fetch';
export type { RetryOptions } from './lib/retrying-fetch';
export { WorkloadStream, streamQuery } from './lib/workload-stream';
export type { StreamFilter, StreamOptions } from './lib/workload-stream';
export { TERMINAL_STATUSES } from './lib/types';
export type {
  AnalyticsBucket,
  AnalyticsSummary,
  BatchCancelResult,
  ExportRow,
  Checkpoint,
  ErrorResponse,
  ListWorkloadsQuery,
  StreamMessage,
  StreamSnapshotMessage,
  StreamUpdateMessage,
  SubmitWorkloadRequest,
  TypedSubmitRequest,
  UntypedWorkloadInputs,
  Worker,
  WorkerAnalytics,
  Workload,
  WorkloadEvent,
  WorkloadInputs,
  WorkloadListItem,
  WorkloadPage,
  WorkloadStatus,
  WorkloadType,
  WorkloadUpdate,
} from './lib/types';
export type { components, operations, paths } from './generated/niyanta-api';
