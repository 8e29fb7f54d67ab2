import { ACTIVE_STATUSES, EXECUTING_STATUSES, STARTABLE_STATUSES, WAITING_STATUSES, type WorkloadStatus } from '@niyanta/models';

/**
 * SQL list literals of workload status sets, built from `libs/models` so a status rule is written
 * once. Status names are fixed identifiers (never user input), so inlining them is safe, and an
 * inlined list lets PostgreSQL match partial indexes whose predicate names the same statuses.
 */
export function statusList(statuses: readonly WorkloadStatus[]): string {
  return statuses.map((status) => `'${status}'`).join(', ');
}

/** `'SCHEDULED', 'RUNNING', 'PAUSING'`: a workload holding a worker slot. */
export const ACTIVE_STATUS_SQL = statusList(ACTIVE_STATUSES);

/** `'PENDING', 'PAUSED'`: a workload waiting, counted against its tier's `maxPending`. */
export const WAITING_STATUS_SQL = statusList(WAITING_STATUSES);

/** `'RUNNING', 'PAUSING'`: a worker executes the attempt. */
export const EXECUTING_STATUS_SQL = statusList(EXECUTING_STATUSES);

/** `'SCHEDULED', 'RUNNING'`: an assigned attempt its worker may start or hand back. */
export const STARTABLE_STATUS_SQL = statusList(STARTABLE_STATUSES);
