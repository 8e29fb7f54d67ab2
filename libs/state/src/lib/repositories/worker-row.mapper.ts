import type { WorkerInfo, WorkerStatus } from '@niyanta/models';

/** A `workers` row as node-postgres returns it for {@link WORKER_COLUMNS}. */
export interface WorkerRow {
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

/** The columns {@link toWorkerInfo} reads, for `SELECT`/`RETURNING` lists. */
export const WORKER_COLUMNS =
  'id, status, tags, region, capacity, workload_types, running_count, last_heartbeat_at, registered_at';

/** Maps a raw row to the domain {@link WorkerInfo}. */
export function toWorkerInfo(row: WorkerRow): WorkerInfo {
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
