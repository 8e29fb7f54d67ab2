import { createEnvelope, type MessageEnvelope } from '@niyanta/models';
import { BrokerArgumentError, BrokerNoRespondersError, BrokerReplyError, BrokerTimeoutError, BrokerUnavailableError } from '../lib/errors';
import type { Broker, BrokerStatus, DurableDelivery, Subscription } from '../lib/broker.port';

/** What a conformance run needs from an adapter: a fresh broker on a prefix of its own. */
export interface BrokerFixture {
  broker: Broker;
  /** Every subject the suite uses starts with it. */
  prefix: string;
  /** Closes the broker (if the test did not) and removes what the adapter created. */
  cleanup(): Promise<void>;
}

/**
 * The behaviour every {@link Broker} adapter must have, as one Jest suite. The factory is called
 * once per test and must return a broker whose durable subjects are the default
 * (`<prefix>.worker.*.assign`) and whose redelivery delay is short (≤ 200 ms).
 */
export function runBrokerConformance(name: string, factory: () => Promise<BrokerFixture>): void {
  describe(`Broker conformance: ${name}`, () => {
    let fixture: BrokerFixture;
    let broker: Broker;
    let p: string;
    const subscriptions: Subscription[] = [];

    const track = (subscription: Subscription) => {
      subscriptions.push(subscription);
      return subscription;
    };

    beforeEach(async () => {
      fixture = await factory();
      broker = fixture.broker;
      p = fixture.prefix;
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.unsubscribe()));
      await fixture.cleanup();
    });

    describe('publish / subscribe', () => {
      it('delivers a published envelope with every field intact', async () => {
        const got = inbox<{ nested: unknown }>();
        track(await broker.subscribe<{ nested: unknown }>(`${p}.events.c1`, got.push));
        const sent = createEnvelope(
          'workload.event',
          { nested: { list: [1, 'two', { three: null }], unicode: 'नियंता ✓', float: 0.25, flag: false } },
          { correlationId: 'corr-1', version: 7, now: new Date('2026-01-02T03:04:05.678Z') },
        );

        await broker.publish(`${p}.events.c1`, sent);

        const [received] = await got.take(1);
        expect(received.message).toEqual(sent);
        expect(received.subject).toBe(`${p}.events.c1`);
      });

      it('matches * to one token and > to one or more trailing tokens', async () => {
        const star = inbox();
        const tail = inbox();
        track(await broker.subscribe(`${p}.events.*`, star.push));
        track(await broker.subscribe(`${p}.worker.>`, tail.push));

        for (const subject of [`${p}.events.c1`, `${p}.events.c1.deep`, `${p}.events`, `${p}.worker.w1.assign`, `${p}.worker`, `${p}.other.c1`]) {
          await broker.publish(subject, createEnvelope('t', { subject }));
        }
        // Each subscription sees its own end marker after everything published before it.
        await broker.publish(`${p}.events.end`, createEnvelope('t', { subject: 'end' }));
        await broker.publish(`${p}.worker.end`, createEnvelope('t', { subject: 'end' }));

        expect((await star.take(2)).map((d) => d.subject)).toEqual([`${p}.events.c1`, `${p}.events.end`]);
        expect((await tail.take(2)).map((d) => d.subject)).toEqual([`${p}.worker.w1.assign`, `${p}.worker.end`]);
      });

      it('delivers each message to exactly one member of a queue group and to every plain subscriber', async () => {
        const members = [inbox(), inbox(), inbox()];
        for (const member of members) track(await broker.subscribe(`${p}.leader.wake`, member.push, { queue: 'leaders' }));
        const everyone = inbox();
        track(await broker.subscribe(`${p}.leader.wake`, everyone.push));

        const sent = Array.from({ length: 30 }, (_, i) => createEnvelope('leader.wake', { i }));
        for (const message of sent) await broker.publish(`${p}.leader.wake`, message);

        await everyone.take(30);
        await settle();
        const groupIds = members.flatMap((m) => m.items.map((d) => d.message.id));
        expect(groupIds.sort()).toEqual(sent.map((m) => m.id).sort());
        expect(members.filter((m) => m.items.length > 0).length).toBeGreaterThan(1);
      });

      it('drops a message that is not an envelope and counts it', async () => {
        const got = inbox();
        track(await broker.subscribe(`${p}.events.c1`, got.push));
        const before = broker.stats().droppedNonEnvelope;

        await broker.publish(`${p}.events.c1`, { hello: 'not an envelope' } as unknown as MessageEnvelope<unknown>);
        const valid = createEnvelope('t', { ok: true });
        await broker.publish(`${p}.events.c1`, valid);

        const [first] = await got.take(1);
        expect(first.message.id).toBe(valid.id);
        expect(broker.stats().droppedNonEnvelope).toBe(before + 1);
      });

      it('keeps a subscription alive when its handler throws or rejects', async () => {
        const seen: number[] = [];
        track(
          await broker.subscribe<{ n: number }>(`${p}.events.c1`, async (message) => {
            seen.push(message.payload.n);
            if (message.payload.n === 1) throw new Error('sync-looking failure');
            if (message.payload.n === 2) await Promise.reject(new Error('async failure'));
          }),
        );

        for (const n of [1, 2, 3]) await broker.publish(`${p}.events.c1`, createEnvelope('t', { n }));

        await waitFor(() => seen.length === 3);
        expect(seen).toEqual([1, 2, 3]);
        await waitFor(() => broker.stats().handlerErrors >= 2);
      });

      it('stops delivery after unsubscribe and waits for running handlers', async () => {
        const kept = inbox();
        let finished = 0;
        const dropped: string[] = [];
        const subscription = await broker.subscribe(`${p}.events.c1`, async (message) => {
          dropped.push(message.id);
          await sleep(50);
          finished++;
        });
        track(await broker.subscribe(`${p}.events.c1`, kept.push));

        await broker.publish(`${p}.events.c1`, createEnvelope('t', { n: 1 }));
        await kept.take(1);
        await waitFor(() => dropped.length === 1);
        await subscription.unsubscribe();
        expect(finished).toBe(1);

        await broker.publish(`${p}.events.c1`, createEnvelope('t', { n: 2 }));
        await kept.take(2);
        await settle();
        expect(dropped).toHaveLength(1);
      });

      it('counts published and received messages', async () => {
        const got = inbox();
        track(await broker.subscribe(`${p}.events.c1`, got.push));
        const before = broker.stats();

        await broker.publish(`${p}.events.c1`, createEnvelope('t', {}));
        await got.take(1);

        const after = broker.stats();
        expect(after.published).toBe(before.published + 1);
        expect(after.received).toBe(before.received + 1);
      });

      it('rejects wildcards in a published subject and malformed patterns', async () => {
        await expect(broker.publish(`${p}.events.*`, createEnvelope('t', {}))).rejects.toBeInstanceOf(BrokerArgumentError);
        await expect(broker.subscribe(`${p}..x`, () => undefined)).rejects.toBeInstanceOf(BrokerArgumentError);
        await expect(broker.subscribe(`${p}.>.x`, () => undefined)).rejects.toBeInstanceOf(BrokerArgumentError);
      });
    });

    describe('request / reply', () => {
      it('returns the responder envelope', async () => {
        track(
          await broker.reply<{ q: number }, { a: number }>(`${p}.rpc.square`, (message) =>
            createEnvelope('answer', { a: message.payload.q * message.payload.q }, { correlationId: message.correlation_id }),
          ),
        );
        const request = createEnvelope('question', { q: 12 });

        const answer = await broker.request<{ q: number }, { a: number }>(`${p}.rpc.square`, request, { timeoutMs: 2000 });

        expect(answer.payload).toEqual({ a: 144 });
        expect(answer.correlation_id).toBe(request.correlation_id);
        expect(answer.type).toBe('answer');
      });

      it('lets exactly one member of a queue group answer', async () => {
        const handled = [0, 0];
        for (const index of [0, 1]) {
          track(
            await broker.reply(
              `${p}.rpc.one`,
              (message) => {
                handled[index]++;
                return createEnvelope('answer', { index }, { correlationId: message.correlation_id });
              },
              { queue: 'rpc' },
            ),
          );
        }

        for (let i = 0; i < 10; i++) await broker.request(`${p}.rpc.one`, createEnvelope('q', { i }), { timeoutMs: 2000 });

        await settle();
        expect(handled[0] + handled[1]).toBe(10);
      });

      it('times out with BrokerTimeoutError when nobody answers in time', async () => {
        track(await broker.subscribe(`${p}.rpc.silent`, () => undefined));
        const started = Date.now();

        await expect(broker.request(`${p}.rpc.silent`, createEnvelope('q', {}), { timeoutMs: 150 })).rejects.toBeInstanceOf(BrokerTimeoutError);

        const elapsed = Date.now() - started;
        expect(elapsed).toBeGreaterThanOrEqual(140);
        expect(elapsed).toBeLessThan(2000);
      });

      it('fails at once with BrokerNoRespondersError when nothing subscribes', async () => {
        const started = Date.now();

        await expect(broker.request(`${p}.rpc.nobody`, createEnvelope('q', {}), { timeoutMs: 5000 })).rejects.toBeInstanceOf(
          BrokerNoRespondersError,
        );

        expect(Date.now() - started).toBeLessThan(2000);
      });

      it('reports a failing responder as BrokerReplyError with its message', async () => {
        track(
          await broker.reply(`${p}.rpc.broken`, () => {
            throw new Error('cannot answer that');
          }),
        );

        const failure = broker.request(`${p}.rpc.broken`, createEnvelope('q', {}), { timeoutMs: 2000 });

        await expect(failure).rejects.toBeInstanceOf(BrokerReplyError);
        await expect(failure).rejects.toThrow('cannot answer that');
      });
    });

    describe('durable delivery', () => {
      it('delivers durable messages once each and does not redeliver acknowledged ones', async () => {
        const subject = `${p}.worker.w1.assign`;
        const got = durableInbox();
        const first = await broker.consumeDurable(subject, 'worker-w1', got.handler);
        const sent = Array.from({ length: 5 }, (_, i) => createEnvelope('workload.assignment', { i }));
        for (const message of sent) await broker.publishDurable(subject, message);

        const deliveries = await got.take(5);
        expect(deliveries.map((d) => d.message)).toEqual(sent);
        expect(deliveries.every((d) => !d.delivery.redelivered && d.delivery.deliveryCount === 1)).toBe(true);
        expect(deliveries[0].delivery.subject).toBe(subject);

        await first.unsubscribe();
        const again = durableInbox();
        track(await broker.consumeDurable(subject, 'worker-w1', again.handler));
        const marker = createEnvelope('marker', {});
        await broker.publishDurable(subject, marker);
        expect((await again.take(1)).map((d) => d.message.id)).toEqual([marker.id]);
        await settle();
        expect(again.items).toHaveLength(1);
      });

      it('redelivers a message whose handler threw, flagged as redelivered', async () => {
        const subject = `${p}.worker.w2.assign`;
        const attempts: DurableDelivery[] = [];
        let acked = false;
        track(
          await broker.consumeDurable(subject, 'worker-w2', async (_message, delivery) => {
            attempts.push(delivery);
            if (attempts.length === 1) throw new Error('database hiccup');
            acked = true;
          }),
        );

        await broker.publishDurable(subject, createEnvelope('workload.assignment', {}));

        await waitFor(() => acked, 5000);
        expect(attempts.map((a) => [a.redelivered, a.deliveryCount])).toEqual([
          [false, 1],
          [true, 2],
        ]);
        expect(broker.stats().redelivered).toBeGreaterThanOrEqual(1);
      });

      it('keeps messages published while no consumer runs and delivers them in order when it starts', async () => {
        const subject = `${p}.worker.w3.assign`;
        const sent = [1, 2, 3].map((i) => createEnvelope('workload.assignment', { i }));
        for (const message of sent) await broker.publishDurable(subject, message);

        const got = durableInbox();
        track(await broker.consumeDurable(subject, 'worker-w3', got.handler));

        expect((await got.take(3)).map((d) => d.message.id)).toEqual(sent.map((m) => m.id));
      });

      it('shares a named consumer between its members: each message to one of them', async () => {
        const subject = `${p}.worker.w4.assign`;
        const members = [durableInbox(), durableInbox()];
        for (const member of members) track(await broker.consumeDurable(subject, 'worker-w4', member.handler));
        const sent = Array.from({ length: 20 }, (_, i) => createEnvelope('workload.assignment', { i }));

        for (const message of sent) await broker.publishDurable(subject, message);

        await waitFor(() => members[0].items.length + members[1].items.length >= 20, 5000);
        await settle();
        const ids = members.flatMap((m) => m.items.map((d) => d.message.id));
        expect(ids.sort()).toEqual(sent.map((m) => m.id).sort());
      });

      it('consumes a wildcard subject inside the durable subjects and reports the concrete subject', async () => {
        const got = durableInbox();
        track(await broker.consumeDurable(`${p}.worker.*.assign`, 'all-assignments', got.handler));

        await broker.publishDurable(`${p}.worker.w9.assign`, createEnvelope('workload.assignment', {}));

        expect((await got.take(1))[0].delivery.subject).toBe(`${p}.worker.w9.assign`);
      });

      it('stores an envelope published twice (same id) once', async () => {
        const subject = `${p}.worker.w5.assign`;
        const message = createEnvelope('workload.assignment', {});
        await broker.publishDurable(subject, message);
        await broker.publishDurable(subject, message);
        const marker = createEnvelope('marker', {});
        await broker.publishDurable(subject, marker);

        const got = durableInbox();
        track(await broker.consumeDurable(subject, 'worker-w5', got.handler));

        expect((await got.take(2)).map((d) => d.message.id)).toEqual([message.id, marker.id]);
        await settle();
        expect(got.items).toHaveLength(2);
      });

      it('drops a durable non-envelope without redelivering it', async () => {
        const subject = `${p}.worker.w6.assign`;
        const before = broker.stats().droppedNonEnvelope;
        await broker.publishDurable(subject, { id: 'x', junk: true } as unknown as MessageEnvelope<unknown>);
        const valid = createEnvelope('workload.assignment', {});
        await broker.publishDurable(subject, valid);

        const got = durableInbox();
        track(await broker.consumeDurable(subject, 'worker-w6', got.handler));

        expect((await got.take(1))[0].message.id).toBe(valid.id);
        await settle(300);
        expect(got.items).toHaveLength(1);
        expect(broker.stats().droppedNonEnvelope).toBe(before + 1);
      });

      it('rejects subjects outside the durable subjects and conflicting consumers', async () => {
        await expect(broker.publishDurable(`${p}.events.c1`, createEnvelope('t', {}))).rejects.toBeInstanceOf(BrokerArgumentError);
        await expect(broker.consumeDurable(`${p}.events.*`, 'events', async () => undefined)).rejects.toBeInstanceOf(BrokerArgumentError);
        await expect(broker.consumeDurable(`${p}.worker.w7.assign`, 'bad.name', async () => undefined)).rejects.toBeInstanceOf(
          BrokerArgumentError,
        );

        track(await broker.consumeDurable(`${p}.worker.w7.assign`, 'worker-w7', async () => undefined));
        await expect(broker.consumeDurable(`${p}.worker.w8.assign`, 'worker-w7', async () => undefined)).rejects.toBeInstanceOf(
          BrokerArgumentError,
        );
        await expect(broker.consumeDurable(`${p}.worker.*.assign`, 'everything', async () => undefined)).rejects.toBeInstanceOf(
          BrokerArgumentError,
        );
      });
    });

    describe('lifecycle', () => {
      it('reports connected, then closed, and refuses work after close', async () => {
        const statuses: BrokerStatus[] = [];
        broker.onStatusChange((status) => statuses.push(status));
        expect(broker.isConnected()).toBe(true);
        await expect(broker.ping()).resolves.toBeUndefined();

        await broker.close();
        await broker.close();

        expect(broker.isConnected()).toBe(false);
        expect(statuses).toContain('closed');
        await expect(broker.publish(`${p}.events.c1`, createEnvelope('t', {}))).rejects.toBeInstanceOf(BrokerUnavailableError);
        await expect(broker.publishDurable(`${p}.worker.w1.assign`, createEnvelope('t', {}))).rejects.toBeInstanceOf(
          BrokerUnavailableError,
        );
        await expect(broker.ping()).rejects.toBeInstanceOf(BrokerUnavailableError);
      });

      it('lets running durable handlers finish on close and acknowledges them', async () => {
        const subject = `${p}.worker.w1.assign`;
        let finished = false;
        const started = deferred();
        await broker.consumeDurable(subject, 'worker-w1', async () => {
          started.resolve();
          await sleep(100);
          finished = true;
        });
        await broker.publishDurable(subject, createEnvelope('workload.assignment', {}));
        await started.promise;

        await broker.close();

        expect(finished).toBe(true);
      });
    });
  });
}

interface Delivered<T> {
  message: MessageEnvelope<T>;
  subject: string;
}

/** Collects deliveries; `take(n)` waits until at least n arrived and returns the first n. */
function inbox<T = unknown>() {
  const items: Array<Delivered<T>> = [];
  return {
    items,
    push: (message: MessageEnvelope<T>, context: { subject: string }) => {
      items.push({ message, subject: context.subject });
    },
    take: async (n: number, timeoutMs = 5000) => {
      await waitFor(() => items.length >= n, timeoutMs);
      return items.slice(0, n);
    },
  };
}

function durableInbox<T = unknown>() {
  const items: Array<{ message: MessageEnvelope<T>; delivery: DurableDelivery }> = [];
  return {
    items,
    handler: async (message: MessageEnvelope<T>, delivery: DurableDelivery) => {
      items.push({ message, delivery });
    },
    take: async (n: number, timeoutMs = 5000) => {
      await waitFor(() => items.length >= n, timeoutMs);
      return items.slice(0, n);
    },
  };
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Gives stray (wrong) deliveries time to show up before asserting they did not. */
function settle(ms = 100): Promise<void> {
  return sleep(ms);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
