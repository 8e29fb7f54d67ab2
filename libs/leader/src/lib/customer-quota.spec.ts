import { DEFAULT_TIERS } from '@niyanta/models';
import { CustomerQuota } from './customer-quota';

describe(CustomerQuota.name, () => {
  const capped = { name: 'capped', requestsPerSecond: 1, burst: 1, maxRunning: 2, schedulingWeight: 0, maxPriority: 1000, maxPending: 1000, maxFleetShare: 1, maxSchedules: 10 };

  it('knows configured tiers and null, not a tier created since the last read', () => {
    const quota = new CustomerQuota(DEFAULT_TIERS, 'standard');
    expect(quota.knows('premium')).toBe(true);
    expect(quota.knows(null)).toBe(true);
    expect(quota.knows('capped')).toBe(false);
    // Unknown tiers get the fallback's limits until the definitions are read again.
    expect(quota.tier('capped').name).toBe('standard');

    quota.setTiers({ capped });
    expect(quota.knows('capped')).toBe(true);
    expect(quota.tier('capped').maxRunning).toBe(2);
  });

  it('holds a customer at its tier limit', () => {
    const quota = new CustomerQuota({ ...DEFAULT_TIERS, capped }, 'standard');
    quota.replaceAll(new Map([['c1', 2]]));
    expect(quota.atLimit('c1', 'capped')).toBe(true);
    expect(quota.atLimit('c2', 'capped')).toBe(false);
  });
});
