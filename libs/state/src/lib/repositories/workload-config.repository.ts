import { Injectable } from '@nestjs/common';
import type { WorkloadTypeConfig } from '@niyanta/models';
import { DataSource } from 'typeorm';
import { appendAudit, type AuditActor } from './audit.repository';
import { toWorkloadTypeConfig, WORKLOAD_CONFIG_COLUMNS, type WorkloadConfigRow } from './workload-config-row.mapper';

/** Fields of a workload type's config the operator may change; absent fields stay as they are. */
export interface WorkloadConfigChanges {
  defaultPriority?: number;
  maxRetries?: number;
  /** null: no limit. */
  timeoutSeconds?: number | null;
  /** null: no time-based checkpoints. */
  checkpointIntervalSeconds?: number | null;
  /** null: no progress-based checkpoints. */
  checkpointProgressStep?: number | null;
  /** null: no cap on the type's workloads occupying slots at once. */
  maxConcurrent?: number | null;
}

function snapshot(config: WorkloadTypeConfig): Record<string, unknown> {
  return {
    default_priority: config.defaultPriority,
    max_retries: config.maxRetries,
    timeout_seconds: config.timeoutSeconds,
    checkpoint_interval_seconds: config.checkpointIntervalSeconds,
    checkpoint_progress_step: config.checkpointProgressStep,
    max_concurrent: config.maxConcurrent ?? null,
  };
}

/** The operator's edits of workload type configs (workers create them; see the worker registry). */
@Injectable()
export class WorkloadConfigRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Applies `changes` to the type's config with a `workload_config.updated` audit event (before and
   * after) in one transaction. Null when the type is not registered. New submissions see the change
   * once the API's type cache expires; queued workloads keep what they were submitted with.
   */
  async update(workloadType: string, changes: WorkloadConfigChanges, actor: AuditActor): Promise<WorkloadTypeConfig | null> {
    return this.dataSource.transaction(async (manager) => {
      const current: WorkloadConfigRow[] = await manager.query(
        `SELECT ${WORKLOAD_CONFIG_COLUMNS} FROM workload_configs WHERE workload_type = $1 FOR UPDATE`,
        [workloadType],
      );
      const row = current[0];
      if (!row) return null;
      const before = toWorkloadTypeConfig(row);
      const pick = <K extends keyof WorkloadConfigChanges>(key: K, fallback: WorkloadTypeConfig[K]) =>
        changes[key] === undefined ? fallback : changes[key];
      const updated: WorkloadConfigRow[] = await manager.query(
        `WITH u AS (
           UPDATE workload_configs
              SET default_priority = $2, max_retries = $3, timeout_seconds = $4,
                  checkpoint_interval_seconds = $5, checkpoint_progress_step = $6, max_concurrent = $7, updated_at = now()
            WHERE workload_type = $1 RETURNING ${WORKLOAD_CONFIG_COLUMNS})
         SELECT * FROM u`,
        [
          workloadType,
          pick('defaultPriority', before.defaultPriority),
          pick('maxRetries', before.maxRetries),
          pick('timeoutSeconds', before.timeoutSeconds),
          pick('checkpointIntervalSeconds', before.checkpointIntervalSeconds),
          pick('checkpointProgressStep', before.checkpointProgressStep),
          changes.maxConcurrent === undefined ? (before.maxConcurrent ?? null) : changes.maxConcurrent,
        ],
      );
      const after = toWorkloadTypeConfig(updated[0] as WorkloadConfigRow);
      await appendAudit(manager, [
        { action: 'workload_config.updated', ...actor, before: snapshot(before), after: snapshot(after), details: { workload_type: workloadType } },
      ]);
      return after;
    });
  }
}
