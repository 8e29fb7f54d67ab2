import { randomUUID } from 'node:crypto';
import type { MessageEnvelope } from '@niyanta/models';
import {
  Broker,
  type BrokerStats,
  type SubjectClassStats,
  type BrokerStatus,
  type ConsumeDurableOptions,
  type DurableHandler,
  type MessageHandler,
  type ReplyHandler,
  type RequestOptions,
  type SubscribeOptions,
  type Subscription,
} from './broker.port';
import { BrokerArgumentError } from './errors';

/**
 * Message faults to inject, as probabilities from 0 to 1 (`BROKER_FAULTS=drop:0.05,dup:0.05`).
 * For fault-injection runs only; a deployment never sets them.
 */
export interface BrokerFaults {
  /** Chance that a message is lost. @default 0 */
  drop?: number;
  /** Chance that a message arrives twice. @default 0 */
  duplicate?: number;
}

/** What the injector did so far, per kind of traffic. */
export interface BrokerFaultStats {
  droppedPublishes: number;
  duplicatedPublishes: number;
  droppedDeliveries: number;
  duplicatedDeliveries: number;
  droppedDurablePublishes: number;
  duplicatedDurablePublishes: number;
  refusedDurableDeliveries: number;
  duplicatedDurableDeliveries: number;
}

/**
 * A {@link Broker} decorator that loses and duplicates messages at the given rates, to prove that
 * every flow survives what NATS may do to it (architecture: "messages are dropped, duplicated and
 * reordered"). Where each fault is injected, and what it stands for:
 *
 * | traffic | drop | duplicate |
 * |---|---|---|
 * | `publish` | not sent (lost on the wire) | sent twice |
 * | `subscribe` handlers | not delivered | delivered twice |
 * | `publishDurable` | reported stored but never stored (a stream that lost its data) | a second copy under a new id (a re-send) |
 * | `consumeDurable` handlers | handed back unhandled (a lost delivery or ack: redelivered) | handled twice (an ack lost after the work was done) |
 *
 * Request/reply passes through untouched: callers already treat its timeout as a failure.
 */
export class FaultInjectingBroker extends Broker {
  private readonly drop: number;
  private readonly duplicate: number;
  private readonly counters: BrokerFaultStats = {
    droppedPublishes: 0,
    duplicatedPublishes: 0,
    droppedDeliveries: 0,
    duplicatedDeliveries: 0,
    droppedDurablePublishes: 0,
    duplicatedDurablePublishes: 0,
    refusedDurableDeliveries: 0,
    duplicatedDurableDeliveries: 0,
  };

  /**
   * @param inner the real adapter
   * @param faults rates from 0 to 1
   * @param random source of randomness in [0, 1) @default Math.random
   * @throws BrokerArgumentError when a rate is outside [0, 1]
   */
  constructor(
    private readonly inner: Broker,
    faults: BrokerFaults,
    private readonly random: () => number = Math.random,
  ) {
    super();
    this.drop = rate('drop', faults.drop ?? 0);
    this.duplicate = rate('duplicate', faults.duplicate ?? 0);
  }

  /** Counters of the faults injected so far. */
  faultStats(): BrokerFaultStats {
    return { ...this.counters };
  }

  async publish<T>(subject: string, message: MessageEnvelope<T>): Promise<void> {
    const fault = this.roll();
    if (fault === 'drop') {
      this.counters.droppedPublishes++;
      return;
    }
    await this.inner.publish(subject, message);
    if (fault === 'duplicate') {
      this.counters.duplicatedPublishes++;
      await this.inner.publish(subject, message);
    }
  }

  subscribe<T>(subject: string, handler: MessageHandler<T>, options?: SubscribeOptions): Promise<Subscription> {
    return this.inner.subscribe<T>(
      subject,
      async (message, context) => {
        const fault = this.roll();
        if (fault === 'drop') {
          this.counters.droppedDeliveries++;
          return;
        }
        await handler(message, context);
        if (fault === 'duplicate') {
          this.counters.duplicatedDeliveries++;
          await handler(message, context);
        }
      },
      options,
    );
  }

  request<TReq, TRes>(subject: string, message: MessageEnvelope<TReq>, options: RequestOptions): Promise<MessageEnvelope<TRes>> {
    return this.inner.request<TReq, TRes>(subject, message, options);
  }

  reply<TReq, TRes>(subject: string, handler: ReplyHandler<TReq, TRes>, options?: SubscribeOptions): Promise<Subscription> {
    return this.inner.reply(subject, handler, options);
  }

  async publishDurable<T>(subject: string, message: MessageEnvelope<T>): Promise<void> {
    const fault = this.roll();
    if (fault === 'drop') {
      this.counters.droppedDurablePublishes++;
      return;
    }
    await this.inner.publishDurable(subject, message);
    if (fault === 'duplicate') {
      this.counters.duplicatedDurablePublishes++;
      // A new id: the broker's duplicate window would otherwise collapse the copy into the first.
      const copy: MessageEnvelope<T> = { ...message, id: randomUUID() };
      await this.inner.publishDurable(subject, copy);
    }
  }

  consumeDurable<T>(
    subject: string,
    consumerName: string,
    handler: DurableHandler<T>,
    options?: ConsumeDurableOptions,
  ): Promise<Subscription> {
    return this.inner.consumeDurable<T>(
      subject,
      consumerName,
      async (message, delivery) => {
        const fault = this.roll();
        if (fault === 'drop') {
          this.counters.refusedDurableDeliveries++;
          throw new InjectedFaultError(`injected fault: delivery of ${message.id} on ${delivery.subject} lost`);
        }
        await handler(message, delivery);
        if (fault === 'duplicate') {
          this.counters.duplicatedDurableDeliveries++;
          await handler(message, { ...delivery, redelivered: true, deliveryCount: delivery.deliveryCount + 1 });
        }
      },
      options,
    );
  }

  isConnected(): boolean {
    return this.inner.isConnected();
  }

  onStatusChange(listener: (status: BrokerStatus) => void): () => void {
    return this.inner.onStatusChange(listener);
  }

  ping(timeoutMs?: number): Promise<void> {
    return this.inner.ping(timeoutMs);
  }

  stats(): BrokerStats {
    return this.inner.stats();
  }

  statsBySubjectClass(): SubjectClassStats[] {
    return this.inner.statsBySubjectClass();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private roll(): 'drop' | 'duplicate' | null {
    const draw = this.random();
    if (draw < this.drop) return 'drop';
    if (draw < this.drop + this.duplicate) return 'duplicate';
    return null;
  }
}

/** What a durable handler "throws" when the injector loses a delivery (so the broker redelivers it). */
export class InjectedFaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InjectedFaultError';
  }
}

/** True when `faults` asks for any fault at all. */
export function hasBrokerFaults(faults: BrokerFaults | undefined): faults is BrokerFaults {
  return faults !== undefined && ((faults.drop ?? 0) > 0 || (faults.duplicate ?? 0) > 0);
}

function rate(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new BrokerArgumentError(`broker fault rate ${name} must be between 0 and 1, got ${value}`);
  }
  return value;
}
