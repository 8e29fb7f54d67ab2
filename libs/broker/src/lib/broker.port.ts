import type { SubjectClass } from './subject-class';
import type { MessageEnvelope } from '@niyanta/models';

/** A live subscription or consumer; {@link Subscription.unsubscribe} stops delivery. */
export interface Subscription {
  /**
   * Stops delivery and resolves once the handlers already running for this subscription have
   * finished. Messages a durable consumer had fetched but not started are handed back to the
   * broker for another member. Safe to call twice.
   */
  unsubscribe(): Promise<void>;
}

/** Where a message arrived (useful with wildcard subscriptions). */
export interface MessageContext {
  /** The concrete subject the message was published on. */
  subject: string;
}

/** Delivery facts of a durable message. */
export interface DurableDelivery extends MessageContext {
  /** True when this message was delivered before and not acknowledged. */
  redelivered: boolean;
  /** 1 on the first delivery, +1 on every redelivery. */
  deliveryCount: number;
}

/** Handles a fire-and-forget message. A throw is logged and counted; the subscription lives on. */
export type MessageHandler<T> = (message: MessageEnvelope<T>, context: MessageContext) => Promise<void> | void;

/** Answers a request. A throw is sent back to the requester as a {@link BrokerReplyError}. */
export type ReplyHandler<TReq, TRes> = (
  message: MessageEnvelope<TReq>,
  context: MessageContext,
) => Promise<MessageEnvelope<TRes>> | MessageEnvelope<TRes>;

/**
 * Handles a durable message: resolving acknowledges it (it is gone for good), throwing hands it
 * back for redelivery after the adapter's redelivery delay. Delivery is at least once, so handlers
 * must be idempotent.
 */
export type DurableHandler<T> = (message: MessageEnvelope<T>, delivery: DurableDelivery) => Promise<void>;

/** Options of {@link Broker.subscribe} and {@link Broker.reply}. */
export interface SubscribeOptions {
  /**
   * Queue group name: each message goes to exactly one member of the group (members are all
   * subscriptions with this queue name, in any process). Without it every subscription gets every
   * message.
   * @default undefined (no group)
   */
  queue?: string;
}

/** Options of {@link Broker.request}. */
export interface RequestOptions {
  /** How long to wait for the reply before rejecting with {@link BrokerTimeoutError}. */
  timeoutMs: number;
}

/** Options of {@link Broker.consumeDurable}. */
export interface ConsumeDurableOptions {
  /**
   * How many messages this member handles at the same time. Order is kept only with 1.
   * @default 1
   */
  concurrency?: number;
}

/** Connection state reported by {@link Broker.onStatusChange}. `closed` is final. */
export type BrokerStatus = 'connected' | 'disconnected' | 'closed';

/** Counters since the adapter was created (the apps export them as metrics). */
export interface BrokerStats {
  /** Fire-and-forget messages and requests sent. */
  published: number;
  /** Durable messages the broker confirmed as stored. */
  publishedDurable: number;
  /** Valid envelopes handed to subscribe/reply handlers. */
  received: number;
  /** Durable deliveries handed to consumer handlers (redeliveries included). */
  receivedDurable: number;
  /** Durable deliveries that were redeliveries. */
  redelivered: number;
  /** Handlers that threw or rejected. */
  handlerErrors: number;
  /** Inbound messages that were not a valid envelope and were dropped. */
  droppedNonEnvelope: number;
  /** Times the connection came back after being lost. */
  reconnects: number;
}

/** {@link BrokerStats} of the subjects of one class. */
export interface SubjectClassStats {
  subjectClass: SubjectClass;
  stats: BrokerStats;
}

/**
 * The message broker as the rest of the product sees it. Every message is a
 * {@link MessageEnvelope}; subjects are dot-separated tokens and subscriptions accept the NATS
 * wildcards `*` (one token) and `>` (one or more trailing tokens).
 *
 * Two kinds of delivery:
 * - **fire-and-forget** ({@link publish}, {@link subscribe}, {@link request}, {@link reply}): fast,
 *   lost when nobody listens or the connection is down. Use it for notifications whose loss only
 *   delays work (a sweep reconciles).
 * - **durable** ({@link publishDurable}, {@link consumeDurable}): stored by the broker before
 *   `publishDurable` resolves, delivered at least once to one member of a named consumer, kept
 *   while no member runs. Only subjects the adapter was configured with as durable are accepted.
 *
 * This class is the dependency-injection token; adapters are `NatsBroker` and `InProcessBroker`.
 */
export abstract class Broker {
  /**
   * Sends a fire-and-forget message. Resolves once handed to the connection (the NATS client
   * buffers it during a reconnect); it does not mean anyone received it.
   * @throws BrokerArgumentError when `subject` is not a valid concrete subject
   * @throws BrokerUnavailableError after {@link close}
   */
  abstract publish<T>(subject: string, message: MessageEnvelope<T>): Promise<void>;

  /**
   * Calls `handler` for every envelope published on a subject matching `subject` (wildcards
   * allowed). Resolves when the subscription is active on the broker. Handlers are started in
   * arrival order and not awaited before the next message: an async handler must not rely on
   * running alone. Messages that are not envelopes are dropped and counted.
   */
  abstract subscribe<T>(subject: string, handler: MessageHandler<T>, options?: SubscribeOptions): Promise<Subscription>;

  /**
   * Sends a request and waits for the first reply.
   * @throws BrokerNoRespondersError when nothing subscribes to `subject` (reported at once)
   * @throws BrokerTimeoutError when no reply comes within `options.timeoutMs`
   * @throws BrokerReplyError when the responder's handler failed or replied with a non-envelope
   */
  abstract request<TReq, TRes>(
    subject: string,
    message: MessageEnvelope<TReq>,
    options: RequestOptions,
  ): Promise<MessageEnvelope<TRes>>;

  /**
   * Answers requests on `subject` with the handler's envelope. With `queue`, each request is
   * answered by one member of the group. A message published (not requested) still reaches the
   * handler; its answer is discarded.
   */
  abstract reply<TReq, TRes>(
    subject: string,
    handler: ReplyHandler<TReq, TRes>,
    options?: SubscribeOptions,
  ): Promise<Subscription>;

  /**
   * Stores a message for at-least-once delivery; resolves when the broker confirmed it is stored.
   * `message.id` is the idempotency key: the same envelope published again within the adapter's
   * duplicate window is stored once, so retrying after an error is safe — and re-sending on
   * purpose needs a new envelope.
   * @throws BrokerArgumentError when `subject` is not one of the configured durable subjects
   * @throws BrokerUnavailableError when the broker did not confirm storage
   */
  abstract publishDurable<T>(subject: string, message: MessageEnvelope<T>): Promise<void>;

  /**
   * Consumes durable messages on `subject` (wildcards allowed, inside a configured durable subject)
   * as the named consumer `consumerName` (letters, digits, `-`, `_`). The consumer remembers what
   * was acknowledged: after an unsubscribe, a reconnect or a restart, the same name resumes with
   * the messages not yet acknowledged, including those published while no member ran. Several
   * live members of one name share the messages: each goes to one of them.
   *
   * Each message is stored for one consumer: two consumer names whose subjects overlap are
   * rejected, and so is reusing a name for a different subject.
   * @throws BrokerArgumentError on an invalid name or subject, or one of the conflicts above
   */
  abstract consumeDurable<T>(
    subject: string,
    consumerName: string,
    handler: DurableHandler<T>,
    options?: ConsumeDurableOptions,
  ): Promise<Subscription>;

  /** True while the broker connection is up (always true for the in-process adapter until closed). */
  abstract isConnected(): boolean;

  /**
   * Calls `listener` on every connection state change. Returns a function that removes it.
   */
  abstract onStatusChange(listener: (status: BrokerStatus) => void): () => void;

  /**
   * Round trip to the broker for readiness checks.
   * @param timeoutMs @default 1000
   * @throws BrokerUnavailableError when disconnected, closed, or no answer within `timeoutMs`
   */
  abstract ping(timeoutMs?: number): Promise<void>;

  /** A snapshot of the adapter's counters. */
  abstract stats(): BrokerStats;

  /** The counters of {@link stats} split by subject class (reconnects belong to none). */
  abstract statsBySubjectClass(): SubjectClassStats[];

  /**
   * Stops every subscription and consumer (waiting for running handlers), flushes what is
   * pending and disconnects. Safe to call twice. Any later call rejects with
   * BrokerUnavailableError.
   */
  abstract close(): Promise<void>;
}
