import { Injectable } from '@nestjs/common';
import {
  COMMAND_SOURCES,
  commandTarget,
  WorkloadStatus,
  type Workload,
  type WorkloadCommand,
} from '@niyanta/models';
import { DataSource, type EntityManager } from 'typeorm';
import { appendAudit, type AuditActor, type AuditEventInput } from './audit.repository';
import { auditSnapshot, toWorkload, workloadColumns, type WorkloadRow } from './workload-row.mapper';

/** What a command did to one workload. */
export type CommandOutcome =
  | { id: string; outcome: 'applied'; before: Workload; workload: Workload }
  | { id: string; outcome: 'invalid_state'; workload: Workload }
  | { id: string; outcome: 'not_found' };

const COLUMNS = workloadColumns();

const AUDIT_ACTION: Readonly<Record<WorkloadCommand, string>> = {
  cancel: 'workload.cancelled',
  pause: 'workload.paused',
  resume: 'workload.resumed',
};

/**
 * The SET clause of each target status. Resume bumps `attempt` so that any worker still holding the
 * paused attempt is fenced out; it also clears what the previous placement left behind.
 */
// A dependent waiting for its parents keeps saying so while paused and after resuming.
const KEEP_WAITING_REASON = `pending_reason = CASE WHEN waiting_parents > 0 THEN pending_reason END`;

const TARGET_UPDATE: Readonly<Partial<Record<WorkloadStatus, string>>> = {
  [WorkloadStatus.Cancelled]: `status = 'CANCELLED', completed_at = now(), pending_reason = NULL, updated_at = now()`,
  [WorkloadStatus.Paused]: `status = 'PAUSED', ${KEEP_WAITING_REASON}, updated_at = now()`,
  [WorkloadStatus.Pausing]: `status = 'PAUSING', updated_at = now()`,
  [WorkloadStatus.Pending]: `status = 'PENDING', attempt = attempt + 1, worker_id = NULL, not_before = NULL,
                             ${KEEP_WAITING_REASON}, updated_at = now()`,
};

/** Applies customer commands (cancel, pause, resume) to workloads, with their audit events. */
@Injectable()
export class WorkloadCommandRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Applies `command` to each of `ids` that belongs to `customerId`, in one transaction: rows are
   * locked (in id order, so concurrent batches cannot deadlock), each allowed transition is written
   * with its audit event, and the others are reported untouched. Results follow the order of `ids`;
   * a repeated id is reported once per occurrence, applied at most once.
   */
  async apply(
    customerId: string,
    ids: readonly string[],
    command: WorkloadCommand,
    actor: AuditActor,
  ): Promise<CommandOutcome[]> {
    const unique = [...new Set(ids)];
    const byId = await this.dataSource.transaction((manager) =>
      this.applyInTransaction(manager, customerId, unique, command, actor),
    );
    return ids.map((id) => byId.get(id) ?? { id, outcome: 'not_found' });
  }

  private async applyInTransaction(
    manager: EntityManager,
    customerId: string,
    ids: string[],
    command: WorkloadCommand,
    actor: AuditActor,
  ): Promise<Map<string, CommandOutcome>> {
    const rows: WorkloadRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM workloads
        WHERE id = ANY($1::uuid[]) AND customer_id = $2
        ORDER BY id
        FOR UPDATE`,
      [ids, customerId],
    );
    const outcomes = new Map<string, CommandOutcome>();
    const byTarget = new Map<WorkloadStatus, Workload[]>();
    for (const before of rows.map(toWorkload)) {
      if (!COMMAND_SOURCES[command].includes(before.status)) {
        outcomes.set(before.id, { id: before.id, outcome: 'invalid_state', workload: before });
        continue;
      }
      const target = commandTarget(command, before.status);
      byTarget.set(target, [...(byTarget.get(target) ?? []), before]);
    }

    const audit: AuditEventInput[] = [];
    for (const [target, group] of byTarget) {
      const set = TARGET_UPDATE[target];
      if (set === undefined) throw new Error(`no update defined for target status ${target}`);
      const updated: WorkloadRow[] = await manager.query(
        // Wrapped in a CTE: TypeORM answers a bare UPDATE with [rows, count] instead of rows.
        `WITH updated AS (UPDATE workloads SET ${set} WHERE id = ANY($1::uuid[]) RETURNING ${COLUMNS})
         SELECT * FROM updated`,
        [group.map((workload) => workload.id)],
      );
      const beforeById = new Map(group.map((workload) => [workload.id, workload]));
      for (const after of updated.map(toWorkload)) {
        const before = beforeById.get(after.id) as Workload;
        outcomes.set(after.id, { id: after.id, outcome: 'applied', before, workload: after });
        audit.push({
          action: AUDIT_ACTION[command],
          ...actor,
          customerId,
          workloadId: after.id,
          before: auditSnapshot(before),
          after: auditSnapshot(after),
        });
      }
    }
    if (audit.length > 0) await appendAudit(manager, audit);
    return outcomes;
  }
}
