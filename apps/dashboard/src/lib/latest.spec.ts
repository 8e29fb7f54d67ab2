import { LatestRead } from './latest';

/** A read whose answer (or failure) the test gives when it chooses. */
function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function recorder() {
  const seen: string[] = [];
  return {
    seen,
    outcome: {
      value: (value: string) => seen.push(`value ${value}`),
      error: (error: unknown) => seen.push(`error ${String(error)}`),
      settled: () => seen.push('settled'),
    },
  };
}

describe(LatestRead.name, () => {
  it('gives a lone read its value, then settles it', async () => {
    const { seen, outcome } = recorder();
    await new LatestRead().run(async () => 'RUNNING', outcome);
    expect(seen).toEqual(['value RUNNING', 'settled']);
  });

  it('gives a lone read its failure, then settles it', async () => {
    const { seen, outcome } = recorder();
    await new LatestRead().run(() => Promise.reject(new Error('503')), outcome);
    expect(seen).toEqual(['error Error: 503', 'settled']);
  });

  it('drops an older answer that arrives after a newer one', async () => {
    const reads = new LatestRead();
    const { seen, outcome } = recorder();
    const older = deferred<string>();
    const newer = deferred<string>();
    const first = reads.run(() => older.promise, outcome);
    const second = reads.run(() => newer.promise, outcome);
    newer.resolve('RUNNING');
    await second;
    older.resolve('PAUSED');
    await first;
    expect(seen).toEqual(['value RUNNING', 'settled']);
  });

  it('drops an older answer that arrives first, while a newer read is still out', async () => {
    const reads = new LatestRead();
    const { seen, outcome } = recorder();
    const older = deferred<string>();
    const newer = deferred<string>();
    const first = reads.run(() => older.promise, outcome);
    const second = reads.run(() => newer.promise, outcome);
    older.resolve('PAUSED');
    await first;
    expect(seen).toEqual([]);
    newer.resolve('RUNNING');
    await second;
    expect(seen).toEqual(['value RUNNING', 'settled']);
  });

  it('drops an older failure that arrives after a newer answer', async () => {
    const reads = new LatestRead();
    const { seen, outcome } = recorder();
    const older = deferred<string>();
    const first = reads.run(() => older.promise, outcome);
    await reads.run(async () => 'RUNNING', outcome);
    older.reject(new Error('connection reset'));
    await first;
    expect(seen).toEqual(['value RUNNING', 'settled']);
  });

  it('keeps a newer failure after an older answer', async () => {
    const reads = new LatestRead();
    const { seen, outcome } = recorder();
    const older = deferred<string>();
    const newer = deferred<string>();
    const first = reads.run(() => older.promise, outcome);
    const second = reads.run(() => newer.promise, outcome);
    older.resolve('PAUSED');
    newer.reject(new Error('503'));
    await Promise.all([first, second]);
    expect(seen).toEqual(['error Error: 503', 'settled']);
  });
});
