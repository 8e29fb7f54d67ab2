import type {
  AffinityRules,
  CheckpointPolicy,
  JsonObject,
  JsonValue,
  Workload,
  WorkloadError,
  WorkloadStatus,
} from '@niyanta/models';

/**
 * Identifies one attempt of one workload held by one worker. Every worker write carries it: the
 * write only applies while the row still has this attempt and this worker, so a worker presumed
 * dead (or an attempt superseded by a retry, cancel or reassignment) changes nothing.
 */
export interface AttemptFence {
  workloadId: string;
  attempt: number;
  workerId: string;
}

/** A `workloads` row as node-postgres returns it (used by the worker's repositories). */
export interface WorkloadRow {
  id: string;
  customer_id: string;
  workload_type: string;
  status: WorkloadStatus;
  priority: number;
  input: JsonObject;
  output: JsonValue | null;
  error: WorkloadError | null;
  progress: number;
  progress_message: string | null;
  affinity: AffinityRules;
  labels: Record<string, string>;
  region: string | null;
  max_retries: number;
  attempt: number;
  failure_count: number;
  worker_id: string | null;
  idempotency_key: string | null;
  pending_reason: string | null;
  last_checkpoint_sequence: number | null;
  last_checkpoint_size_bytes: number | null;
  last_checkpoint_at: Date | null;
  timeout_seconds: number | null;
  checkpoint_policy: unknown;
  not_before: Date | null;
  created_at: Date;
  scheduled_at: Date | null;
  started_at: Date | null;
  completed_at: Date | null;
  updated_at: Date;
}

/** Columns of {@link WorkloadRow}, qualified by `alias` (for `RETURNING` and joins). */
export function workloadColumns(alias: string): string {
  return WORKLOAD_COLUMNS.map((column) => `${alias}."${column}"`).join(', ');
}

const WORKLOAD_COLUMNS = [
  'id',
  'customer_id',
  'workload_type',
  'status',
  'priority',
  'input',
  'output',
  'error',
  'progress',
  'progress_message',
  'affinity',
  'labels',
  'region',
  'max_retries',
  'attempt',
  'failure_count',
  'worker_id',
  'idempotency_key',
  'pending_reason',
  'last_checkpoint_sequence',
  'last_checkpoint_size_bytes',
  'last_checkpoint_at',
  'timeout_seconds',
  'checkpoint_policy',
  'not_before',
  'created_at',
  'scheduled_at',
  'started_at',
  'completed_at',
  'updated_at',
] as const;

/** Maps a row to the domain {@link Workload}. */
export function toWorkload(row: WorkloadRow): Workload {
  return {
    id: row.id,
    customerId: row.customer_id,
    workloadType: row.workload_type,
    status: row.status,
    priority: row.priority,
    input: row.input,
    output: row.output,
    error: row.error,
    progress: Number(row.progress),
    progressMessage: row.progress_message,
    affinity: row.affinity,
    region: row.region,
    maxRetries: row.max_retries,
    attempt: row.attempt,
    failureCount: row.failure_count,
    workerId: row.worker_id,
    idempotencyKey: row.idempotency_key,
    labels: row.labels,
    pendingReason: row.pending_reason,
    lastCheckpoint:
      row.last_checkpoint_sequence === null
        ? null
        : {
            sequence: row.last_checkpoint_sequence,
            sizeBytes: row.last_checkpoint_size_bytes ?? 0,
            createdAt: row.last_checkpoint_at ?? row.updated_at,
          },
    timeoutSeconds: row.timeout_seconds,
    notBefore: row.not_before,
    createdAt: row.created_at,
    scheduledAt: row.scheduled_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Reads a per-workload checkpoint policy override. The API stores it camelCase; snake_case keys are
 * accepted too so a hand-edited row still works. Returns null when the row has no override.
 */
export function parseCheckpointPolicy(value: unknown): Partial<CheckpointPolicy> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const raw = value as Record<string, unknown>;
  const policy: Partial<CheckpointPolicy> = {};
  const interval = raw['intervalSeconds'] ?? raw['interval_seconds'];
  const step = raw['progressStep'] ?? raw['progress_step'];
  if (interval === null || typeof interval === 'number') policy.intervalSeconds = interval;
  if (step === null || typeof step === 'number') policy.progressStep = step;
  return policy;
}
