import { Injectable } from '@nestjs/common';
import type { WorkerInfo, WorkerStatus } from '@niyanta/models';
import { DataSource } from 'typeorm';
import { appendAudit, type AuditActor } from './audit.repository';
import { toWorkerInfo, type WorkerRow } from './worker-row.mapper';

/** Result of {@link WorkerDrainRepository.requestDrain}. */
export type DrainRequestOutcome =
  | { kind: 'requested'; previousStatus: WorkerStatus; worker: WorkerInfo }
  | { kind: 'not_found' }
  | { kind: 'dead'; worker: WorkerInfo };

interface DrainRow extends WorkerRow {
  previous_status: WorkerStatus;
}

/**
 * The operator's drain request (`POST /v1/admin/workers/{id}/drain`) as a database fact: an ACTIVE
 * worker becomes DRAINING, which the scheduler never places on and which the worker's next
 * heartbeat reports back to it — so the drain happens even if the broker loses the drain message.
 */
@Injectable()
export class WorkerDrainRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * In one transaction: ACTIVE → DRAINING with a `worker.drain_requested` audit event. A worker
   * already DRAINING or STOPPED is left as it is (repeating the request is harmless and audited
   * once); a DEAD one is reported as such (it must register again first).
   */
  async requestDrain(workerId: string, actor: AuditActor): Promise<DrainRequestOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const rows: DrainRow[] = await manager.query(
        `WITH prev AS (SELECT id, status FROM workers WHERE id = $1 FOR UPDATE)
         , changed AS (
           UPDATE workers w SET status = 'DRAINING', updated_at = now()
             FROM prev WHERE w.id = prev.id AND prev.status = 'ACTIVE'
           RETURNING w.id)
         SELECT w.id, CASE WHEN c.id IS NULL THEN w.status ELSE 'DRAINING' END AS status, w.tags, w.region,
                w.capacity, w.workload_types, w.running_count, w.last_heartbeat_at, w.registered_at,
                prev.status AS previous_status
           FROM workers w JOIN prev ON prev.id = w.id LEFT JOIN changed c ON c.id = w.id`,
        [workerId],
      );
      const row = rows[0];
      if (row === undefined) return { kind: 'not_found' };
      const worker = toWorkerInfo(row);
      if (row.previous_status === 'DEAD') return { kind: 'dead', worker };
      if (row.previous_status === 'ACTIVE') {
        await appendAudit(manager, [
          {
            action: 'worker.drain_requested',
            actorType: actor.actorType,
            actorId: actor.actorId,
            requestId: actor.requestId ?? null,
            before: { status: row.previous_status },
            after: { status: 'DRAINING' },
            details: { worker_id: workerId },
          },
        ]);
      }
      return { kind: 'requested', previousStatus: row.previous_status, worker };
    });
  }
}
