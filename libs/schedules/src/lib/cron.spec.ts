import fc from 'fast-check';
import { Cron } from 'croner';
import { cronProblems, latestTickAtOrBefore, nextTick, ticksBetween } from './cron';

/** Local wall-clock fields of `date` in `timeZone`. */
function wallClock(date: Date, timeZone: string): { hour: number; minute: number; second: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(date);
  const field = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  return { hour: field('hour'), minute: field('minute'), second: field('second') };
}

// Spring-forward and fall-back weeks of 2026 in both zones, as a window for random instants.
const DST_WINDOWS = [
  { zone: 'America/New_York', from: Date.UTC(2026, 2, 6), to: Date.UTC(2026, 2, 10) },
  { zone: 'America/New_York', from: Date.UTC(2026, 9, 30), to: Date.UTC(2026, 10, 3) },
  { zone: 'Europe/London', from: Date.UTC(2026, 2, 27), to: Date.UTC(2026, 2, 31) },
  { zone: 'Europe/London', from: Date.UTC(2026, 9, 23), to: Date.UTC(2026, 9, 27) },
];

const EXPRESSIONS = ['*/7 * * * *', '30 1 * * *', '30 2 * * *', '0 */2 * * *', '15 * * * *', '*/20 * * * * *', '0 30 1 * * *', '0 0 0 * * 0'];

describe('cron ticks across DST transitions', () => {
  const arbitrary = fc.record({
    window: fc.constantFrom(...DST_WINDOWS),
    offset: fc.double({ min: 0, max: 1, noNaN: true }),
    cron: fc.constantFrom(...EXPRESSIONS),
  });

  it('the next tick is the library’s next run, strictly later, and on a wall-clock time the expression matches', () => {
    fc.assert(
      fc.property(arbitrary, ({ window, offset, cron }) => {
        const after = new Date(window.from + Math.floor(offset * (window.to - window.from)));
        const tick = nextTick({ cron, timezone: window.zone }, after) as Date;
        const reference = new Cron(cron, { timezone: window.zone, paused: true }).nextRun(after) as Date;
        expect(tick.toISOString()).toBe(reference.toISOString());
        expect(tick.getTime()).toBeGreaterThan(after.getTime());
        const wall = wallClock(tick, window.zone);
        const fields = cron.split(' ');
        const [second, minute] = fields.length === 6 ? [fields[0], fields[1]] : ['0', fields[0]];
        if (/^\d+$/.test(second as string)) expect(wall.second).toBe(Number(second));
        if (/^\d+$/.test(minute as string)) expect(wall.minute).toBe(Number(minute));
      }),
      { numRuns: 300 },
    );
  });

  it('consecutive ticks never repeat an instant and are in order (no double fire in the repeated hour)', () => {
    fc.assert(
      fc.property(arbitrary, ({ window, cron }) => {
        const ticks = ticksBetween({ cron, timezone: window.zone }, new Date(window.from), new Date(window.to), 10_000);
        for (let i = 1; i < ticks.length; i++) expect((ticks[i] as Date).getTime()).toBeGreaterThan((ticks[i - 1] as Date).getTime());
        expect(new Set(ticks.map((t) => t.getTime())).size).toBe(ticks.length);
      }),
      { numRuns: 12 },
    );
  });

  it('the latest tick at or before an instant is the last one a forward walk reaches', () => {
    fc.assert(
      fc.property(arbitrary, ({ window, offset, cron }) => {
        const spec = { cron, timezone: window.zone };
        const at = new Date(window.from + Math.floor(offset * (window.to - window.from)));
        const walked = ticksBetween(spec, new Date(window.from), at, 100_000);
        const latest = latestTickAtOrBefore(spec, new Date(window.from), at);
        expect(latest?.toISOString() ?? null).toBe(walked[walked.length - 1]?.toISOString() ?? null);
      }),
      { numRuns: 40 },
    );
  });

  it('a daily 02:30 in New York skips the missing hour on spring-forward and fires once on fall-back', () => {
    const spec = { cron: '30 2 * * *', timezone: 'America/New_York' };
    // 2026-03-08 02:30 does not exist in New York: croner fires once, when the clock jumps (03:00 EDT).
    expect(ticksBetween(spec, new Date('2026-03-07T12:00:00Z'), new Date('2026-03-09T12:00:00Z'), 10).map((t) => t.toISOString())).toEqual([
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
    // 01:30 on 2026-11-01 happens twice; it fires once.
    const fallBack = ticksBetween({ cron: '30 1 * * *', timezone: 'America/New_York' }, new Date('2026-11-01T00:00:00Z'), new Date('2026-11-02T00:00:00Z'), 10);
    expect(fallBack).toHaveLength(1);
  });
});

describe('cronProblems', () => {
  it('accepts 5 and 6 fields in a real zone', () => {
    expect(cronProblems('*/5 * * * *', 'UTC')).toEqual([]);
    expect(cronProblems('* * * * * *', 'Europe/London')).toEqual([]);
  });

  it('refuses a wrong field count, a bad field, an unknown zone and an expression that never fires', () => {
    expect(cronProblems('* * * *', 'UTC')[0]?.path).toBe('cron');
    expect(cronProblems('0 0 0 1 1 * 2030', 'UTC')[0]?.path).toBe('cron');
    expect(cronProblems('61 * * * *', 'UTC')[0]?.path).toBe('cron');
    expect(cronProblems('* * * * *', 'Mars/Olympus')).toEqual([expect.objectContaining({ path: 'timezone' })]);
    expect(cronProblems('0 0 30 2 *', 'UTC')).toEqual([{ path: 'cron', message: 'never fires' }]);
  });
});
