import { Injectable } from '@nestjs/common';
import type { JsonValue, WorkloadError, WorkloadStatus } from '@niyanta/models';
import { DataSource } from 'typeorm';

/** The state of one workload as the live stream reports it (no input: snapshots stay small). */
export interface WorkloadStateSummary {
  id: string;
  workloadType: string;
  status: WorkloadStatus;
  attempt: number;
  progress: number;
  workerId: string | null;
  output: JsonValue | null;
  error: WorkloadError | null;
  updatedAt: Date;
}

/** Filters of {@link WorkloadStreamRepository.snapshot}; absent fields do not filter. */
export interface WorkloadStateQuery {
  customerId: string;
  ids?: readonly string[];
  statuses?: readonly WorkloadStatus[];
  workloadType?: string;
  /** At most this many rows, newest first. */
  limit: number;
}

/** A capped snapshot: `truncated` says more rows matched than `limit`. */
export interface WorkloadStateSnapshot {
  items: WorkloadStateSummary[];
  truncated: boolean;
}

interface StateRow {
  id: string;
  workload_type: string;
  status: WorkloadStatus;
  attempt: number;
  progress: number | string;
  worker_id: string | null;
  output: JsonValue | null;
  error: WorkloadError | null;
  updated_at: Date;
}

/** Reads the current state of a customer's workloads for the start of a live stream. */
@Injectable()
export class WorkloadStreamRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The newest `limit` matching workloads of one customer (by `created_at, id`, the customer's list
   * index), with only the columns a stream message carries.
   */
  async snapshot(query: WorkloadStateQuery): Promise<WorkloadStateSnapshot> {
    const params: unknown[] = [query.customerId];
    const where = ['customer_id = $1'];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.ids && query.ids.length > 0) where.push(`id = ANY(${param(query.ids)}::uuid[])`);
    if (query.statuses && query.statuses.length > 0) where.push(`status = ANY(${param(query.statuses)}::text[])`);
    if (query.workloadType !== undefined) where.push(`workload_type = ${param(query.workloadType)}`);
    const limit = Math.max(0, Math.floor(query.limit));
    const rows: StateRow[] = await this.dataSource.query(
      `SELECT id, workload_type, status, attempt, progress, worker_id, output, error, updated_at
         FROM workloads
        WHERE ${where.join(' AND ')}
        ORDER BY created_at DESC, id DESC
        LIMIT ${param(limit + 1)}`,
      params,
    );
    return {
      items: rows.slice(0, limit).map((row) => ({
        id: row.id,
        workloadType: row.workload_type,
        status: row.status,
        attempt: row.attempt,
        progress: Number(row.progress),
        workerId: row.worker_id,
        output: row.output,
        error: row.error,
        updatedAt: row.updated_at,
      })),
      truncated: rows.length > limit,
    };
  }
}
