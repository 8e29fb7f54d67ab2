import { Logger } from '@nestjs/common';
import type { StateHealth } from '@niyanta/state';
import { DependencyUnavailableError } from '@niyanta/models';
import { CircuitOpenError, DatabaseCircuitBreaker } from './database-circuit-breaker.service';

describe(DatabaseCircuitBreaker.name, () => {
  let pingFails: boolean;
  let pings: number;
  let breaker: DatabaseCircuitBreaker;

  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  beforeEach(() => {
    jest.useFakeTimers();
    pingFails = true;
    pings = 0;
    const state = {
      ping: async () => {
        pings++;
        if (pingFails) throw new DependencyUnavailableError('postgresql');
      },
    } as unknown as StateHealth;
    breaker = new DatabaseCircuitBreaker(state);
  });

  afterEach(() => {
    breaker.onModuleDestroy();
    jest.useRealTimers();
  });

  const fail = (n: number) => {
    for (let i = 0; i < n; i++) breaker.observeError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
  };

  it('counts only errors that say PostgreSQL is unreachable, and not its own rejections', () => {
    for (let i = 0; i < 10; i++) breaker.observeError(new Error('a bug'));
    for (let i = 0; i < 10; i++) breaker.observeError(new CircuitOpenError(1));
    expect(breaker.circuitState).toBe('closed');
    fail(4);
    breaker.recordSuccess();
    fail(4);
    expect(breaker.circuitState).toBe('closed');
    fail(1);
    expect(breaker.circuitState).toBe('open');
    expect(() => breaker.check()).toThrow(CircuitOpenError);
  });

  it('probes on its own while open, backing off, and closes once PostgreSQL answers — without any request', async () => {
    fail(5);
    await jest.advanceTimersByTimeAsync(700);
    expect(pings).toBe(1);
    expect(breaker.circuitState).toBe('open');
    await jest.advanceTimersByTimeAsync(1_300);
    expect(pings).toBe(2);
    pingFails = false;
    await jest.advanceTimersByTimeAsync(2_500);
    expect(pings).toBe(3);
    expect(breaker.circuitState).toBe('closed');
    expect(() => breaker.check()).not.toThrow();
  });

  it('keeps probing when its timer fires a moment before the opening ends (wall clock behind the timers)', async () => {
    fail(5);
    pingFails = false;
    // The wall clock jumps back a few ms: the timer fires while the opening has not quite ended.
    jest.setSystemTime(Date.now() - 5);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(pings).toBe(1);
    expect(breaker.circuitState).toBe('closed');
  });
});
