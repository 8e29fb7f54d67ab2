import { Logger } from '@nestjs/common';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  headers,
  RequestError,
  TimeoutError,
  type Msg,
  type NatsConnection,
  type Subscription as NatsSubscription,
} from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
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
import { checkConcurrency, DurableSubjects, durableStreamName } from '../durable-subjects';
import { decodeEnvelope, encodeEnvelope } from '../envelope-codec';
import { assertConcreteSubject, assertName, assertSubjectPattern } from '../subject-pattern';
import { NatsDurableConsumer } from './nats-durable-consumer';
import { NatsJetStream } from './nats-jetstream';

/** Options of {@link NatsBroker.connect}. */
export interface NatsBrokerOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** Connection name shown by the server (monitoring); use the process role and id. */
  name: string;
  /** Subject prefix of this deployment; names the durable stream (see `durableStreamName`). */
  prefix: string;
  /**
   * Subject patterns stored in the durable stream; all must start with `<prefix>.`.
   * @default [`<prefix>.worker.*.assign`]
   */
  durableSubjects?: string[];
  /**
   * Durable messages older than this are discarded by the server, delivered or not. Set by the
   * process that creates the stream.
   * @default 86_400_000 (one day)
   */
  streamMaxAgeMs?: number;
  /** Stream replicas (a clustered NATS wants 3). @default 1 */
  streamReplicas?: number;
  /**
   * A durable envelope whose id was stored within this window is not stored again.
   * @default 120_000
   */
  duplicateWindowMs?: number;
  /**
   * A delivered durable message not acknowledged within this time goes to another member. A
   * running handler extends it, so it only matters when a member dies.
   * @default 30_000
   */
  ackWaitMs?: number;
  /** Delay before a durable message whose handler threw is delivered again. @default 1000 */
  redeliveryDelayMs?: number;
  /** A durable consumer without members for this long is deleted by the server. @default 86_400_000 */
  consumerInactiveThresholdMs?: number;
  /** How long `publishDurable` waits for the server's confirmation. @default 5000 */
  durablePublishTimeoutMs?: number;
  /** Base wait between reconnect attempts (they never stop). @default 1000 */
  reconnectTimeWaitMs?: number;
  /** Random extra wait added to each reconnect attempt, so a fleet does not reconnect in step. @default 500 */
  reconnectJitterMs?: number;
  /** Client ping interval; a dead server is noticed after 2 missed pings. @default 10_000 */
  pingIntervalMs?: number;
  /**
   * Keep trying when the server is unreachable at start, instead of failing `connect`.
   * @default false
   */
  waitOnFirstConnect?: boolean;
  /** How long `close` waits for pending messages to flush before dropping the connection. @default 5000 */
  closeTimeoutMs?: number;
  /** @default Nest `Logger` with context `NatsBroker` */
  logger?: BrokerLogger;
}

const REPLY_ERROR_HEADER = 'Niyanta-Reply-Error';

/**
 * {@link Broker} on NATS: core NATS for fire-and-forget and request/reply, JetStream for durable
 * messages (one work-queue stream per prefix on file storage, one durable pull consumer per
 * consumer name). Reconnects forever with jittered backoff; subscriptions, consumers and the
 * stream are restored after a reconnect. Messages are envelopes encoded as JSON.
 */
export class NatsBroker extends Broker {
  private readonly runtime: BrokerRuntime;
  private readonly core = new Set<{ sub: NatsSubscription; running: RunningHandlers }>();
  private readonly consumers = new Set<NatsDurableConsumer>();
  private connected = true;
  private closing: Promise<void> | undefined;
  private restoring: Promise<void> | undefined;
  private closedEmitted = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jetStream: NatsJetStream,
    private readonly durable: DurableSubjects,
    private readonly options: NatsBrokerOptions,
    logger: BrokerLogger,
  ) {
    super();
    this.runtime = new BrokerRuntime(logger);
    void this.followStatus();
    void nc.closed().then(() => this.markClosed());
  }

  /**
   * Connects and makes sure the durable stream exists.
   * @throws BrokerUnavailableError when the server cannot be reached (unless `waitOnFirstConnect`)
   * @throws BrokerArgumentError on an invalid prefix or durable subject
   */
  static async connect(options: NatsBrokerOptions): Promise<NatsBroker> {
    const durable = new DurableSubjects(options.prefix, options.durableSubjects);
    const logger = options.logger ?? new Logger(NatsBroker.name);
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: options.servers,
        name: options.name,
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: options.reconnectTimeWaitMs ?? 1000,
        reconnectJitter: options.reconnectJitterMs ?? 500,
        pingInterval: options.pingIntervalMs ?? 10_000,
        maxPingOut: 2,
        waitOnFirstConnect: options.waitOnFirstConnect ?? false,
      });
    } catch (error) {
      throw new BrokerUnavailableError(`cannot connect to NATS at ${String(options.servers)}: ${describe(error)}`, error);
    }
    try {
      const jsm = await jetstreamManager(nc);
      const jetStream = new NatsJetStream(jsm, jetstream(nc), {
        streamName: durableStreamName(options.prefix),
        subjects: durable.patterns,
        maxAgeMs: options.streamMaxAgeMs ?? 86_400_000,
        duplicateWindowMs: options.duplicateWindowMs ?? 120_000,
        replicas: options.streamReplicas ?? 1,
        ackWaitMs: options.ackWaitMs ?? 30_000,
        inactiveThresholdMs: options.consumerInactiveThresholdMs ?? 86_400_000,
        publishTimeoutMs: options.durablePublishTimeoutMs ?? 5000,
      });
      await jetStream.ensureStream();
      return new NatsBroker(nc, jetStream, durable, options, logger);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  async publish<T>(subject: string, message: MessageEnvelope<T>): Promise<void> {
    this.assertOpen();
    assertConcreteSubject(subject);
    this.wrap(() => this.nc.publish(subject, encodeEnvelope(message)));
    this.runtime.count('published', subject);
  }

  async subscribe<T>(subject: string, handler: MessageHandler<T>, options: SubscribeOptions = {}): Promise<Subscription> {
    return this.addSubscription(subject, options, (msg, running) => {
      const envelope = this.accept<T>(msg);
      if (!envelope) return;
      running.track(
        invoke(() => handler(envelope, { subject: msg.subject })).catch((error: unknown) =>
          this.runtime.handlerFailed(`handler of ${subject}`, error, msg.subject),
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
    let response: Msg;
    try {
      this.runtime.count('published', subject);
      response = await this.nc.request(subject, encodeEnvelope(message), { timeout: options.timeoutMs });
    } catch (error) {
      throw this.requestError(subject, options.timeoutMs, error);
    }
    if (response.headers?.get(REPLY_ERROR_HEADER)) {
      throw new BrokerReplyError(subject, remoteMessage(response.string()));
    }
    const reply = decodeEnvelope<TRes>(response.string());
    if (!reply) throw new BrokerReplyError(subject, 'the reply is not a message envelope');
    return reply;
  }

  async reply<TReq, TRes>(
    subject: string,
    handler: ReplyHandler<TReq, TRes>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    return this.addSubscription(subject, options, (msg, running) => {
      const envelope = this.accept<TReq>(msg);
      if (!envelope) return;
      running.track(
        invoke(() => handler(envelope, { subject: msg.subject })).then(
          (answer) => this.respond(msg, () => msg.respond(encodeEnvelope(answer))),
          (error: unknown) => {
            this.runtime.handlerFailed(`reply handler of ${subject}`, error, msg.subject);
            const h = headers();
            h.set(REPLY_ERROR_HEADER, '1');
            this.respond(msg, () => msg.respond(JSON.stringify({ error: describe(error) }), { headers: h }));
          },
        ),
      );
    });
  }

  async publishDurable<T>(subject: string, message: MessageEnvelope<T>): Promise<void> {
    this.assertOpen();
    this.durable.assertPublishable(subject);
    try {
      await this.jetStream.publish(subject, encodeEnvelope(message), message.id);
    } catch (error) {
      throw new BrokerUnavailableError(`NATS did not confirm storing a message on ${subject}: ${describe(error)}`, error);
    }
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
    await this.jetStream.ensureConsumer(consumerName, subject);
    const consumer = new NatsDurableConsumer(
      jetstream(this.nc),
      {
        streamName: this.jetStream.settings.streamName,
        name: consumerName,
        subject,
        concurrency,
        ackWaitMs: this.jetStream.settings.ackWaitMs,
        redeliveryDelayMs: this.options.redeliveryDelayMs ?? 1000,
      },
      handler as DurableHandler<unknown>,
      this.runtime,
      () => this.restoreDurable(),
    );
    await consumer.start();
    this.consumers.add(consumer);
    return {
      unsubscribe: async () => {
        this.consumers.delete(consumer);
        await consumer.stop();
      },
    };
  }

  isConnected(): boolean {
    return this.connected && !this.nc.isClosed() && !this.closing;
  }

  onStatusChange(listener: (status: BrokerStatus) => void): () => void {
    return this.runtime.onStatusChange(listener);
  }

  async ping(timeoutMs = 1000): Promise<void> {
    if (!this.isConnected()) throw new BrokerUnavailableError('NATS is not connected');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BrokerUnavailableError(`NATS did not answer a ping within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.nc.flush(), timeout]);
    } catch (error) {
      if (error instanceof BrokerUnavailableError) throw error;
      throw new BrokerUnavailableError(`NATS ping failed: ${describe(error)}`, error);
    } finally {
      clearTimeout(timer);
    }
  }

  stats(): BrokerStats {
    return this.runtime.stats();
  }

  statsBySubjectClass(): SubjectClassStats[] {
    return this.runtime.statsBySubjectClass();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.consumers].map((c) => c.stop()));
      this.consumers.clear();
      const core = [...this.core];
      this.core.clear();
      for (const { sub } of core) sub.unsubscribe();
      await Promise.all(core.map(({ running }) => running.idle()));
      await this.drain();
      this.markClosed();
    })();
    return this.closing;
  }

  private async addSubscription(
    subject: string,
    options: SubscribeOptions,
    onMessage: (msg: Msg, running: RunningHandlers) => void,
  ): Promise<Subscription> {
    this.assertOpen();
    assertSubjectPattern(subject);
    if (options.queue !== undefined) assertName(options.queue, 'queue group');
    const running = new RunningHandlers();
    const sub = this.wrap(() =>
      this.nc.subscribe(subject, {
        queue: options.queue,
        callback: (error, msg) => {
          if (error) this.runtime.logger.warn(`subscription ${subject}: ${describe(error)}`);
          else onMessage(msg, running);
        },
      }),
    );
    const entry = { sub, running };
    this.core.add(entry);
    // Resolve only once the server has the subscription, so a publish right after reaches it.
    await this.nc.flush().catch(() => undefined);
    return {
      unsubscribe: async () => {
        this.core.delete(entry);
        if (!sub.isClosed()) this.wrap(() => sub.unsubscribe());
        await running.idle();
      },
    };
  }

  private accept<T>(msg: Msg): MessageEnvelope<T> | undefined {
    const envelope = decodeEnvelope<T>(msg.string());
    if (!envelope) {
      this.runtime.dropped(msg.subject);
      return undefined;
    }
    this.runtime.count('received', msg.subject);
    return envelope;
  }

  private respond(msg: Msg, send: () => boolean): void {
    if (!msg.reply) return;
    try {
      send();
    } catch (error) {
      this.runtime.logger.warn(`replying on ${msg.subject} failed: ${describe(error)}`);
    }
  }

  private requestError(subject: string, timeoutMs: number, error: unknown): Error {
    if (error instanceof RequestError && error.isNoResponders()) return new BrokerNoRespondersError(subject);
    if (error instanceof TimeoutError || (error instanceof RequestError && error.cause instanceof TimeoutError)) {
      return new BrokerTimeoutError(subject, timeoutMs);
    }
    return new BrokerUnavailableError(`request on ${subject} failed: ${describe(error)}`, error);
  }

  private async followStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') {
        this.setConnected(false);
      } else if (status.type === 'reconnect') {
        this.runtime.count('reconnects');
        this.setConnected(true);
        this.restoreDurable();
      }
    }
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected || this.closing) return;
    this.connected = connected;
    this.runtime.logger.log(`NATS ${connected ? 'reconnected' : 'disconnected'}`);
    this.runtime.emitStatus(connected ? 'connected' : 'disconnected');
  }

  /**
   * Recreates the stream and consumers if the server lost them (a restart without its data).
   * Cheap when they exist; runs once at a time.
   */
  private restoreDurable(): void {
    if (this.restoring || this.closing) return;
    this.restoring = (async () => {
      try {
        await this.jetStream.ensureStream();
        const byName = new Map<string, NatsDurableConsumer[]>();
        for (const consumer of this.consumers) {
          byName.set(consumer.settings.name, [...(byName.get(consumer.settings.name) ?? []), consumer]);
        }
        for (const [name, members] of byName) {
          const recreated = await this.jetStream.ensureConsumer(name, members[0].settings.subject);
          if (recreated) await Promise.all(members.map((m) => m.reopen()));
        }
        this.restoring = undefined;
      } catch (error) {
        this.runtime.logger.error(`restoring the durable stream failed, retrying in 1 s: ${describe(error)}`);
        // Right after a restart JetStream can answer later than the connection comes back.
        const retry = setTimeout(() => {
          this.restoring = undefined;
          if (this.isConnected()) this.restoreDurable();
        }, 1000);
        retry.unref();
      }
    })();
  }

  private async drain(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.closeTimeoutMs ?? 5000);
    });
    try {
      const outcome = await Promise.race([this.nc.drain().then(() => 'drained' as const), limit]);
      if (outcome === 'timeout') await this.nc.close();
    } catch {
      // Already closed (for example by the server): nothing left to flush.
      if (!this.nc.isClosed()) await this.nc.close().catch(() => undefined);
    } finally {
      clearTimeout(timer);
    }
  }

  private markClosed(): void {
    this.connected = false;
    if (this.closedEmitted) return;
    this.closedEmitted = true;
    this.runtime.emitStatus('closed');
  }

  private assertOpen(): void {
    if (this.closing || this.nc.isClosed()) throw new BrokerUnavailableError('the NATS broker is closed');
  }

  private wrap<R>(action: () => R): R {
    try {
      return action();
    } catch (error) {
      if (error instanceof Error && /closed|draining/i.test(error.name)) {
        throw new BrokerUnavailableError(`NATS connection unusable: ${error.message}`, error);
      }
      throw error;
    }
  }
}

function remoteMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { error?: unknown }).error === 'string') {
      return (parsed as { error: string }).error;
    }
  } catch {
    // fall through to the raw body
  }
  return body;
}
