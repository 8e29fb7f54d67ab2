import { DEFAULT_TIERS } from '@niyanta/models';
import { resolveLeaderOptions, type LeaderOptions } from './leader-options';

const BASE: LeaderOptions = {
  leaderId: 'l1',
  workerTimeoutMs: 15_000,
  leaseTtlMs: 5_000,
  leaseRenewIntervalMs: 1_000,
  sweepIntervalMs: 2_000,
  assignmentAckTimeoutMs: 5_000,
  retryBaseDelayMs: 1_000,
  retryMaxDelayMs: 300_000,
};

describe(resolveLeaderOptions.name, () => {
  it('fills in the defaults', () => {
    expect(resolveLeaderOptions(BASE)).toEqual({
      ...BASE,
      assignmentResends: 2,
      orphanAfterHeartbeats: 3,
      healthCheckIntervalMs: 1_000,
      maxQueuedWorkloads: 100_000,
      maxQueuedPerCustomer: 10_000,
      maxPlacementsPerPass: 1_000,
      tiers: DEFAULT_TIERS,
      fallbackTier: 'free',
      agingPerMinute: 10,
      shareCost: 100,
      auditRetentionMs: 30 * 86_400_000,
      auditRetentionIntervalMs: 600_000,
      auditRetentionBatchSize: 5_000,
      tenantMetricsIntervalMs: 15_000,
      tenantMetricsTopCustomers: 10,
      scheduleIntervalMs: 200,
      scheduleCatchUpMs: 60_000,
      scheduleBatchSize: 200,
    });
    expect(resolveLeaderOptions({ ...BASE, workerTimeoutMs: 2_000 }).healthCheckIntervalMs).toBe(400);
    expect(resolveLeaderOptions({ ...BASE, workerTimeoutMs: 100 }).healthCheckIntervalMs).toBe(100);
  });

  it.each<[string, Partial<LeaderOptions>]>([
    ['shareCost', { shareCost: -1 }],
    ['leaderId', { leaderId: '' }],
    ['leaseRenewIntervalMs', { leaseRenewIntervalMs: 3_000 }],
    ['workerTimeoutMs', { workerTimeoutMs: 0 }],
    ['retryMaxDelayMs', { retryMaxDelayMs: 10 }],
    ['assignmentResends', { assignmentResends: -1 }],
    ['orphanAfterHeartbeats', { orphanAfterHeartbeats: 0 }],
    ['sweepIntervalMs', { sweepIntervalMs: Number.NaN }],
  ])('rejects a bad %s', (name, override) => {
    expect(() => resolveLeaderOptions({ ...BASE, ...override })).toThrow(name);
  });
});
