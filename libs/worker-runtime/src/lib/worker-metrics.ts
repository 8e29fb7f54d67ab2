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
  executions: 'niyanta_worker_executions_total',
  checkpointDuration: 'niyanta_worker_checkpoint_duration_seconds',
  checkpointSize: 'niyanta_worker_checkpoint_size_bytes',
  checkpointFailures: 'niyanta_worker_checkpoint_failures_total',
  checkpoints: 'niyanta_worker_checkpoints_total',
  checkpointStateSize: 'niyanta_worker_checkpoint_state_bytes',
  checkpointRetries: 'niyanta_worker_checkpoint_retries_total',
  checkpointRestores: 'niyanta_worker_checkpoint_restores_total',
  checkpointObjectsDeleted: 'niyanta_worker_checkpoint_objects_deleted_total',
});

// 256 B to 64 MiB in powers of 4.
const SIZE_BUCKETS = Array.from({ length: 10 }, (_, i) => 256 * 4 ** i);

/** Providers of the metrics (registered once per process; a second app in one process reuses them). */
export const WORKER_METRIC_PROVIDERS = [
  makeGaugeProvider({ name: WORKER_METRIC_NAMES.running, help: 'Workload attempts this worker is running.' }),
  makeGaugeProvider({
    name: WORKER_METRIC_NAMES.capacity,
    help: 'Workloads this worker runs at the same time at most.',
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
];

/** The worker's metrics behind one small API. */
@Injectable()
export class WorkerMetrics implements ExecutionObserver {
  constructor(
    @InjectMetric(WORKER_METRIC_NAMES.running) private readonly running: Gauge<string>,
    @InjectMetric(WORKER_METRIC_NAMES.capacity) private readonly capacity: Gauge<string>,
    @InjectMetric(WORKER_METRIC_NAMES.executions) private readonly executions: Counter<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpointDuration) private readonly checkpointDuration: Histogram<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpointSize) private readonly checkpointSize: Histogram<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpointStateSize) private readonly checkpointStateSize: Histogram<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpoints) private readonly checkpoints: Counter<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpointFailures) private readonly checkpointFailures: Counter<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpointRetries) private readonly checkpointRetries: Counter<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpointRestores) private readonly checkpointRestores: Counter<string>,
    @InjectMetric(WORKER_METRIC_NAMES.checkpointObjectsDeleted) private readonly objectsDeleted: Counter<string>,
  ) {}

  setRunning(count: number): void {
    this.running.set(count);
  }

  setCapacity(slots: number): void {
    this.capacity.set(slots);
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
