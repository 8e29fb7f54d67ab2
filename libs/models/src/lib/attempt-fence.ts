/**
 * Identifies one attempt of one workload held by one worker. Every worker write carries it: the
 * write only applies while the row still has this attempt and this worker, so a worker presumed
 * dead (or an attempt superseded by a retry, cancel or reassignment) changes nothing.
 */
export interface AttemptFence {
  workloadId: string;
  attempt: number;
  workerId: string;
}
