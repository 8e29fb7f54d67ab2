import type { JsonObject, WorkloadTypeConfig } from '@niyanta/models';

/** A `workload_configs` row as node-postgres returns it for {@link WORKLOAD_CONFIG_COLUMNS}. */
export interface WorkloadConfigRow {
  workload_type: string;
  default_priority: number;
  max_retries: number;
  timeout_seconds: number | null;
  checkpoint_interval_seconds: number | null;
  checkpoint_progress_step: number | null;
  max_concurrent: number | null;
  input_schema?: JsonObject | null;
  created_at: Date;
  updated_at: Date;
}

/** The columns {@link toWorkloadTypeConfig} reads. */
export const WORKLOAD_CONFIG_COLUMNS =
  'workload_type, default_priority, max_retries, timeout_seconds, checkpoint_interval_seconds, checkpoint_progress_step, max_concurrent, input_schema, created_at, updated_at';

/** Maps a raw row to the domain {@link WorkloadTypeConfig}. */
export function toWorkloadTypeConfig(row: WorkloadConfigRow): WorkloadTypeConfig {
  return {
    workloadType: row.workload_type,
    defaultPriority: row.default_priority,
    maxRetries: row.max_retries,
    timeoutSeconds: row.timeout_seconds,
    checkpointIntervalSeconds: row.checkpoint_interval_seconds,
    // double precision arrives as a number, but keep the mapping explicit for numeric columns.
    checkpointProgressStep: row.checkpoint_progress_step === null ? null : Number(row.checkpoint_progress_step),
    maxConcurrent: row.max_concurrent ?? null,
    inputSchema: row.input_schema ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
