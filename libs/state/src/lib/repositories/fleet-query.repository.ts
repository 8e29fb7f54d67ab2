import { Injectable } from '@nestjs/common';
import type { WorkerInfo, WorkerStatus, WorkloadTypeConfig } from '@niyanta/models';
import { DataSource } from 'typeorm';
import { toWorkloadTypeConfig, WORKLOAD_CONFIG_COLUMNS, type WorkloadConfigRow } from './workload-config-row.mapper';

interface WorkerRow {
  id: string;
  status: WorkerStatus;
  tags: Record<string, string> | null;
  region: string | null;
  capacity: number;
  workload_types: string[] | null;
  running_count: number;
  last_heartbeat_at: Date;
  registered_at: Date;
}


const WORKER_COLUMNS =
  'id, status, tags, region, capacity, workload_types, running_count, last_heartbeat_at, registered_at';

function toWorker(row: WorkerRow): WorkerInfo {
  return {
    id: row.id,
    status: row.status,
    tags: row.tags ?? {},
    region: row.region,
    capacity: row.capacity,
    workloadTypes: row.workload_types ?? [],
    runningCount: row.running_count,
    lastHeartbeatAt: row.last_heartbeat_at,
    registeredAt: row.registered_at,
  };
}

/** Read-only views of the fleet for the API: workers and registered workload types. */
@Injectable()
export class FleetQueryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Every known worker (dead ones included, so operators can see them), by id. */
  async listWorkers(): Promise<WorkerInfo[]> {
    const rows: WorkerRow[] = await this.dataSource.query(`SELECT ${WORKER_COLUMNS} FROM workers ORDER BY id`);
    return rows.map(toWorker);
  }

  async findWorker(id: string): Promise<WorkerInfo | null> {
    const rows: WorkerRow[] = await this.dataSource.query(`SELECT ${WORKER_COLUMNS} FROM workers WHERE id = $1`, [id]);
    const row = rows[0];
    return row ? toWorker(row) : null;
  }

  /** Every registered workload type with its config, by name. */
  async listWorkloadTypes(): Promise<WorkloadTypeConfig[]> {
    const rows: WorkloadConfigRow[] = await this.dataSource.query(
      `SELECT ${WORKLOAD_CONFIG_COLUMNS} FROM workload_configs ORDER BY workload_type`,
    );
    return rows.map(toWorkloadTypeConfig);
  }
}
