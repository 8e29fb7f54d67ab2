import { SubmissionCoalescer } from './submission-coalescer';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe(SubmissionCoalescer.name, () => {
  it('writes at once while below the in-flight limit and groups what queues behind it', async () => {
    const calls: number[][] = [];
    const gates: Array<ReturnType<typeof deferred<void>>> = [];
    const coalescer = new SubmissionCoalescer<number, string>(
      async (items) => {
        calls.push(items);
        const gate = deferred<void>();
        gates.push(gate);
        await gate.promise;
        return items.map((item) => `r${item}`);
      },
      { maxInFlight: 1, maxGroupSize: 3 },
    );
    const results = [1, 2, 3, 4, 5].map((item) => coalescer.submit(item));
    expect(calls).toEqual([[1]]);
    gates[0]?.resolve();
    await results[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([[1], [2, 3, 4]]);
    gates[1]?.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    gates[2]?.resolve();
    expect(await Promise.all(results)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(calls).toEqual([[1], [2, 3, 4], [5]]);
  });

  it('fails every item of a failed group and keeps serving later ones', async () => {
    let fail = true;
    const coalescer = new SubmissionCoalescer<number, number>(async (items) => {
      if (fail) throw new Error('db down');
      return items;
    });
    await expect(coalescer.submit(1)).rejects.toThrow('db down');
    fail = false;
    await expect(coalescer.submit(2)).resolves.toBe(2);
  });

  it('retries a failed group item by item, so one bad item fails its own caller only', async () => {
    const calls: number[][] = [];
    const gate = deferred<void>();
    const coalescer = new SubmissionCoalescer<number, number>(
      async (items) => {
        calls.push(items);
        if (items[0] === 0) await gate.promise; // holds the only slot so the rest are grouped
        if (items.includes(-1)) throw new Error('invalid byte sequence');
        return items.map((item) => item * 10);
      },
      { maxInFlight: 1 },
    );
    const first = coalescer.submit(0);
    const grouped = [1, -1, 2].map((item) => coalescer.submit(item));
    gate.resolve();
    await expect(first).resolves.toBe(0);
    const settled = await Promise.allSettled(grouped);
    expect(settled.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([10, 'invalid byte sequence', 20]);
    expect(calls).toEqual([[0], [1, -1, 2], [1], [-1], [2]]);
  });

  it('does not retry item by item a failure that is no item\'s doing', async () => {
    const calls: number[][] = [];
    const gate = deferred<void>();
    const coalescer = new SubmissionCoalescer<number, number>(
      async (items) => {
        calls.push(items);
        if (items[0] === 0) {
          await gate.promise;
          return items;
        }
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
      { maxInFlight: 1, retryItemsAfter: (error) => (error as { code?: string }).code !== 'ECONNREFUSED' },
    );
    const first = coalescer.submit(0);
    const grouped = [1, 2, 3].map((item) => coalescer.submit(item));
    gate.resolve();
    await first;
    const settled = await Promise.allSettled(grouped);
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(calls).toEqual([[0], [1, 2, 3]]);
  });

  it('rejects when the write returns the wrong number of results', async () => {
    const coalescer = new SubmissionCoalescer<number, number>(async () => []);
    await expect(coalescer.submit(1)).rejects.toThrow('0 results for 1 items');
  });
});
