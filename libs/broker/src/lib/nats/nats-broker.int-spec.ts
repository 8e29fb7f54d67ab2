import { jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { createEnvelope } from '@niyanta/models';
import { eventually, testNatsUrl, uniqueBrokerPrefix } from '@niyanta/testing';
import { runBrokerConformance } from '../../testing/broker.conformance';
import type { BrokerLogger } from '../broker-runtime';
import { durableStreamName } from '../durable-subjects';
import { NatsBroker, type NatsBrokerOptions } from './nats-broker.adapter';

/** Resolves `reach(n)` once `received` holds n messages (`check()` is called after each push). */
function deliveries(received: readonly unknown[]): { check(): void; reach(n: number): Promise<void> } {
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  const check = (): void => {
    for (const waiter of [...waiting]) {
      if (received.length >= waiter.n) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  return {
    check,
    reach: (n) =>
      new Promise<void>((resolve) => {
        waiting.push({ n, resolve });
        check();
      }),
  };
}

const silent: BrokerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

async function deleteStream(prefix: string): Promise<void> {
  const nc = await connect({ servers: testNatsUrl() });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(durableStreamName(prefix)).catch(() => false);
  } finally {
    await nc.close();
  }
}

async function natsFixture(extra: Partial<NatsBrokerOptions> = {}) {
  const prefix = uniqueBrokerPrefix('brk');
  const broker = await NatsBroker.connect({
    servers: testNatsUrl(),
    name: `conformance-${prefix}`,
    prefix,
    redeliveryDelayMs: 100,
    logger: silent,
    ...extra,
  });
  return {
    broker,
    prefix,
    cleanup: async () => {
      await broker.close();
      await deleteStream(prefix);
    },
  };
}

jest.setTimeout(20_000);

runBrokerConformance('NATS', () => natsFixture());

describe(NatsBroker.name, () => {
  let raw: NatsConnection;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    raw = await connect({ servers: testNatsUrl() });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await raw.close();
  });

  it('creates a work-queue stream on file storage holding the durable subjects', async () => {
    const fixture = await natsFixture();
    cleanups.push(fixture.cleanup);

    const info = await (await jetstreamManager(raw)).streams.info(durableStreamName(fixture.prefix));

    expect(info.config.retention).toBe(RetentionPolicy.Workqueue);
    expect(info.config.storage).toBe(StorageType.File);
    expect(info.config.subjects).toEqual([`${fixture.prefix}.worker.*.assign`]);
  });

  it('adds durable subjects another process declares without removing existing ones', async () => {
    const first = await natsFixture();
    cleanups.push(first.cleanup);
    const second = await NatsBroker.connect({
      servers: testNatsUrl(),
      name: 'second',
      prefix: first.prefix,
      durableSubjects: [`${first.prefix}.worker.*.assign`, `${first.prefix}.jobs.>`],
      logger: silent,
    });
    cleanups.push(() => second.close());
    const third = await NatsBroker.connect({ servers: testNatsUrl(), name: 'third', prefix: first.prefix, logger: silent });
    cleanups.push(() => third.close());

    const info = await (await jetstreamManager(raw)).streams.info(durableStreamName(first.prefix));

    expect([...info.config.subjects].sort()).toEqual([`${first.prefix}.jobs.>`, `${first.prefix}.worker.*.assign`]);
  });

  it('drops raw bytes that are not JSON and keeps delivering', async () => {
    const fixture = await natsFixture();
    cleanups.push(fixture.cleanup);
    const got: string[] = [];
    const subscription = await fixture.broker.subscribe(`${fixture.prefix}.events.c1`, (message) => {
      got.push(message.id);
    });
    cleanups.push(() => subscription.unsubscribe());

    raw.publish(`${fixture.prefix}.events.c1`, new Uint8Array([0xff, 0x00, 0x7b]));
    const valid = createEnvelope('t', {});
    await fixture.broker.publish(`${fixture.prefix}.events.c1`, valid);

    await eventually('the valid message', () => got.length > 0);
    expect(got).toEqual([valid.id]);
    expect(fixture.broker.stats().droppedNonEnvelope).toBe(1);
  });

  it('removes a durable message from the stream once it is acknowledged', async () => {
    const fixture = await natsFixture();
    cleanups.push(fixture.cleanup);
    const subject = `${fixture.prefix}.worker.w1.assign`;
    await fixture.broker.publishDurable(subject, createEnvelope('a', {}));
    const jsm = await jetstreamManager(raw);
    expect((await jsm.streams.info(durableStreamName(fixture.prefix))).state.messages).toBe(1);
    let handled = false;
    const subscription = await fixture.broker.consumeDurable(subject, 'w1', async () => {
      handled = true;
    });
    cleanups.push(() => subscription.unsubscribe());

    await eventually('the handled message to leave the stream', async () => {
      const remaining = (await jsm.streams.info(durableStreamName(fixture.prefix))).state.messages;
      return handled && remaining === 0;
    });
  });

  it('resumes a named consumer in a new process without redelivering what was acknowledged', async () => {
    const first = await natsFixture();
    cleanups.push(first.cleanup);
    const subject = `${first.prefix}.worker.w1.assign`;
    const acked = createEnvelope('a', { n: 1 });
    const seen: string[] = [];
    const handled = deliveries(seen);
    await first.broker.consumeDurable(subject, 'worker-w1', async (message) => {
      seen.push(message.id);
      handled.check();
    });
    await first.broker.publishDurable(subject, acked);
    await handled.reach(1);
    await first.broker.close();

    const publisher = await NatsBroker.connect({ servers: testNatsUrl(), name: 'publisher', prefix: first.prefix, logger: silent });
    cleanups.push(() => publisher.close());
    const pending = createEnvelope('a', { n: 2 });
    await publisher.publishDurable(subject, pending);
    const restarted = await NatsBroker.connect({ servers: testNatsUrl(), name: 'restarted', prefix: first.prefix, logger: silent });
    cleanups.push(() => restarted.close());
    const after: string[] = [];
    const delivered = deliveries(after);
    await restarted.consumeDurable(subject, 'worker-w1', async (message) => {
      after.push(message.id);
      delivered.check();
    });
    await delivered.reach(1);
    // A message published now comes after anything the stream still had for this consumer: once it
    // is delivered, a redelivery of the acknowledged one would have come before it.
    const marker = createEnvelope('a', { n: 3 });
    await publisher.publishDurable(subject, marker);
    await delivered.reach(2);

    expect(seen).toEqual([acked.id]);
    expect(after).toEqual([pending.id, marker.id]);
  });

  it('fails to connect to an unreachable server with BrokerUnavailableError', async () => {
    await expect(
      NatsBroker.connect({ servers: 'nats://127.0.0.1:1', name: 'nowhere', prefix: uniqueBrokerPrefix('x'), logger: silent }),
    ).rejects.toMatchObject({ name: 'BrokerUnavailableError' });
  });
});
