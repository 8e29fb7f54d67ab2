import {
  EMPTY_AFFINITY,
  type AffinityRules,
  type JsonObject,
  type JsonValue,
  type Workload,
  type WorkloadError,
  type WorkloadStatus,
} from '@niyanta/models';

/** A `workloads` row as node-postgres returns it for {@link WORKLOAD_COLUMNS}. */
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
  affinity: AffinityRules | null;
  labels: Record<string, string> | null;
  region: string | null;
  max_retries: number;
  attempt: number;
  failure_count: number;
  worker_id: string | null;
  idempotency_key: string | null;
  /** The schedule whose tick created it; null for a workload submitted directly. */
  schedule_id: string | null;
  pending_reason: string | null;
  last_checkpoint_sequence: number | null;
  last_checkpoint_size_bytes: number | null;
  last_checkpoint_at: Date | null;
  timeout_seconds: number | null;
  /** Per-workload checkpoint policy override as stored (see {@link parseCheckpointPolicy} in execution-row). */
  checkpoint_policy: unknown;
  not_before: Date | null;
  created_at: Date;
  scheduled_at: Date | null;
  started_at: Date | null;
  completed_at: Date | null;
  updated_at: Date;
  /** Dependencies (SPEC §8): null for a workload without parents / children. */
  waiting_parents?: number | null;
  has_dependents?: boolean | null;
}

/**
 * The columns {@link toWorkload} reads, for `SELECT`/`RETURNING` lists (optionally qualified by
 * `alias`), less any in `omit` (which the caller then supplies itself).
 */
export function workloadColumns(alias?: string, omit: readonly (keyof WorkloadRow)[] = []): string {
  const names = [
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
    'schedule_id',
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
    'waiting_parents',
    'has_dependents',
  ].filter((name) => !omit.includes(name as keyof WorkloadRow));
  return alias ? names.map((name) => `${alias}.${name}`).join(', ') : names.join(', ');
}

/** Every workload column, unqualified. */
export const WORKLOAD_COLUMNS = workloadColumns();

/** Maps a raw row to the domain {@link Workload}. */
export function toWorkload(row: WorkloadRow): Workload {
  const affinity = row.affinity ?? EMPTY_AFFINITY;
  return {
    id: row.id,
    customerId: row.customer_id,
    workloadType: row.workload_type,
    status: row.status,
    priority: row.priority,
    input: row.input ?? {},
    output: row.output,
    error: row.error,
    progress: Number(row.progress),
    progressMessage: row.progress_message,
    affinity: {
      required: affinity.required ?? {},
      preferred: affinity.preferred ?? {},
      anti: affinity.anti ?? {},
    },
    region: row.region,
    maxRetries: row.max_retries,
    attempt: row.attempt,
    failureCount: row.failure_count,
    workerId: row.worker_id,
    idempotencyKey: row.idempotency_key,
    scheduleId: row.schedule_id ?? null,
    labels: row.labels ?? {},
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
    waitingParents: row.waiting_parents ?? null,
    hasDependents: row.has_dependents === true,
  };
}

/** The `{status, attempt, worker_id}` snapshot audit events carry in `before`/`after`. */
export function auditSnapshot(workload: Pick<Workload, 'status' | 'attempt' | 'workerId'>): {
  status: WorkloadStatus;
  attempt: number;
  worker_id: string | null;
} {
  return { status: workload.status, attempt: workload.attempt, worker_id: workload.workerId };
}
