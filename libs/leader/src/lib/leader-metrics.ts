import { Injectable, type Provider } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Names of the metrics the leader exports. */
export const LEADER_METRIC = {
  isLeader: 'niyanta_leader_is_leader',
  generation: 'niyanta_leader_generation',
  queueDepth: 'niyanta_scheduler_queue_depth',
  passDuration: 'niyanta_scheduler_pass_duration_seconds',
  decisions: 'niyanta_scheduler_decisions_total',
  workersDead: 'niyanta_leader_workers_dead_total',
  workloadsRecovered: 'niyanta_leader_workloads_recovered_total',
  assignmentsResent: 'niyanta_leader_assignments_resent_total',
} as const;

const DEFINITIONS = {
  isLeader: { name: LEADER_METRIC.isLeader, help: '1 while this replica holds the leader lease, else 0' },
  generation: { name: LEADER_METRIC.generation, help: 'Generation of the lease this replica holds or last held' },
  queueDepth: { name: LEADER_METRIC.queueDepth, help: 'PENDING workloads in the leader’s in-memory queue' },
  passDuration: {
    name: LEADER_METRIC.passDuration,
    help: 'Duration of one scheduling pass (refresh, placement, fenced write, assignment publish)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  },
  decisions: {
    name: LEADER_METRIC.decisions,
    help: 'Scheduling decisions by outcome: scheduled, stale (the workload or worker changed before the write)',
    labelNames: ['outcome'] as const,
  },
  workersDead: { name: LEADER_METRIC.workersDead, help: 'Workers declared DEAD after missing heartbeats' },
  workloadsRecovered: {
    name: LEADER_METRIC.workloadsRecovered,
    help: 'Workloads taken back from workers, by reason: worker_lost, assignment_unacknowledged',
    labelNames: ['reason'] as const,
  },
  assignmentsResent: {
    name: LEADER_METRIC.assignmentsResent,
    help: 'Assignments re-sent because the worker had not started them',
  },
};

/** Nest providers of the leader's metrics (registered in prom-client's default registry). */
export const LEADER_METRIC_PROVIDERS: Provider[] = [
  makeGaugeProvider(DEFINITIONS.isLeader),
  makeGaugeProvider(DEFINITIONS.generation),
  makeGaugeProvider(DEFINITIONS.queueDepth),
  makeHistogramProvider(DEFINITIONS.passDuration),
  makeCounterProvider(DEFINITIONS.decisions),
  makeCounterProvider(DEFINITIONS.workersDead),
  makeCounterProvider(DEFINITIONS.workloadsRecovered),
  makeCounterProvider(DEFINITIONS.assignmentsResent),
];

/** The leader's metrics in one injectable, so services take one dependency instead of eight. */
@Injectable()
export class LeaderMetrics {
  constructor(
    @InjectMetric(LEADER_METRIC.isLeader) readonly isLeader: Gauge,
    @InjectMetric(LEADER_METRIC.generation) readonly generation: Gauge,
    @InjectMetric(LEADER_METRIC.queueDepth) readonly queueDepth: Gauge,
    @InjectMetric(LEADER_METRIC.passDuration) readonly passDuration: Histogram,
    @InjectMetric(LEADER_METRIC.decisions) readonly decisions: Counter<'outcome'>,
    @InjectMetric(LEADER_METRIC.workersDead) readonly workersDead: Counter,
    @InjectMetric(LEADER_METRIC.workloadsRecovered) readonly workloadsRecovered: Counter<'reason'>,
    @InjectMetric(LEADER_METRIC.assignmentsResent) readonly assignmentsResent: Counter,
  ) {}

  /**
   * Metrics on a registry of their own (default: a fresh one), for a service built outside Nest —
   * two leaders in one test process then do not share gauges.
   */
  static detached(registry: Registry = new Registry()): LeaderMetrics {
    const registers = [registry];
    return new LeaderMetrics(
      new Gauge({ ...DEFINITIONS.isLeader, registers }),
      new Gauge({ ...DEFINITIONS.generation, registers }),
      new Gauge({ ...DEFINITIONS.queueDepth, registers }),
      new Histogram({ ...DEFINITIONS.passDuration, registers }),
      new Counter({ ...DEFINITIONS.decisions, labelNames: ['outcome'], registers }),
      new Counter({ ...DEFINITIONS.workersDead, registers }),
      new Counter({ ...DEFINITIONS.workloadsRecovered, labelNames: ['reason'], registers }),
      new Counter({ ...DEFINITIONS.assignmentsResent, registers }),
    );
  }
}
