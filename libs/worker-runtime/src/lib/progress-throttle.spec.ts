import { ProgressThrottle } from './progress-throttle';

describe(ProgressThrottle.name, () => {
  let now = 0;
  let writes: Array<[number, string | null, number]>;
  let throttle: ProgressThrottle;

  beforeEach(() => {
    jest.useFakeTimers();
    now = 1_000;
    writes = [];
    throttle = new ProgressThrottle(
      250,
      async (progress, message) => {
        writes.push([progress, message, now]);
      },
      () => now,
    );
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  async function advance(ms: number): Promise<void> {
    now += ms;
    await jest.advanceTimersByTimeAsync(ms);
  }

  it('writes the first report at once and coalesces a burst into the last value', async () => {
    await throttle.report(0.1, 'a');
    expect(writes).toEqual([[0.1, 'a', 1_000]]);
    for (let i = 2; i <= 9; i++) await throttle.report(i / 10, `m${i}`);
    expect(writes).toHaveLength(1);
    await advance(249);
    expect(writes).toHaveLength(1);
    await advance(1);
    expect(writes).toEqual([
      [0.1, 'a', 1_000],
      [0.9, 'm9', 1_250],
    ]);
  });

  it('never writes more often than the interval under a steady stream', async () => {
    for (let t = 0; t < 2_000; t += 10) {
      await throttle.report(t / 2_000, null);
      await advance(10);
    }
    await advance(250);
    const times = writes.map(([, , at]) => at);
    const gaps = times.slice(1).map((at, i) => at - (times[i] ?? 0));
    expect(gaps.every((gap) => gap >= 250)).toBe(true);
    expect(writes.length).toBeGreaterThanOrEqual(8);
    expect(writes.at(-1)?.[0]).toBe(1_990 / 2_000);
  });

  it('flush writes the pending value now; stop drops it', async () => {
    await throttle.report(0.2, null);
    await throttle.report(0.3, 'pending');
    await throttle.flush();
    expect(writes.map(([p]) => p)).toEqual([0.2, 0.3]);
    await throttle.report(0.4, null);
    throttle.stop();
    await advance(1_000);
    await throttle.report(0.5, null);
    expect(writes.map(([p]) => p)).toEqual([0.2, 0.3]);
  });

  it('does not overlap writes: a slow write delays the next until it ends', async () => {
    const started: number[] = [];
    let release: () => void = () => undefined;
    const slow = new ProgressThrottle(
      10,
      (progress) => {
        started.push(progress);
        return new Promise<void>((resolve) => (release = resolve));
      },
      () => now,
    );
    const first = slow.report(0.1, null);
    await slow.report(0.2, null);
    await advance(100);
    expect(started).toEqual([0.1]);
    release();
    await first;
    await advance(10);
    expect(started).toEqual([0.1, 0.2]);
    release();
  });
});
