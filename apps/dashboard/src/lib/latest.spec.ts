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

/** One LatestRead, what its outcomes were told (in order), and a way to start a read held open. */
function harness() {
  const reads = new LatestRead();
  const seen: string[] = [];
  const outcome = {
    value: (value: string) => seen.push(`value ${value}`),
    error: (error: unknown) => seen.push(`error ${String(error)}`),
    settled: () => seen.push('settled'),
  };
  const start = () => {
    const answer = deferred<string>();
    return { ...answer, done: reads.run(() => answer.promise, outcome) };
  };
  return { reads, seen, outcome, start };
}

describe(LatestRead.name, () => {
  it('gives a lone read its value, then settles it', async () => {
    const { reads, seen, outcome } = harness();
    await reads.run(async () => 'RUNNING', outcome);
    expect(seen).toEqual(['value RUNNING', 'settled']);
  });

  it('gives a lone read its failure, then settles it', async () => {
    const { reads, seen, outcome } = harness();
    await reads.run(() => Promise.reject(new Error('503')), outcome);
    expect(seen).toEqual(['error Error: 503', 'settled']);
  });

  it('drops an older answer that arrives after a newer one', async () => {
    const { seen, start } = harness();
    const older = start();
    const newer = start();
    newer.resolve('RUNNING');
    await newer.done;
    older.resolve('PAUSED');
    await older.done;
    expect(seen).toEqual(['value RUNNING', 'settled']);
  });

  it('drops an older answer that arrives first, while a newer read is still out', async () => {
    const { seen, start } = harness();
    const older = start();
    const newer = start();
    older.resolve('PAUSED');
    await older.done;
    expect(seen).toEqual([]);
    newer.resolve('RUNNING');
    await newer.done;
    expect(seen).toEqual(['value RUNNING', 'settled']);
  });

  it('drops an older failure that arrives after a newer answer', async () => {
    const { seen, start } = harness();
    const older = start();
    const newer = start();
    newer.resolve('RUNNING');
    await newer.done;
    older.reject(new Error('connection reset'));
    await older.done;
    expect(seen).toEqual(['value RUNNING', 'settled']);
  });

  it('keeps a newer failure after an older answer', async () => {
    const { seen, start } = harness();
    const older = start();
    const newer = start();
    older.resolve('PAUSED');
    newer.reject(new Error('503'));
    await Promise.all([older.done, newer.done]);
    expect(seen).toEqual(['error Error: 503', 'settled']);
  });
});
