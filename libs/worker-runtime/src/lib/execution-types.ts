// Types shared by an execution, the worker's metrics and checkpoint persistence. They live apart
// from those modules so that none of the three imports another just for a type (which made a cycle).

/** What asked for a checkpoint: the type's policy, the handler, or the worker handing the attempt back. */
export type CheckpointTrigger = 'interval' | 'progress' | 'handler' | 'pause' | 'drain';

/** Receives checkpoint measurements (the worker's Prometheus metrics in production). */
export interface ExecutionObserver {
  checkpointSaved(
    workloadType: string,
    trigger: CheckpointTrigger,
    seconds: number,
    saved: { sizeBytes: number; storedBytes: number; storage: string },
  ): void;
  checkpointRetried(workloadType: string): void;
  checkpointFailed(workloadType: string, trigger: CheckpointTrigger): void;
}

/** How an execution ended, for metrics, events and logs. */
export type ExecutionOutcome =
  | 'completed'
  | 'retry_scheduled'
  | 'failed'
  | 'paused'
  | 'requeued'
  | 'cancelled'
  /** A fenced write matched nothing: another attempt or a cancel moved the workload on. */
  | 'stale'
  /** The worker was presumed dead; the fleet already requeued the workload. */
  | 'abandoned'
  /** The outcome could not be written (database unreachable); the fleet's sweeps reconcile it. */
  | 'write_failed';
