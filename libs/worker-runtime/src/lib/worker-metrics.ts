import { Injectable } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { ExecutionOutcome, ExecutionObserver } from './workload-execution';

/** Names of the worker's Prometheus metrics. */
export const WORKER_METRIC_NAMES = Object.freeze({
  running: 'niyanta_worker_running_workloads',
  capacity: 'niyanta_worker_capacity',
  executions: 'niyanta_worker_executions_total',
  checkpointDuration: 'niyanta_worker_checkpoint_duration_seconds',
  checkpointSize: 'niyanta_worker_checkpoint_size_bytes',
  checkpointFailures: 'niyanta_worker_checkpoint_failures_total',
});

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
    help: 'Time to snapshot, encode and store one checkpoint.',
    labelNames: ['workload_type'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  }),
  makeHistogramProvider({
    name: WORKER_METRIC_NAMES.checkpointSize,
    help: 'Stored (compressed) size of checkpoints.',
    labelNames: ['workload_type'],
    // 256 B to 64 MiB in powers of 4.
    buckets: Array.from({ length: 10 }, (_, i) => 256 * 4 ** i),
  }),
  makeCounterProvider({
    name: WORKER_METRIC_NAMES.checkpointFailures,
    help: 'Checkpoints that could not be taken or stored.',
    labelNames: ['workload_type'],
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
    @InjectMetric(WORKER_METRIC_NAMES.checkpointFailures) private readonly checkpointFailures: Counter<string>,
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

  checkpointSaved(workloadType: string, seconds: number, storedBytes: number): void {
    this.checkpointDuration.observe({ workload_type: workloadType }, seconds);
    this.checkpointSize.observe({ workload_type: workloadType }, storedBytes);
  }

  checkpointFailed(workloadType: string): void {
    this.checkpointFailures.inc({ workload_type: workloadType });
  }
}
