import { WorkloadStatus } from './workload-status';

/** JSON object as submitted by a customer (`input`) or produced by a workload (`output`). */
export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** Tag rules of a workload (SPEC §2, §5). Keys are worker tag names. */
export interface AffinityRules {
  /** Every one must match a worker tag exactly. */
  required: Record<string, string>;
  /** Each match makes a worker more attractive. */
  preferred: Record<string, string>;
  /** A worker with any of these tag values is never chosen. */
  anti: Record<string, string>;
}

export const EMPTY_AFFINITY: AffinityRules = Object.freeze({ required: {}, preferred: {}, anti: {} });

/** Why a workload failed (`error` on the wire). */
export interface WorkloadError {
  code: string;
  message: string;
}

/** Metadata of the newest checkpoint (`last_checkpoint` on the wire). */
export interface CheckpointSummary {
  sequence: number;
  sizeBytes: number;
  createdAt: Date;
}

/** Checkpoint policy of a workload type, overridable per workload. Null disables a trigger. */
export interface CheckpointPolicy {
  /** Checkpoint every this many seconds of running. */
  intervalSeconds: number | null;
  /** Checkpoint every time progress advances by this fraction (0–1). */
  progressStep: number | null;
}

/** A workload as the domain sees it (camelCase; the API maps it to snake_case JSON). */
export interface Workload {
  id: string;
  customerId: string;
  workloadType: string;
  status: WorkloadStatus;
  priority: number;
  input: JsonObject;
  output: JsonValue | null;
  error: WorkloadError | null;
  progress: number;
  progressMessage: string | null;
  affinity: AffinityRules;
  region: string | null;
  maxRetries: number;
  attempt: number;
  /** Failed attempts so far; retries stop when it exceeds maxRetries. */
  failureCount: number;
  workerId: string | null;
  idempotencyKey: string | null;
  /** The schedule whose tick created the workload; null when it was submitted directly. */
  scheduleId: string | null;
  labels: Record<string, string>;
  pendingReason: string | null;
  lastCheckpoint: CheckpointSummary | null;
  timeoutSeconds: number | null;
  /** A retry waits until this time (exponential backoff); null means now. */
  notBefore: Date | null;
  createdAt: Date;
  scheduledAt: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
  updatedAt: Date;
  /**
   * Parents not completed yet (0 once all have); null or absent: the workload has no parents
   * (SPEC §8). While above 0 the workload waits PENDING and the scheduler does not see it.
   */
  waitingParents?: number | null;
  /** Whether other workloads depend on it (its end then releases or cancels them). */
  hasDependents?: boolean;
}

/** Limits of the workload model enforced at the edge. */
export const WORKLOAD_LIMITS = Object.freeze({
  minPriority: 0,
  maxPriority: 1000,
  maxBatchSize: 1000,
  maxListLimit: 500,
  defaultListLimit: 50,
  maxLabels: 32,
  maxTagLength: 128,
});

/**
 * `pending_reason` of a PENDING workload the scheduler has not found a reason for (yet): it is
 * queued and will be placed as soon as its turn comes. Shown instead of null, so a waiting
 * workload always says why it waits; never stored.
 */
export const QUEUED_PENDING_REASON = 'queued: waiting for its turn to be scheduled';

/** The reason a workload shows: its stored one, the queued one for a PENDING workload without one, else null. */
export function shownPendingReason(status: WorkloadStatus, stored: string | null): string | null {
  if (stored !== null) return stored;
  return status === WorkloadStatus.Pending ? QUEUED_PENDING_REASON : null;
}
