import type { WorkloadStatus } from '@niyanta/models';

/**
 * Where a status sits within one attempt. Every return to PENDING increments `attempt`, so within
 * an attempt a workload only moves forward through these ranks: PENDING → SCHEDULED → RUNNING →
 * PAUSING → PAUSED → a terminal status (PAUSED → CANCELLED included).
 */
const RANK: Readonly<Record<WorkloadStatus, number>> = {
  PENDING: 0,
  SCHEDULED: 1,
  RUNNING: 2,
  PAUSING: 3,
  PAUSED: 4,
  COMPLETED: 5,
  FAILED: 5,
  CANCELLED: 5,
};

/** The parts of a workload's state that order its changes. */
export interface WorkloadVersion {
  attempt: number;
  status: WorkloadStatus;
  progress: number;
}

/**
 * Orders two states of one workload without trusting clocks: `(attempt, status rank, progress)`
 * only grows. Events reach the API from the API itself, the leader and workers over separate
 * connections, so they can arrive out of order; comparing versions lets the stream drop an event
 * the client has already seen superseded (and a snapshot row already newer than a buffered event).
 * @returns a negative number, zero or a positive number as `a` is older than, the same as, or newer than `b`
 */
export function compareVersions(a: WorkloadVersion, b: WorkloadVersion): number {
  return a.attempt - b.attempt || RANK[a.status] - RANK[b.status] || a.progress - b.progress;
}
