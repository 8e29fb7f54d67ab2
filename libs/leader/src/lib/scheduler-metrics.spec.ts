import { Registry } from 'prom-client';
import { MAX_TYPE_LABELS, OTHER_TYPES, SchedulerMetrics, queueSeries, softAffinityResult } from './scheduler-metrics';

describe(queueSeries.name, () => {
  it('counts and ages the queue by tier and type', () => {
    const series = queueSeries(
      [
        { tier: 'free', workloadType: 'sleep', pendingSince: 1_000 },
        { tier: 'free', workloadType: 'sleep', pendingSince: 4_000 },
        { tier: 'enterprise', workloadType: 'sleep', pendingSince: 9_000 },
      ],
      10_000,
    );
    expect(series).toEqual(
      expect.arrayContaining([
        { tier: 'free', workloadType: 'sleep', count: 2, oldestAgeSeconds: 9 },
        { tier: 'enterprise', workloadType: 'sleep', count: 1, oldestAgeSeconds: 1 },
      ]),
    );
    expect(series).toHaveLength(2);
  });

  it('names at most MAX_TYPE_LABELS types (the biggest) and sums the rest as other', () => {
    const samples = [];
    for (let t = 0; t < MAX_TYPE_LABELS + 20; t++) {
      for (let i = 0; i <= t; i++) samples.push({ tier: 'free', workloadType: `type-${t}`, pendingSince: t });
    }
    const series = queueSeries(samples, 1_000);
    const types = new Set(series.map((s) => s.workloadType));
    expect(types.size).toBe(MAX_TYPE_LABELS + 1);
    expect(types.has(OTHER_TYPES)).toBe(true);
    expect(types.has('type-0')).toBe(false);
    expect(series.reduce((sum, s) => sum + s.count, 0)).toBe(samples.length);
    expect(series.find((s) => s.workloadType === OTHER_TYPES)?.oldestAgeSeconds).toBeCloseTo(1, 5);
  });
});

describe(softAffinityResult.name, () => {
  it('classifies placements of workloads with soft rules, and ignores the others', () => {
    expect(softAffinityResult(0, 0, false, false)).toBeNull();
    expect(softAffinityResult(2, 2, true, true)).toBe('satisfied');
    expect(softAffinityResult(2, 1, false, false)).toBe('partial');
    expect(softAffinityResult(0, 0, true, false)).toBe('unsatisfied');
    expect(softAffinityResult(1, 0, true, true)).toBe('partial');
  });
});

describe(SchedulerMetrics.name, () => {
  it('replaces the queue gauges on each report and empties them on demand', async () => {
    const registry = new Registry();
    const metrics = SchedulerMetrics.detached(registry);
    metrics.setQueue([{ tier: 'free', workloadType: 'a', pendingSince: 0 }], 2_000);
    metrics.setQueue([{ tier: 'standard', workloadType: 'b', pendingSince: 0 }], 2_000);
    const text = await registry.metrics();
    expect(text).toContain('niyanta_scheduler_pending_workloads{tier="standard",workload_type="b"} 1');
    expect(text).not.toContain('workload_type="a"');
    expect(text).toContain('niyanta_scheduler_oldest_pending_age_seconds{tier="standard",workload_type="b"} 2');
    metrics.clearQueue();
    expect(await registry.metrics()).not.toContain('workload_type="b"');
  });
});

describe('heartbeat age gauge', () => {
  it('is computed at scrape time from the watched sources, the oldest wins, 0 once unwatched', async () => {
    const registry = new Registry();
    const metrics = SchedulerMetrics.detached(registry);
    let a: number | null = 1500;
    const stopA = metrics.watchHeartbeats(() => a);
    const stopB = metrics.watchHeartbeats(() => 4000);
    expect(await registry.getSingleMetricAsString('niyanta_leader_oldest_heartbeat_age_seconds')).toMatch(/ 4$/m);
    a = 9000;
    expect(await registry.getSingleMetricAsString('niyanta_leader_oldest_heartbeat_age_seconds')).toMatch(/ 9$/m);
    stopA();
    stopB();
    expect(await registry.getSingleMetricAsString('niyanta_leader_oldest_heartbeat_age_seconds')).toMatch(/ 0$/m);
  });
});
