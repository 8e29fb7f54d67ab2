import { Injectable, type Provider } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Names of the scheduler's autoscaling and placement-quality metrics. */
export const SCHEDULER_METRIC = {
  pending: 'niyanta_scheduler_pending_workloads',
  oldestPending: 'niyanta_scheduler_oldest_pending_age_seconds',
  latency: 'niyanta_scheduler_latency_seconds',
  softAffinity: 'niyanta_scheduler_soft_affinity_placements_total',
  heartbeatAge: 'niyanta_leader_oldest_heartbeat_age_seconds',
} as const;

/** What reads the oldest heartbeat age (ms) the leader holds; null: no worker known. */
export type HeartbeatAgeSource = () => number | null;

/** The sources of each heartbeat-age gauge (one per leader term that is in office). */
const HEARTBEAT_SOURCES = new WeakMap<object, Set<HeartbeatAgeSource>>();

/** Computes the gauge at scrape time from the cluster view, so heartbeats cost nothing extra. */
function collectHeartbeatAge(this: Gauge): void {
  let oldest: number | null = null;
  for (const source of HEARTBEAT_SOURCES.get(this) ?? []) {
    const age = source();
    if (age !== null && (oldest === null || age > oldest)) oldest = age;
  }
  this.reset();
  if (oldest !== null) this.set(Math.max(0, oldest) / 1000);
}

/** Workload types named in the queue gauges; the rest are summed as `workload_type="other"`. */
export const MAX_TYPE_LABELS = 50;
/** `workload_type` label of the types beyond {@link MAX_TYPE_LABELS}. */
export const OTHER_TYPES = 'other';

const DEFINITIONS = {
  pending: {
    name: SCHEDULER_METRIC.pending,
    help: 'PENDING workloads in the leader queue by tier and workload type (due or waiting for a retry)',
    labelNames: ['tier', 'workload_type'] as const,
  },
  oldestPending: {
    name: SCHEDULER_METRIC.oldestPending,
    help: 'Age of the oldest PENDING workload (since it became pending) by tier and workload type',
    labelNames: ['tier', 'workload_type'] as const,
  },
  latency: {
    name: SCHEDULER_METRIC.latency,
    help: 'Time from becoming PENDING (submission, requeue, resume, end of retry backoff) to SCHEDULED, by tier',
    labelNames: ['tier'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
  },
  softAffinity: {
    name: SCHEDULER_METRIC.softAffinity,
    help: 'Placements of workloads with preferred tags or a preferred region, by how well the worker met them: satisfied (all), partial, unsatisfied (none)',
    labelNames: ['result'] as const,
  },
  heartbeatAge: {
    name: SCHEDULER_METRIC.heartbeatAge,
    help: 'Age of the oldest last heartbeat among the ACTIVE and DRAINING workers the leader knows (0 when not leading or no worker is known)',
    collect: collectHeartbeatAge,
  },
};

/** Nest providers of the scheduler metrics (prom-client's default registry). */
export const SCHEDULER_METRIC_PROVIDERS: Provider[] = [
  makeGaugeProvider(DEFINITIONS.pending),
  makeGaugeProvider(DEFINITIONS.oldestPending),
  makeHistogramProvider(DEFINITIONS.latency),
  makeCounterProvider(DEFINITIONS.softAffinity),
  makeGaugeProvider(DEFINITIONS.heartbeatAge),
];

/** How a placement met its workload's soft rules. */
export type SoftAffinityResult = 'satisfied' | 'partial' | 'unsatisfied';

/** One queued workload as the queue gauges count it. */
export interface QueueSample {
  tier: string;
  workloadType: string;
  /** Epoch ms since which it has been pending. */
  pendingSince: number;
}

/** The gauges' series from the queue: bounded to the tiers × the {@link MAX_TYPE_LABELS} biggest types. */
export function queueSeries(
  samples: Iterable<QueueSample>,
  now: number,
): Array<{ tier: string; workloadType: string; count: number; oldestAgeSeconds: number }> {
  const byKey = new Map<string, { tier: string; workloadType: string; count: number; oldest: number }>();
  const typeCounts = new Map<string, number>();
  const all: QueueSample[] = [];
  for (const sample of samples) {
    all.push(sample);
    typeCounts.set(sample.workloadType, (typeCounts.get(sample.workloadType) ?? 0) + 1);
  }
  const named = new Set(
    [...typeCounts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, MAX_TYPE_LABELS)
      .map(([type]) => type),
  );
  for (const sample of all) {
    const workloadType = named.has(sample.workloadType) ? sample.workloadType : OTHER_TYPES;
    const key = `${sample.tier}\u0000${workloadType}`;
    const series = byKey.get(key);
    if (series) {
      series.count++;
      if (sample.pendingSince < series.oldest) series.oldest = sample.pendingSince;
    } else {
      byKey.set(key, { tier: sample.tier, workloadType, count: 1, oldest: sample.pendingSince });
    }
  }
  return [...byKey.values()].map((s) => ({
    tier: s.tier,
    workloadType: s.workloadType,
    count: s.count,
    oldestAgeSeconds: Math.max(0, (now - s.oldest) / 1000),
  }));
}

/** Classifies a placement against the workload's soft rules; null when it has none. */
export function softAffinityResult(
  preferredTotal: number,
  preferredMatches: number,
  wantsRegion: boolean,
  regionMatch: boolean,
): SoftAffinityResult | null {
  const wanted = preferredTotal + (wantsRegion ? 1 : 0);
  if (wanted === 0) return null;
  const met = preferredMatches + (wantsRegion && regionMatch ? 1 : 0);
  return met === wanted ? 'satisfied' : met === 0 ? 'unsatisfied' : 'partial';
}

/**
 * The scheduler's autoscaling signals (queue depth and oldest wait by tier and type, scheduling
 * latency) and placement quality (soft-affinity outcomes). Only the leader reports them; they are
 * emptied when it steps down.
 */
@Injectable()
export class SchedulerMetrics {
  constructor(
    @InjectMetric(SCHEDULER_METRIC.pending) readonly pending: Gauge<'tier' | 'workload_type'>,
    @InjectMetric(SCHEDULER_METRIC.oldestPending) readonly oldestPending: Gauge<'tier' | 'workload_type'>,
    @InjectMetric(SCHEDULER_METRIC.latency) readonly latency: Histogram<'tier'>,
    @InjectMetric(SCHEDULER_METRIC.softAffinity) readonly softAffinity: Counter<'result'>,
    @InjectMetric(SCHEDULER_METRIC.heartbeatAge) private readonly heartbeatAge: Gauge,
  ) {}

  /** Reports `source` in the heartbeat-age gauge until the returned function is called. */
  watchHeartbeats(source: HeartbeatAgeSource): () => void {
    let sources = HEARTBEAT_SOURCES.get(this.heartbeatAge);
    if (!sources) {
      sources = new Set();
      HEARTBEAT_SOURCES.set(this.heartbeatAge, sources);
    }
    const own = sources;
    own.add(source);
    return () => own.delete(source);
  }

  /** Metrics on a registry of their own, for a scheduler built outside Nest. */
  static detached(registry: Registry = new Registry()): SchedulerMetrics {
    const registers = [registry];
    return new SchedulerMetrics(
      new Gauge({ ...DEFINITIONS.pending, labelNames: ['tier', 'workload_type'], registers }),
      new Gauge({ ...DEFINITIONS.oldestPending, labelNames: ['tier', 'workload_type'], registers }),
      new Histogram({ ...DEFINITIONS.latency, labelNames: ['tier'], registers }),
      new Counter({ ...DEFINITIONS.softAffinity, labelNames: ['result'], registers }),
      new Gauge({ ...DEFINITIONS.heartbeatAge, registers }),
    );
  }

  /** Replaces the queue gauges with the current queue. */
  setQueue(samples: Iterable<QueueSample>, now: number): void {
    const series = queueSeries(samples, now);
    this.pending.reset();
    this.oldestPending.reset();
    for (const s of series) {
      this.pending.set({ tier: s.tier, workload_type: s.workloadType }, s.count);
      this.oldestPending.set({ tier: s.tier, workload_type: s.workloadType }, s.oldestAgeSeconds);
    }
  }

  /** Empties the queue gauges (not leading). */
  clearQueue(): void {
    this.pending.reset();
    this.oldestPending.reset();
  }
}
