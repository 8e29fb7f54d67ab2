import { TERMINAL_STATUSES } from '@niyanta/models';
import type { ChaosCluster } from './cluster';
import type { LoadGenerator } from './load';

/** The promises of SPEC §7 under faults, checked against the database. */
export interface InvariantReport {
  /** Workloads checked (acknowledged ones plus unacknowledged ones that were committed anyway). */
  checked: number;
  completed: number;
  /** Acknowledged submissions missing from the database, or not terminal after the settle time. */
  lost: string[];
  /** Workloads with more than one `workload.completed` audit event (or a COMPLETED one with none). */
  doubleCommitted: string[];
  /** Workload attempts scheduled more than once (two leaders, or a duplicate placement). */
  duplicateAssignments: string[];
  /** Terminal but not COMPLETED (a `sleep` never fails on its own). */
  failed: string[];
  /** How long it took every checked workload to become terminal. */
  settledInMs: number;
}

/** True when the report shows nothing lost, nothing committed twice, nothing assigned twice. */
export function invariantsHold(report: InvariantReport): boolean {
  return (
    report.lost.length === 0 &&
    report.doubleCommitted.length === 0 &&
    report.duplicateAssignments.length === 0 &&
    report.failed.length === 0
  );
}

const TERMINAL: readonly string[] = TERMINAL_STATUSES;

/**
 * Waits (up to `timeoutMs`) until every workload the load submitted up to now is terminal, then
 * checks: none lost, none committed by two attempts (exactly one `workload.completed` audit event
 * per completed workload), no attempt scheduled twice.
 */
export async function settleAndCheck(cluster: ChaosCluster, load: LoadGenerator, timeoutMs = 90_000): Promise<InvariantReport> {
  const started = Date.now();
  const acknowledged = load.acknowledgedIds(started);
  const unacknowledged = load.unacknowledgedKeys();
  let ids = acknowledged;
  let rows: Array<{ id: string; status: string }> = [];
  for (;;) {
    try {
      // Unacknowledged keys may still have been committed (the answer was lost): they count too.
      const hidden = await cluster.query<{ id: string }>(
        `SELECT id FROM workloads WHERE customer_id = $1 AND idempotency_key = ANY($2::text[])`,
        [cluster.customerId, unacknowledged],
      );
      ids = [...new Set([...acknowledged, ...hidden.map((row) => row.id)])];
      rows = await cluster.query<{ id: string; status: string }>(`SELECT id, status FROM workloads WHERE id = ANY($1::uuid[])`, [ids]);
      if (rows.length === ids.length && rows.every((row) => TERMINAL.includes(row.status))) break;
    } catch {
      // The database may be coming back; keep waiting.
    }
    if (Date.now() - started > timeoutMs) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const settledInMs = Date.now() - started;
  const found = new Map(rows.map((row) => [row.id, row.status]));
  const lost = ids.filter((id) => !TERMINAL.includes(found.get(id) ?? 'MISSING'));
  const failed = ids.filter((id) => found.get(id) === 'FAILED' || found.get(id) === 'CANCELLED');

  const commits = await cluster.query<{ id: string; n: number }>(
    `SELECT w.id, count(a.id)::int AS n
       FROM workloads w LEFT JOIN audit_events a ON a.workload_id = w.id AND a.action = 'workload.completed'
      WHERE w.id = ANY($1::uuid[]) AND (w.status = 'COMPLETED' OR a.id IS NOT NULL)
      GROUP BY w.id`,
    [ids],
  );
  const assignments = await cluster.query<{ id: string; attempt: string; n: number }>(
    `SELECT workload_id AS id, after->>'attempt' AS attempt, count(*)::int AS n
       FROM audit_events WHERE action = 'workload.scheduled' AND workload_id = ANY($1::uuid[])
      GROUP BY workload_id, after->>'attempt' HAVING count(*) > 1`,
    [ids],
  );
  return {
    checked: ids.length,
    completed: commits.filter((row) => row.n === 1).length,
    lost,
    doubleCommitted: commits.filter((row) => row.n !== 1).map((row) => `${row.id} (${row.n} commits)`),
    duplicateAssignments: assignments.map((row) => `${row.id}#${row.attempt} (${row.n}×)`),
    failed,
    settledInMs,
  };
}
