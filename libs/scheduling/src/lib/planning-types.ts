import type { AffinityRules, WorkerStatus, WorkloadStatus } from '@niyanta/models';

/**
 * The leader's planning inputs and outputs: what it reads about PENDING workloads and workers, and
 * the decisions it hands to the data-access layer to write. Plain data, so the planning code
 * (queue, placement, reconciliation) depends on this lib only, never on how rows are stored.
 */

/** What the scheduler needs to order and place one PENDING workload. */
export interface PendingWorkload {
  id: string;
  customerId: string;
  /** The customer's tier name (null if the customer row is gone). */
  customerTier: string | null;
  workloadType: string;
  priority: number;
  affinity: AffinityRules;
  region: string | null;
  attempt: number;
  pendingReason: string | null;
  notBefore: Date | null;
  createdAt: Date;
  /**
   * Since when it has been PENDING this time: submission, requeue or resume, or the end of a retry's
   * backoff (the latest of `created_at`, `updated_at`, `not_before`). For the scheduling latency.
   */
  pendingSince: Date;
  /** W3C `traceparent` of the submission (absent: not traced). */
  traceContext?: string | null;
}

/** `id` and `attempt` of a PENDING workload, for cheap reconciliation of the leader's queue. */
export interface PendingKey {
  id: string;
  attempt: number;
  customerId: string;
}

/** A registered worker as the scheduler sees it, with the slots its workloads occupy. */
export interface WorkerSnapshot {
  id: string;
  status: WorkerStatus;
  tags: Record<string, string>;
  region: string | null;
  capacity: number;
  workloadTypes: string[];
  /** Workloads SCHEDULED, RUNNING or PAUSING on it (the database's count, not the heartbeat's). */
  activeCount: number;
  /** Milliseconds since its last heartbeat, by the database clock. */
  heartbeatAgeMs: number;
}

/** One placement decided by the scheduler. */
export interface Placement {
  workloadId: string;
  workerId: string;
}

/** `{id, attempt, workerId}` of an assignment to reclaim. */
export interface AssignmentKey {
  id: string;
  attempt: number;
  workerId: string;
}

/** Where the database places one workload, as heartbeat reconciliation compares it. */
export interface PlacedWorkload {
  id: string;
  status: WorkloadStatus;
  attempt: number;
  workerId: string | null;
}

/** An attempt the database says runs on a worker whose heartbeats keep leaving it out. */
export interface OrphanedAttempt {
  id: string;
  attempt: number;
  workerId: string;
}
