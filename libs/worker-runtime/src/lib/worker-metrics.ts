import { Injectable } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { CheckpointTrigger, ExecutionObserver, ExecutionOutcome } from './execution-types';

/** How loading the checkpoint of a starting attempt went. */
export type CheckpointRestoreResult =
  /** The newest checkpoint was read and verified. */
  | 'restored'
  /** The newest was missing or corrupt; an older retained one was used. */
  | 'fell_back'
  /** No retained checkpoint could be read (the attempt fails as retryable). */
  | 'unreadable'
  /** The store could not be reached (the attempt fails as retryable). */
  | 'unavailable';

/** Why the worker deleted a checkpoint object. */
export type CheckpointObjectDeletion = 'retention' | 'orphan' | 'stale' | 'incomplete';

/** Names of the worker's Prometheus metrics. */
export const WORKER_METRIC_NAMES = Object.freeze({
  running: 'niyanta_worker_running_workloads',
  capacity: 'niyanta_worker_capacity',
  waitingForSlot: 'niyanta_worker_assignments_waiting_for_slot',
  executions: 'niyanta_worker_executions_total',
  checkpointDuration: 'niyanta_worker_checkpoint_duration_seconds',
  checkpointSize: 'niyanta_worker_checkpoint_size_bytes',
  checkpointFailures: 'niyanta_worker_checkpoint_failures_total',
  checkpoints: 'niyanta_worker_checkpoints_total',
  checkpointStateSize: 'niyanta_worker_checkpoint_state_bytes',
  checkpointRetries: 'niyanta_worker_checkpoint_retries_total',
  checkpointRestores: 'niyanta_worker_checkpoint_restores_total',
  checkpointObjectsDeleted: 'niyanta_worker_checkpoint_objects_deleted_total',
  executionDuration: 'niyanta_workload_execution_duration_seconds',
  submitToRunning: 'niyanta_workload_submit_to_running_seconds',
  submitToCompleted: 'niyanta_workload_submit_to_completed_seconds',
  retries: 'niyanta_workload_retries_total',
});

/** Failure codes the product itself sets; a retry for any other code counts as `handler_error`. */
const SYSTEM_RETRY_REASONS = new Set(['timeout', 'unhandled_error', 'checkpoint_unreadable', 'checkpoint_unavailable']);

/** The bounded `reason` label of a retry: the product's own failure codes, else `handler_error`. */
export function retryReason(code: string | undefined): string {
  return code !== undefined && SYSTEM_RETRY_REASONS.has(code) ? code : 'handler_error';
}

/** `tier` label when the assignment did not name one (a leader of an older version). */
export const UNKNOWN_TIER = 'unknown';

// 10 ms to 6 h: workloads run from a blink to hours.
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];
// 5 ms to 1 h: waiting in the queue plus, for completion, running.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

// 256 B to 64 MiB in powers of 4.
const SIZE_BUCKETS = Array.from({ length: 10 }, (_, i) => 256 * 4 ** i);

/** Providers of the metrics (registered once per process; a second app in one process reuses them). */
export const WORKER_METRIC_PROVIDERS = [
  makeGaugeProvider({ name: WORKER_METRIC_NAMES.running, help: 'Workload attempts this worker is running.' }),
  makeGaugeProvider({
    name: WORKER_METRIC_NAMES.capacity,
    help: 'Workloads this worker runs at the same time at most.',
  }),
  makeGaugeProvider({
    name: WORKER_METRIC_NAMES.waitingForSlot,
    help: 'Assignments this worker has received but holds back because every slot is busy (above 0 for long: the leader places more than the worker frees).',
  }),
  makeCounterProvider({
    name: WORKER_METRIC_NAMES.executions,
    help: 'Finished workload attempts by type and outcome.',
    labelNames: ['workload_type', 'outcome'],
  }),
  makeHistogramProvider({
    name: WORKER_METRIC_NAMES.checkpointDuration,
    help: 'Time to snapshot, encode and store one checkpoint (retries included).',
    labelNames: ['workload_type', 'storage'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  }),
  makeHistogramProvider({
    name: WORKER_METRIC_NAMES.checkpointSize,
    help: 'Stored (compressed) size of checkpoints.',
    labelNames: ['workload_type', 'storage'],
    buckets: SIZE_BUCKETS,
  }),
  makeHistogramProvider({
    name: WORKER_METRIC_NAMES.checkpointStateSize,
    help: 'Size of checkpoint state as JSON, before compression.',
    labelNames: ['workload_type'],
    buckets: SIZE_BUCKETS,
  }),
  makeCounterProvider({
    name: WORKER_METRIC_NAMES.checkpoints,
    help: 'Checkpoints stored, by what asked for them (interval, progress, handler, pause, drain) and where they went.',
    labelNames: ['workload_type', 'trigger', 'storage'],
  }),
  makeCounterProvider({
    name: WORKER_METRIC_NAMES.checkpointFailures,
    help: 'Checkpoints that could not be taken or stored, after retries.',
    labelNames: ['workload_type', 'trigger'],
  }),
  makeCounterProvider({
    name: WORKER_METRIC_NAMES.checkpointRetries,
    help: 'Store attempts of a checkpoint that failed and were tried again.',
    labelNames: ['workload_type'],
  }),
  makeCounterProvider({
    name: WORKER_METRIC_NAMES.checkpointRestores,
    help: 'Checkpoint loads of starting attempts, by result (restored, fell_back, unreadable, unavailable).',
    labelNames: ['workload_type', 'result'],
  }),
  makeCounterProvider({
    name: WORKER_METRIC_NAMES.checkpointObjectsDeleted,
    help: 'Checkpoint objects deleted from the object store, by reason (retention, orphan, stale, incomplete).',
    labelNames: ['reason'],
  }),
  makeHistogramProvider({
    name: WORKER_METRIC_NAMES.executionDuration,
    help: 'Wall time of one workload attempt on a worker, from its start to its outcome, by type and outcome.',
    labelNames: ['workload_type', 'outcome'],
    buckets: DURATION_BUCKETS,
  }),
  makeHistogramProvider({
    name: WORKER_METRIC_NAMES.submitToRunning,
    help: 'Time from submission to the start of an attempt (RUNNING), by tier and type; retries and resumes count from the submission too.',
    labelNames: ['tier', 'workload_type'],
    buckets: LATENCY_BUCKETS,
  }),
  makeHistogramProvider({
    name: WORKER_METRIC_NAMES.submitToCompleted,
    help: 'Time from submission to COMPLETED, by tier and type.',
    labelNames: ['tier', 'workload_type'],
    buckets: LATENCY_BUCKETS,
  }),
  makeCounterProvider({
    name: WORKER_METRIC_NAMES.retries,
    help: 'Failed attempts that were scheduled for a retry, by type and reason (timeout, unhandled_error, checkpoint_unreadable, checkpoint_unavailable, handler_error).',
    labelNames: ['workload_type', 'reason'],
  }),
];

/** The worker's metrics behind one small API. */
@Injectable()
export class WorkerMetrics implements ExecutionObserver {
  constructor(
    @InjectMetric(WORKER_METRIC_NAMES.running) private readonly running: Gauge<string>,
    @InjectMetric(WORKER_METRIC_NAMES.capacity) private readonly capacity: Gauge<string>,
    @InjectMetric(WORKER_METRIC_NAMES.waitingForSlot) private readonly waitingForSlot: Gauge<string>,
    @InjectMetric(WORKER_METRIC_NAMES.executions) private readonly executions: Counter<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpointDuration) private readonly checkpointDuration: Histogram<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpointSize) private readonly checkpointSize: Histogram<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpointStateSize) private readonly checkpointStateSize: Histogram<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpoints) private readonly checkpoints: Counter<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpointFailures) private readonly checkpointFailures: Counter<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpointRetries) private readonly checkpointRetries: Counter<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpointRestores) private readonly checkpointRestores: Counter<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpointObjectsDeleted) private readonly objectsDeleted: Counter<string>,
    @InjectMetric(WORKER_METRIC_NAMES.executionDuration) private readonly executionDuration: Histogram<string>,
    @InjectMetric(WORKER_METRIC_NAMES.submitToRunning) private readonly submitToRunning: Histogram<string>,
    @InjectMetric(WORKER_METRIC_NAMES.submitToCompleted) private readonly submitToCompleted: Histogram<string>,
    @InjectMetric(WORKER_METRIC_NAMES.retries) private readonly retries: Counter<string>,
  ) {}

  /** An attempt started: `createdAt` and `startedAt` are the workload's own (database) timestamps. */
  attemptStarted(tier: string, workloadType: string, createdAt: Date, startedAt: Date | null): void {
    if (startedAt === null) return;
    this.submitToRunning.observe(
      { tier, workload_type: workloadType },
      Math.max(0, (startedAt.getTime() - createdAt.getTime()) / 1000),
    );
  }

  /**
   * An attempt ended after `seconds` on this worker. A completion also observes submit → completed
   * from the written row; a scheduled retry counts under its reason.
   */
  attemptEnded(
    tier: string,
    workloadType: string,
    outcome: ExecutionOutcome,
    seconds: number,
    workload: { createdAt: Date; completedAt: Date | null; error: { code: string } | null } | null,
  ): void {
    this.executionDuration.observe({ workload_type: workloadType, outcome }, seconds);
    if (outcome === 'completed' && workload?.completedAt) {
      this.submitToCompleted.observe(
        { tier, workload_type: workloadType },
        Math.max(0, (workload.completedAt.getTime() - workload.createdAt.getTime()) / 1000),
      );
    } else if (outcome === 'retry_scheduled') {
      this.retries.inc({ workload_type: workloadType, reason: retryReason(workload?.error?.code) });
    }
  }

  setRunning(count: number): void {
    this.running.set(count);
  }

  setCapacity(slots: number): void {
    this.capacity.set(slots);
  }

  setWaitingForSlot(count: number): void {
    this.waitingForSlot.set(count);
  }

  executionFinished(workloadType: string, outcome: ExecutionOutcome): void {
    this.executions.inc({ workload_type: workloadType, outcome });
  }

  checkpointSaved(
    workloadType: string,
    trigger: CheckpointTrigger,
    seconds: number,
    saved: { sizeBytes: number; storedBytes: number; storage: string },
  ): void {
    const labels = { workload_type: workloadType, storage: saved.storage };
    this.checkpointDuration.observe(labels, seconds);
    this.checkpointSize.observe(labels, saved.storedBytes);
    this.checkpointStateSize.observe({ workload_type: workloadType }, saved.sizeBytes);
    this.checkpoints.inc({ ...labels, trigger });
  }

  checkpointRetried(workloadType: string): void {
    this.checkpointRetries.inc({ workload_type: workloadType });
  }

  checkpointFailed(workloadType: string, trigger: CheckpointTrigger): void {
    this.checkpointFailures.inc({ workload_type: workloadType, trigger });
  }

  checkpointRestored(workloadType: string, result: CheckpointRestoreResult): void {
    this.checkpointRestores.inc({ workload_type: workloadType, result });
  }

  checkpointObjectsDeleted(reason: CheckpointObjectDeletion, count = 1): void {
    if (count > 0) this.objectsDeleted.inc({ reason }, count);
  }
}
