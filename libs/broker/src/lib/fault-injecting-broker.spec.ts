import { createEnvelope, type MessageEnvelope } from '@niyanta/models';
import { eventually } from '@niyanta/testing';
import { runBrokerConformance } from '../testing/broker.conformance';
import type { BrokerLogger } from './broker-runtime';
import { BrokerArgumentError } from './errors';
import { createBroker } from './broker.module';
import { FaultInjectingBroker, hasBrokerFaults } from './fault-injecting-broker';
import { InProcessBroker } from './in-process/in-process-broker.adapter';

const silent: BrokerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** A random source that returns `draws` in turn, then 0.99 (no fault) forever. */
function scripted(...draws: number[]): () => number {
  return () => draws.shift() ?? 0.99;
}

// With no faults the decorator must be invisible: the whole port contract still holds through it.
let counter = 0;
runBrokerConformance('fault-injecting (rates 0)', async () => {
  const prefix = `faults${++counter}`;
  const inner = new InProcessBroker({ prefix, redeliveryDelayMs: 50, logger: silent });
  const broker = new FaultInjectingBroker(inner, { drop: 0, duplicate: 0 });
  return { broker, prefix, cleanup: () => broker.close() };
});

describe(FaultInjectingBroker.name, () => {
  let inner: InProcessBroker;

  beforeEach(() => {
    inner = new InProcessBroker({ prefix: 'fi', redeliveryDelayMs: 20, logger: silent });
  });

  afterEach(async () => {
    await inner.close();
  });

  it('drops and duplicates fire-and-forget publishes (draw < drop: lost; < drop + dup: twice)', async () => {
    // publish #1 dropped (0.01), #2 duplicated (0.07), #3 delivered once; deliveries draw no faults.
    const broker = new FaultInjectingBroker(inner, { drop: 0.05, duplicate: 0.05 }, scripted(0.01, 0.07, 0.5));
    const got: number[] = [];
    await inner.subscribe<{ n: number }>('fi.leader.wake', (message) => {
      got.push(message.payload.n);
    });

    for (const n of [1, 2, 3]) await broker.publish('fi.leader.wake', createEnvelope('t', { n }));
    await eventually('three messages', () => got.length >= 3);

    expect(got).toEqual([2, 2, 3]);
    expect(broker.faultStats()).toMatchObject({ droppedPublishes: 1, duplicatedPublishes: 1 });
  });

  it('drops and duplicates deliveries to subscribers', async () => {
    const broker = new FaultInjectingBroker(inner, { drop: 0.1, duplicate: 0.1 }, scripted(0.05, 0.15));
    const got: number[] = [];
    await broker.subscribe<{ n: number }>('fi.worker.heartbeat', (message) => {
      got.push(message.payload.n);
    });

    for (const n of [1, 2, 3]) await inner.publish('fi.worker.heartbeat', createEnvelope('t', { n }));
    await eventually('three messages', () => got.length >= 3);

    expect(got).toEqual([2, 2, 3]);
    expect(broker.faultStats()).toMatchObject({ droppedDeliveries: 1, duplicatedDeliveries: 1 });
  });

  it('loses a durable publish outright, and stores a duplicated one twice under distinct ids', async () => {
    const broker = new FaultInjectingBroker(inner, { drop: 0.2, duplicate: 0.2 }, scripted(0.1, 0.3));
    const got: Array<MessageEnvelope<{ n: number }>> = [];
    await inner.consumeDurable<{ n: number }>('fi.worker.w1.assign', 'w1', async (message) => {
      got.push(message);
    });

    await broker.publishDurable('fi.worker.w1.assign', createEnvelope('t', { n: 1 }));
    await broker.publishDurable('fi.worker.w1.assign', createEnvelope('t', { n: 2 }));
    await eventually('two stored messages', () => got.length >= 2);

    expect(got.map((m) => m.payload.n)).toEqual([2, 2]);
    expect(new Set(got.map((m) => m.id)).size).toBe(2);
    expect(got[0]?.correlation_id).toBe(got[1]?.correlation_id);
    expect(broker.faultStats()).toMatchObject({ droppedDurablePublishes: 1, duplicatedDurablePublishes: 1 });
  });

  it('hands a "lost" durable delivery back for redelivery, and runs a duplicated one twice', async () => {
    // First delivery of #1 refused, its redelivery handled once; #2 handled twice.
    const broker = new FaultInjectingBroker(inner, { drop: 0.2, duplicate: 0.2 }, scripted(0.1, 0.5, 0.3));
    const deliveries: Array<{ n: number; redelivered: boolean }> = [];
    await broker.consumeDurable<{ n: number }>('fi.worker.w2.assign', 'w2', async (message, delivery) => {
      deliveries.push({ n: message.payload.n, redelivered: delivery.redelivered });
    });

    await inner.publishDurable('fi.worker.w2.assign', createEnvelope('t', { n: 1 }));
    await eventually('the redelivery of the first message', () => deliveries.length >= 1);
    await inner.publishDurable('fi.worker.w2.assign', createEnvelope('t', { n: 2 }));
    await eventually('both deliveries of the duplicated message', () => deliveries.length >= 3);

    expect(deliveries).toEqual([
      { n: 1, redelivered: true },
      { n: 2, redelivered: false },
      { n: 2, redelivered: true },
    ]);
    expect(broker.faultStats()).toMatchObject({ refusedDurableDeliveries: 1, duplicatedDurableDeliveries: 1 });
  });

  it('refuses rates outside [0, 1]', () => {
    expect(() => new FaultInjectingBroker(inner, { drop: 1.5 })).toThrow(BrokerArgumentError);
    expect(() => new FaultInjectingBroker(inner, { duplicate: -0.1 })).toThrow(BrokerArgumentError);
  });

  it('is only built by createBroker when a rate is above zero', async () => {
    expect(hasBrokerFaults(undefined)).toBe(false);
    expect(hasBrokerFaults({ drop: 0, duplicate: 0 })).toBe(false);
    const plain = await createBroker({ kind: 'memory', prefix: 'plain', logger: silent, faults: { drop: 0 } });
    const faulty = await createBroker({ kind: 'memory', prefix: 'faulty', logger: silent, faults: { duplicate: 0.1 } });
    expect(plain).toBeInstanceOf(InProcessBroker);
    expect(faulty).toBeInstanceOf(FaultInjectingBroker);
    await Promise.all([plain.close(), faulty.close()]);
  });
});
