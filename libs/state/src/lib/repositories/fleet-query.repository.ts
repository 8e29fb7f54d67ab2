import { Injectable } from '@nestjs/common';
import type { WorkerInfo, WorkloadTypeConfig } from '@niyanta/models';
import { DataSource } from 'typeorm';
import { toWorkerInfo, WORKER_COLUMNS, type WorkerRow } from './worker-row.mapper';
import { toWorkloadTypeConfig, WORKLOAD_CONFIG_COLUMNS, type WorkloadConfigRow } from './workload-config-row.mapper';

/** Read-only views of the fleet for the API: workers and registered workload types. */
@Injectable()
export class FleetQueryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Every known worker (dead ones included, so operators can see them), by id. */
  async listWorkers(): Promise<WorkerInfo[]> {
    const rows: WorkerRow[] = await this.dataSource.query(`SELECT ${WORKER_COLUMNS} FROM workers ORDER BY id`);
    return rows.map(toWorkerInfo);
  }

  async findWorker(id: string): Promise<WorkerInfo | null> {
    const rows: WorkerRow[] = await this.dataSource.query(`SELECT ${WORKER_COLUMNS} FROM workers WHERE id = $1`, [id]);
    const row = rows[0];
    return row ? toWorkerInfo(row) : null;
  }

  /** Every registered workload type with its config, by name. */
  async listWorkloadTypes(): Promise<WorkloadTypeConfig[]> {
    const rows: WorkloadConfigRow[] = await this.dataSource.query(
      `SELECT ${WORKLOAD_CONFIG_COLUMNS} FROM workload_configs ORDER BY workload_type`,
    );
    return rows.map(toWorkloadTypeConfig);
  }
}
