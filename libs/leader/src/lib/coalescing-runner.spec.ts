import { CoalescingRunner } from './coalescing-runner';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => undefined as void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe(CoalescingRunner.name, () => {
  it('folds any number of triggers during a run into exactly one more run', async () => {
    const gates = [deferred(), deferred()];
    let runs = 0;
    const runner = new CoalescingRunner(async () => {
      await gates[runs++]?.promise;
    }, fail);

    runner.trigger();
    expect(runner.running).toBe(true);
    for (let i = 0; i < 100; i++) runner.trigger();
    gates[0]?.resolve();
    await tick();
    expect(runs).toBe(2);
    gates[1]?.resolve();
    await tick();
    expect(runner.running).toBe(false);
    expect(runs).toBe(2);
  });

  it('reports a failing run and keeps serving triggers', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const runner = new CoalescingRunner(async () => {
      runs++;
      if (runs === 1) throw new Error('boom');
    }, (error) => errors.push(error));

    runner.trigger();
    await tick();
    runner.trigger();
    await tick();
    expect(runs).toBe(2);
    expect(errors).toEqual([new Error('boom')]);
  });

  it('keeps the earliest of several scheduled runs', async () => {
    jest.useFakeTimers();
    try {
      let runs = 0;
      const runner = new CoalescingRunner(async () => {
        runs++;
      }, fail);
      runner.schedule(1_000);
      runner.schedule(100);
      runner.schedule(5_000);
      await jest.advanceTimersByTimeAsync(99);
      expect(runs).toBe(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(runs).toBe(1);
      await jest.advanceTimersByTimeAsync(10_000);
      expect(runs).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('waits for the current run on stop and runs nothing afterwards', async () => {
    const gate = deferred();
    let finished = 0;
    const runner = new CoalescingRunner(async () => {
      await gate.promise;
      finished++;
    }, fail);
    runner.trigger();
    runner.trigger();
    const stopped = runner.stop();
    gate.resolve();
    await stopped;
    expect(finished).toBe(1);
    runner.trigger();
    runner.schedule(0);
    await tick();
    expect(finished).toBe(1);
  });
});

function fail(error: unknown): never {
  throw error;
}
