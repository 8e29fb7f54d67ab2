import { eventually } from '@niyanta/testing';
import { createEnvelope } from '@niyanta/models';
import { runBrokerConformance } from '../../testing/broker.conformance';
import type { BrokerLogger } from '../broker-runtime';
import { InProcessBroker } from './in-process-broker.adapter';

const silent: BrokerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

let counter = 0;
runBrokerConformance('in-process', async () => {
  const prefix = `inproc${++counter}`;
  const broker = new InProcessBroker({ prefix, redeliveryDelayMs: 50, logger: silent });
  return { broker, prefix, cleanup: () => broker.close() };
});

describe(InProcessBroker.name, () => {
  it('runs up to `concurrency` durable handlers of one member at a time', async () => {
    const broker = new InProcessBroker({ prefix: 'conc', logger: silent });
    let running = 0;
    let peak = 0;
    let done = 0;
    // Each handler holds its slot until the test lets it go, so the broker always has more to start.
    const waiting: Array<() => void> = [];
    await broker.consumeDurable(
      'conc.worker.w1.assign',
      'w1',
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => waiting.push(resolve));
        running--;
        done++;
      },
      { concurrency: 3 },
    );

    for (let i = 0; i < 9; i++) await broker.publishDurable('conc.worker.w1.assign', createEnvelope('a', { i }));
    await eventually('three handlers running', () => running === 3);
    for (let released = 0; released < 9; released++) {
      await eventually('a handler waiting', () => waiting.length > 0);
      (waiting.shift() as () => void)();
    }
    await eventually('all nine handled', () => done === 9);

    expect(peak).toBe(3);
    await broker.close();
  });

  it('discards durable messages older than the stream max age', async () => {
    const broker = new InProcessBroker({ prefix: 'age', streamMaxAgeMs: 30, logger: silent });
    await broker.publishDurable('age.worker.w1.assign', createEnvelope('a', { old: true }));
    await new Promise((resolve) => setTimeout(resolve, 60));
    const fresh = createEnvelope('a', { old: false });
    await broker.publishDurable('age.worker.w1.assign', fresh);
    const got: string[] = [];

    await broker.consumeDurable('age.worker.w1.assign', 'w1', async (message) => {
      got.push(message.id);
    });
    // Delivered in order: had the old one been kept, it would have come first.
    await eventually('the fresh message', () => got.includes(fresh.id));

    expect(got).toEqual([fresh.id]);
    await broker.close();
  });

  it('rejects a concurrency that is not a positive integer', async () => {
    const broker = new InProcessBroker({ prefix: 'bad', logger: silent });

    await expect(broker.consumeDurable('bad.worker.w.assign', 'w', async () => undefined, { concurrency: 0 })).rejects.toThrow(
      'positive integer',
    );
    await broker.close();
  });
});
