import { planFires, tickIdempotencyKey } from './fire-plan';
import { overlapDecision } from './overlap';

const everySecond = { cron: '* * * * * *', timezone: 'UTC' };
const everyMinute = { cron: '* * * * *', timezone: 'UTC' };
const options = { catchUpMs: 30_000, maxTicks: 100 };

describe('planFires', () => {
  it('fires nothing before the due tick', () => {
    const due = new Date('2026-01-01T00:00:10Z');
    expect(planFires(everySecond, due, new Date('2026-01-01T00:00:09.5Z'), options)).toEqual({ ticks: [], nextRunAt: due, collapsed: false });
  });

  it('fires every tick of a short gap (a failover) one by one', () => {
    const plan = planFires(everySecond, new Date('2026-01-01T00:00:10Z'), new Date('2026-01-01T00:00:14.2Z'), options);
    expect(plan.ticks.map((t) => t.toISOString().slice(17, 19))).toEqual(['10', '11', '12', '13', '14']);
    expect(plan.nextRunAt?.toISOString()).toBe('2026-01-01T00:00:15.000Z');
    expect(plan.collapsed).toBe(false);
  });

  it('bounds the ticks of one round', () => {
    const plan = planFires(everySecond, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:20Z'), { catchUpMs: 30_000, maxTicks: 3 });
    expect(plan.ticks).toHaveLength(3);
    expect(plan.nextRunAt?.toISOString()).toBe('2026-01-01T00:00:03.000Z');
  });

  it('fires a long downtime once, for its latest tick', () => {
    const plan = planFires(everyMinute, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T03:17:42Z'), options);
    expect(plan.ticks.map((t) => t.toISOString())).toEqual(['2026-01-01T03:17:00.000Z']);
    expect(plan.nextRunAt?.toISOString()).toBe('2026-01-01T03:18:00.000Z');
    expect(plan.collapsed).toBe(true);
  });

  it('keys a tick by schedule and instant', () => {
    expect(tickIdempotencyKey('s1', new Date('2026-01-01T00:00:01Z'))).toBe('schedule:s1:2026-01-01T00:00:01.000Z');
  });
});

describe('overlapDecision', () => {
  it('follows the policy only while the previous workload is active', () => {
    expect(overlapDecision('skip', false)).toBe('fire');
    expect(overlapDecision('skip', true)).toBe('skip');
    expect(overlapDecision('allow', true)).toBe('fire');
    expect(overlapDecision('cancel_previous', true)).toBe('cancel_previous_and_fire');
  });
});
