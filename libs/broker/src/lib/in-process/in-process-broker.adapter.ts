import { Logger } from '@nestjs/common';
import type { MessageEnvelope } from '@niyanta/models';
import { BrokerRuntime, describe, invoke, RunningHandlers, type BrokerLogger } from '../broker-runtime';
import {
  BrokerNoRespondersError,
  BrokerReplyError,
  BrokerTimeoutError,
  BrokerUnavailableError,
} from '../errors';
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
} from '../broker.port';
import { assertNoConsumerConflict, checkConcurrency, DurableSubjects } from '../durable-subjects';
import { decodeEnvelope, encodeEnvelope } from '../envelope-codec';
import { assertConcreteSubject, assertName, assertSubjectPattern, subjectMatches } from '../subject-pattern';
import { InProcessDurableStore, type DeliveryOutcome } from './in-process-durable-store';

/** Options of {@link InProcessBroker}. */
export interface InProcessBrokerOptions {
  /** Subject prefix of this deployment; durable subjects must lie under it. */
  prefix: string;
  /**
   * Subject patterns accepted by `publishDurable` / `consumeDurable`.
   * @default [`<prefix>.worker.*.assign`]
   */
  durableSubjects?: string[];
  /**
   * Delay before a durable message whose handler threw is delivered again.
   * @default 1000
   */
  redeliveryDelayMs?: number;
  /**
   * Durable messages older than this are discarded, delivered or not.
   * @default 86_400_000 (one day)
   */
  streamMaxAgeMs?: number;
  /**
   * A durable envelope whose id was stored within this window is not stored again.
   * @default 120_000
   */
  duplicateWindowMs?: number;
  /** @default Nest `Logger` with context `InProcessBroker` */
  logger?: BrokerLogger;
}

interface ReplySink {
  resolve(text: string): void;
  fail(message: string): void;
}

interface LocalSubscription {
  readonly pattern: string;
  readonly queue: string | undefined;
  readonly deliver: (text: string, subject: string, sink: ReplySink | undefined) => void;
  readonly running: RunningHandlers;
  closed: boolean;
}

/**
 * The broker inside one process, with the same semantics as the NATS adapter (both pass
 * `runBrokerConformance`): wildcards, queue groups (round robin), request/reply with timeout and
 * no-responders, and durable named consumers with ack and delayed redelivery. Messages are copied
 * through JSON like on the wire and delivered asynchronously. Nothing survives the process: it
 * serves the standalone app and unit tests, never a deployment of several processes.
 */
export class InProcessBroker extends Broker {
  private readonly runtime: BrokerRuntime;
  private readonly durable: DurableSubjects;
  private readonly store: InProcessDurableStore;
  private readonly subscriptions: LocalSubscription[] = [];
  private readonly queueCursors = new Map<string, number>();
  private closed = false;

  constructor(options: InProcessBrokerOptions) {
    super();
    this.runtime = new BrokerRuntime(options.logger ?? new Logger(InProcessBroker.name));
    this.durable = new DurableSubjects(options.prefix, options.durableSubjects);
    this.store = new InProcessDurableStore({
      redeliveryDelayMs: options.redeliveryDelayMs ?? 1000,
      maxAgeMs: options.streamMaxAgeMs ?? 86_400_000,
      duplicateWindowMs: options.duplicateWindowMs ?? 120_000,
    });
  }

  async publish<T>(subject: string, message: MessageEnvelope<T>): Promise<void> {
    this.assertOpen();
    assertConcreteSubject(subject);
    this.route(subject, encodeEnvelope(message), undefined);
    this.runtime.count('published', subject);
  }

  async subscribe<T>(subject: string, handler: MessageHandler<T>, options: SubscribeOptions = {}): Promise<Subscription> {
    return this.addSubscription(subject, options, (running) => (text, concrete) => {
      const envelope = this.accept<T>(text, concrete);
      if (!envelope) return;
      running.track(
        invoke(() => handler(envelope, { subject: concrete })).catch((error: unknown) =>
          this.runtime.handlerFailed(`handler of ${subject}`, error, subject),
        ),
      );
    });
  }

  async request<TReq, TRes>(
    subject: string,
    message: MessageEnvelope<TReq>,
    options: RequestOptions,
  ): Promise<MessageEnvelope<TRes>> {
    this.assertOpen();
    assertConcreteSubject(subject);
    return new Promise<MessageEnvelope<TRes>>((resolve, reject) => {
      let settled = false;
      const finish = (action: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        action();
      };
      const timer = setTimeout(() => finish(() => reject(new BrokerTimeoutError(subject, options.timeoutMs))), options.timeoutMs);
      const sink: ReplySink = {
        resolve: (text) =>
          finish(() => {
            const reply = decodeEnvelope<TRes>(text);
            if (reply) resolve(reply);
            else reject(new BrokerReplyError(subject, 'the reply is not a message envelope'));
          }),
        fail: (remote) => finish(() => reject(new BrokerReplyError(subject, remote))),
      };
      const recipients = this.route(subject, encodeEnvelope(message), sink);
      this.runtime.count('published', subject);
      if (recipients === 0) finish(() => reject(new BrokerNoRespondersError(subject)));
    });
  }

  async reply<TReq, TRes>(
    subject: string,
    handler: ReplyHandler<TReq, TRes>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    return this.addSubscription(subject, options, (running) => (text, concrete, sink) => {
      const envelope = this.accept<TReq>(text, concrete);
      if (!envelope) return;
      running.track(
        invoke(() => handler(envelope, { subject: concrete })).then(
          (answer) => sink?.resolve(encodeEnvelope(answer)),
          (error: unknown) => {
            this.runtime.handlerFailed(`reply handler of ${subject}`, error, subject);
            sink?.fail(describe(error));
          },
        ),
      );
    });
  }

  async publishDurable<T>(subject: string, message: MessageEnvelope<T>): Promise<void> {
    this.assertOpen();
    this.durable.assertPublishable(subject);
    this.store.store(subject, encodeEnvelope(message), message.id);
    this.runtime.count('publishedDurable', subject);
  }

  async consumeDurable<T>(
    subject: string,
    consumerName: string,
    handler: DurableHandler<T>,
    options: ConsumeDurableOptions = {},
  ): Promise<Subscription> {
    this.assertOpen();
    this.durable.assertConsumable(subject, consumerName);
    const concurrency = checkConcurrency(options.concurrency);
    assertNoConsumerConflict(this.store.consumerSubjects(), consumerName, subject);
    const member = this.store.attach(
      consumerName,
      subject,
      async (text, delivery): Promise<DeliveryOutcome> => {
        const envelope = this.accept<T>(text, delivery.subject, 'durable');
        if (!envelope) return 'term';
        if (delivery.redelivered) this.runtime.count('redelivered', delivery.subject);
        try {
          await handler(envelope, delivery);
          return 'ack';
        } catch (error) {
          this.runtime.handlerFailed(`durable consumer ${consumerName}`, error, delivery.subject);
          return 'nak';
        }
      },
      concurrency,
    );
    return { unsubscribe: () => this.store.detach(member) };
  }

  isConnected(): boolean {
    return !this.closed;
  }

  onStatusChange(listener: (status: BrokerStatus) => void): () => void {
    return this.runtime.onStatusChange(listener);
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  stats(): BrokerStats {
    return this.runtime.stats();
  }

  statsBySubjectClass(): SubjectClassStats[] {
    return this.runtime.statsBySubjectClass();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const subscriptions = this.subscriptions.splice(0);
    for (const subscription of subscriptions) subscription.closed = true;
    await Promise.all([...subscriptions.map((s) => s.running.idle()), this.store.close()]);
    this.runtime.emitStatus('closed');
  }

  private async addSubscription(
    pattern: string,
    options: SubscribeOptions,
    makeDeliver: (running: RunningHandlers) => LocalSubscription['deliver'],
  ): Promise<Subscription> {
    this.assertOpen();
    assertSubjectPattern(pattern);
    if (options.queue !== undefined) assertName(options.queue, 'queue group');
    const running = new RunningHandlers();
    const subscription: LocalSubscription = {
      pattern,
      queue: options.queue,
      deliver: makeDeliver(running),
      running,
      closed: false,
    };
    this.subscriptions.push(subscription);
    return {
      unsubscribe: async () => {
        subscription.closed = true;
        const index = this.subscriptions.indexOf(subscription);
        if (index >= 0) this.subscriptions.splice(index, 1);
        await running.idle();
      },
    };
  }

  /** Delivers to every plain subscriber and one member per queue group; returns how many. */
  private route(subject: string, text: string, sink: ReplySink | undefined): number {
    const recipients: LocalSubscription[] = [];
    const groups = new Map<string, LocalSubscription[]>();
    for (const subscription of this.subscriptions) {
      if (!subjectMatches(subscription.pattern, subject)) continue;
      if (subscription.queue === undefined) {
        recipients.push(subscription);
      } else {
        const members = groups.get(subscription.queue) ?? [];
        members.push(subscription);
        groups.set(subscription.queue, members);
      }
    }
    for (const [queue, members] of groups) {
      const cursor = this.queueCursors.get(queue) ?? 0;
      recipients.push(members[cursor % members.length]);
      this.queueCursors.set(queue, cursor + 1);
    }
    for (const subscription of recipients) {
      // Asynchronous like a network hop; an unsubscribe in between wins, as it does on NATS.
      setImmediate(() => {
        if (!subscription.closed) subscription.deliver(text, subject, sink);
      });
    }
    return recipients.length;
  }

  private accept<T>(text: string, subject: string, kind: 'core' | 'durable' = 'core'): MessageEnvelope<T> | undefined {
    const envelope = decodeEnvelope<T>(text);
    if (!envelope) {
      this.runtime.dropped(subject);
      return undefined;
    }
    this.runtime.count(kind === 'durable' ? 'receivedDurable' : 'received', subject);
    return envelope;
  }

  private assertOpen(): void {
    if (this.closed) throw new BrokerUnavailableError('the in-process broker is closed');
  }
}
