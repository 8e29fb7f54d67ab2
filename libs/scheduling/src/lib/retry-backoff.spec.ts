import fc from 'fast-check';
import { retryDelayMs, retryEnvelopeMs } from './retry-backoff';

const options = fc
  .record({ baseMs: fc.integer({ min: 1, max: 10_000 }), span: fc.integer({ min: 0, max: 1_000_000 }), jitter: fc.double({ min: 0, max: 1, noNaN: true }) })
  .map(({ baseMs, span, jitter }) => ({ baseMs, maxMs: baseMs + span, jitter }));
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe(retryDelayMs.name, () => {
  it('stays within [envelope * (1 - jitter), envelope] and never above maxMs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), options, unit, (failures, opts, r) => {
        const envelope = retryEnvelopeMs(failures, opts);
        const delay = retryDelayMs(failures, opts, () => r);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeLessThanOrEqual(envelope);
        expect(delay).toBeLessThanOrEqual(opts.maxMs);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(envelope * (1 - opts.jitter)));
      }),
    );
  });

  it('has a non-decreasing envelope that doubles until the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), options, (failures, opts) => {
        const now = retryEnvelopeMs(failures, opts);
        const next = retryEnvelopeMs(failures + 1, opts);
        expect(next).toBeGreaterThanOrEqual(now);
        expect(next).toBe(Math.min(opts.maxMs, now * 2));
      }),
    );
  });

  it('uses base 1 s, cap 60 s, jitter 20 % by default', () => {
    expect([1, 2, 3, 4, 7, 8, 100].map((n) => retryDelayMs(n, {}, () => 0))).toEqual([
      1000, 2000, 4000, 8000, 60_000, 60_000, 60_000,
    ]);
    expect(retryDelayMs(1, {}, () => 0.999999)).toBe(800);
  });

  it('is 0 before any failure and without jitter is exactly the envelope', () => {
    expect(retryDelayMs(0)).toBe(0);
    expect(retryDelayMs(-3)).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), unit, (failures, r) => {
        expect(retryDelayMs(failures, { jitter: 0 }, () => r)).toBe(retryEnvelopeMs(failures));
      }),
    );
  });

  it('spreads out retries of workloads that failed together', () => {
    const delays = new Set(Array.from({ length: 200 }, () => retryDelayMs(5)));
    expect(delays.size).toBeGreaterThan(50);
  });

  it('rejects nonsensical options', () => {
    expect(() => retryDelayMs(1, { jitter: 1.5 })).toThrow(RangeError);
    expect(() => retryDelayMs(1, { baseMs: -1 })).toThrow(RangeError);
    expect(() => retryDelayMs(1, { baseMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});
