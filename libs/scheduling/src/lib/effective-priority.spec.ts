import fc from 'fast-check';
import { effectivePriority } from './effective-priority';

const input = fc.record({
  priority: fc.integer({ min: 0, max: 1000 }),
  tierWeight: fc.integer({ min: 0, max: 500 }),
  waitingMs: fc.integer({ min: 0, max: 7 * 24 * 3_600_000 }),
});

describe(effectivePriority.name, () => {
  it('is priority + tier weight + 10 points per minute waited by default', () => {
    expect(effectivePriority({ priority: 500, tierWeight: 100, waitingMs: 0 })).toBe(600);
    expect(effectivePriority({ priority: 500, tierWeight: 100, waitingMs: 90_000 })).toBe(615);
    expect(effectivePriority({ priority: 0, tierWeight: 0, waitingMs: 60_000 }, { agingPerMinute: 3 })).toBe(3);
  });

  it('grows with waiting time and never falls below priority + tier weight', () => {
    fc.assert(
      fc.property(input, fc.integer({ min: 1, max: 3_600_000 }), (i, extra) => {
        const base = effectivePriority(i);
        expect(base).toBeGreaterThanOrEqual(i.priority + i.tierWeight);
        expect(effectivePriority({ ...i, waitingMs: i.waitingMs + extra })).toBeGreaterThan(base);
        expect(effectivePriority({ ...i, waitingMs: -extra })).toBe(i.priority + i.tierWeight);
      }),
    );
  });

  it('lets any waiting workload eventually outrank any fresh one (no starvation)', () => {
    fc.assert(
      fc.property(input, input, fc.integer({ min: 1, max: 100 }), (low, high, aging) => {
        const gap = high.priority + high.tierWeight - (low.priority + low.tierWeight);
        const waitingMs = (Math.max(0, gap) / aging) * 60_000 + 1;
        const old = effectivePriority({ ...low, waitingMs }, { agingPerMinute: aging });
        const fresh = effectivePriority({ ...high, waitingMs: 0 }, { agingPerMinute: aging });
        expect(old).toBeGreaterThan(fresh);
      }),
    );
  });

  it('ignores waiting when aging is off, and rejects a negative rate', () => {
    expect(effectivePriority({ priority: 7, tierWeight: 3, waitingMs: 1e9 }, { agingPerMinute: 0 })).toBe(10);
    expect(() => effectivePriority({ priority: 0, tierWeight: 0, waitingMs: 0 }, { agingPerMinute: -1 })).toThrow(RangeError);
  });
});
