import { OTHER_CUSTOMERS, runningSeries } from './tenant-metrics.service';

describe(runningSeries.name, () => {
  it('names the top customers and sums the rest per tier', () => {
    const usage = [
      { customerId: 'a', tier: 'free', running: 1 },
      { customerId: 'b', tier: 'premium', running: 9 },
      { customerId: 'c', tier: 'free', running: 4 },
      { customerId: 'd', tier: 'premium', running: 2 },
      { customerId: 'e', tier: null, running: 3 },
    ];
    expect(runningSeries(usage, 2)).toEqual([
      { tier: 'premium', customer: 'b', value: 9 },
      { tier: 'free', customer: 'c', value: 4 },
      { tier: 'unknown', customer: OTHER_CUSTOMERS, value: 3 },
      { tier: 'premium', customer: OTHER_CUSTOMERS, value: 2 },
      { tier: 'free', customer: OTHER_CUSTOMERS, value: 1 },
    ]);
  });

  it('keeps the label set bounded by top N plus the tiers, however many customers there are', () => {
    const usage = Array.from({ length: 5_000 }, (_, i) => ({ customerId: `c${i}`, tier: ['free', 'standard'][i % 2] ?? null, running: i % 7 }));
    expect(runningSeries(usage, 10)).toHaveLength(12);
    expect(runningSeries(usage, 0).reduce((sum, s) => sum + s.value, 0)).toBe(usage.reduce((sum, u) => sum + u.running, 0));
  });
});
