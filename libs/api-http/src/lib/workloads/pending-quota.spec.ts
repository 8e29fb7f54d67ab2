import { ErrorCode } from '@niyanta/models';
import { PendingQuota } from './pending-quota';

describe(PendingQuota.name, () => {
  function setup(stored: Map<string, number>) {
    let now = 0;
    let counts = 0;
    const quota = new PendingQuota(
      async (customerId) => {
        counts++;
        return stored.get(customerId) ?? 0;
      },
      () => now,
      1_000,
    );
    return { quota, advance: (ms: number) => (now += ms), countQueries: () => counts };
  }

  it('admits up to the limit, refuses past it with quota_exceeded, and counts once per interval', async () => {
    const { quota, countQueries } = setup(new Map([['c', 8]]));
    await quota.admit('c', 10, 2);
    await expect(quota.admit('c', 10, 1)).rejects.toMatchObject({ code: ErrorCode.QuotaExceeded });
    expect(countQueries()).toBe(1);
  });

  it('lets concurrent submissions share one count and never both pass the last place', async () => {
    const { quota, countQueries } = setup(new Map([['c', 9]]));
    const results = await Promise.allSettled([quota.admit('c', 10, 1), quota.admit('c', 10, 1), quota.admit('c', 10, 1)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(countQueries()).toBe(1);
  });

  it('gives back what was not created, and counts again once the interval has passed', async () => {
    const stored = new Map([['c', 9]]);
    const { quota, advance, countQueries } = setup(stored);
    await quota.admit('c', 10, 1);
    quota.release('c', 1); // an idempotent repeat: nothing new is waiting
    await quota.admit('c', 10, 1);
    stored.set('c', 0); // the backlog was placed
    advance(1_000);
    await quota.admit('c', 10, 10);
    expect(countQueries()).toBe(2);
  });

  it('lets a failed count fail the submission, admits nothing for it, and counts again on the next', async () => {
    let fail = true;
    const quota = new PendingQuota(async () => {
      if (fail) throw new Error('database unreachable');
      return 0;
    });
    await expect(quota.admit('c', 1, 1)).rejects.toThrow('database unreachable');
    fail = false;
    await quota.admit('c', 1, 1);
    await expect(quota.admit('c', 1, 1)).rejects.toMatchObject({ code: ErrorCode.QuotaExceeded });
  });
});
