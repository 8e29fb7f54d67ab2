import { LEASE_TTL_MS, TokenLease } from './token-lease';

describe(TokenLease.name, () => {
  const state = { limit: 1_000, remaining: 500, resetMs: 400 };

  it('takes nothing ahead for a customer whose requests never overlap', () => {
    const lease = new TokenLease(() => 0);
    for (let i = 0; i < 5; i++) {
      expect(lease.take()).toBeNull();
      lease.fill(1, 0, state);
      expect(lease.ahead).toBe(0);
    }
  });

  it('starts once requests queue, serves them from the lease, and grows while it is used up in time', () => {
    let now = 0;
    const lease = new TokenLease(() => now);
    lease.fill(4, 0, state); // four requests queued behind one statement
    expect(lease.ahead).toBe(4);
    lease.fill(1, 4, state);
    expect([lease.take(), lease.take(), lease.take()].map((t) => t?.remaining)).toEqual([503, 502, 501]);
    expect(lease.take()?.remaining).toBe(500);
    expect(lease.take()).toBeNull();
    expect(lease.ahead).toBe(8);
    // Bounded by 1/20 of the bucket.
    for (let i = 0; i < 10; i++) {
      lease.fill(1, lease.ahead, state);
      while (lease.take()) now += 1;
    }
    expect(lease.ahead).toBe(50);
  });

  it('lets unused tokens lapse and halves the next lease; shrinks when the bucket cannot give the tokens asked', () => {
    let now = 0;
    const lease = new TokenLease(() => now);
    lease.fill(8, 0, state);
    lease.fill(1, 8, state);
    now += LEASE_TTL_MS;
    expect(lease.take()).toBeNull();
    expect(lease.ahead).toBe(4);
    lease.fill(1, 1, state); // asked 4, the bucket had 1
    expect(lease.ahead).toBe(2);
  });
});
