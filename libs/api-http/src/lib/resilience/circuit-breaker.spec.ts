import { CircuitBreaker } from './circuit-breaker';

describe(CircuitBreaker.name, () => {
  let clock: number;
  const breaker = (overrides: ConstructorParameters<typeof CircuitBreaker>[0] = {}) =>
    new CircuitBreaker({ failureThreshold: 3, openBaseMs: 100, openMaxMs: 400, jitter: 0, now: () => clock, ...overrides });

  beforeEach(() => {
    clock = 1_000;
  });

  it('opens after the threshold of consecutive failures; a success in between starts the count over', () => {
    const b = breaker();
    expect(b.recordFailure()).toBe(false);
    expect(b.recordFailure()).toBe(false);
    b.recordSuccess();
    expect(b.recordFailure()).toBe(false);
    expect(b.recordFailure()).toBe(false);
    expect(b.allows()).toBe(true);
    expect(b.recordFailure()).toBe(true);
    expect(b.state).toBe('open');
    expect(b.allows()).toBe(false);
    expect(b.remainingOpenMs()).toBe(100);
  });

  it('lets exactly one probe through once the opening is over; its success closes the circuit', () => {
    const b = breaker({ failureThreshold: 1 });
    b.recordFailure();
    clock += 99;
    expect(b.tryStartProbe()).toBe(false);
    clock += 1;
    expect(b.tryStartProbe()).toBe(true);
    expect(b.state).toBe('half_open');
    expect(b.allows()).toBe(false);
    expect(b.tryStartProbe()).toBe(false);
    b.probeSucceeded();
    expect(b.state).toBe('closed');
    expect(b.allows()).toBe(true);
  });

  it('doubles the opening after each failed probe, up to the maximum, and resets it once closed', () => {
    const b = breaker({ failureThreshold: 1 });
    b.recordFailure();
    const openings: number[] = [b.remainingOpenMs()];
    for (let i = 0; i < 4; i++) {
      clock += b.remainingOpenMs();
      expect(b.tryStartProbe()).toBe(true);
      b.probeFailed();
      openings.push(b.remainingOpenMs());
    }
    expect(openings).toEqual([100, 200, 400, 400, 400]);
    clock += b.remainingOpenMs();
    b.tryStartProbe();
    b.probeSucceeded();
    b.recordFailure();
    expect(b.remainingOpenMs()).toBe(100);
  });

  it('spreads openings by the jitter so replicas do not probe in step', () => {
    const low = breaker({ failureThreshold: 1, jitter: 0.2, random: () => 0 });
    const high = breaker({ failureThreshold: 1, jitter: 0.2, random: () => 0.999_999 });
    low.recordFailure();
    high.recordFailure();
    expect(low.remainingOpenMs()).toBe(80);
    expect(high.remainingOpenMs()).toBe(120);
  });

  it('ignores failures reported while not closed (calls that were already in flight)', () => {
    const b = breaker({ failureThreshold: 1 });
    b.recordFailure();
    const until = b.remainingOpenMs();
    clock += 10;
    expect(b.recordFailure()).toBe(false);
    expect(b.remainingOpenMs()).toBe(until - 10);
  });

  it('rejects nonsensical options', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ openBaseMs: 100, openMaxMs: 50 })).toThrow(RangeError);
  });
});
