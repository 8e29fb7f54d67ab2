import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { describe, RunningHandlers, type BrokerRuntime } from '../broker-runtime';
import type { DurableHandler } from '../broker.port';
import { decodeEnvelope } from '../envelope-codec';

/** Settings of one {@link NatsDurableConsumer}. */
export interface NatsDurableConsumerSettings {
  streamName: string;
  name: string;
  subject: string;
  concurrency: number;
  ackWaitMs: number;
  redeliveryDelayMs: number;
}

/**
 * One member of a durable pull consumer: pulls messages, runs the handler with at most
 * `concurrency` in flight, acks on success and naks with a delay on failure. While a handler runs
 * it tells the server it is still working, so a slow handler is not mistaken for a dead member.
 */
export class NatsDurableConsumer {
  private messages: ConsumerMessages | undefined;
  private readonly loops = new Set<Promise<void>>();
  private readonly running = new RunningHandlers();
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly js: JetStreamClient,
    readonly settings: NatsDurableConsumerSettings,
    private readonly handler: DurableHandler<unknown>,
    private readonly runtime: BrokerRuntime,
    private readonly onMissing: () => void,
  ) {
    this.free = settings.concurrency;
  }

  async start(): Promise<void> {
    const consumer = await this.js.consumers.get(this.settings.streamName, this.settings.name);
    // A small pull batch keeps messages from piling up in one busy member while others are idle,
    // and keeps few messages to hand back when this member stops.
    const batch = Math.max(2, this.settings.concurrency * 2);
    const messages = await consumer.consume({ max_messages: batch });
    if (this.stopping) {
      // stop() ran while this (re)open was in flight and did not see these messages.
      await this.close(messages);
      return;
    }
    this.messages = messages;
    const loop = this.run(messages);
    this.loops.add(loop);
    void loop.finally(() => this.loops.delete(loop));
    void this.watch(messages);
  }

  /**
   * Pulls afresh after the server lost and got back the consumer: the pull that was waiting went
   * to the lost one and would otherwise only be replaced after missed heartbeats (tens of seconds).
   */
  async reopen(): Promise<void> {
    if (this.stopping) return;
    const previous = this.messages;
    await this.start();
    await this.close(previous);
  }

  /** Stops pulling, hands back fetched messages not started, and waits for running handlers. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.release(this.waiting.length);
      await this.close(this.messages);
      await Promise.all([...this.loops]);
      await this.running.idle();
    })();
    return this.stopped;
  }

  private async close(messages: ConsumerMessages | undefined): Promise<void> {
    try {
      await messages?.close();
    } catch (error) {
      this.runtime.logger.warn(`closing consumer ${this.settings.name} failed: ${describe(error)}`);
    }
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    const current = () => !this.stopping && messages === this.messages;
    try {
      for await (const message of messages) {
        if (current()) await this.acquire();
        if (!current()) {
          // Another member (or this consumer after a restart) gets it at once, not after ack_wait.
          this.safely(() => message.nak(), 'nak');
          continue;
        }
        this.running.track(this.process(message).finally(() => this.release(1)));
      }
    } catch (error) {
      if (!this.stopping) this.runtime.logger.error(`consumer ${this.settings.name} stopped: ${describe(error)}`);
    }
  }

  private async process(message: JsMsg): Promise<void> {
    const envelope = decodeEnvelope<unknown>(message.string());
    if (!envelope) {
      this.runtime.dropped(message.subject);
      this.safely(() => message.term(), 'term');
      return;
    }
    this.runtime.count('receivedDurable', message.subject);
    const { redelivered, deliveryCount } = message.info;
    if (redelivered) this.runtime.count('redelivered', message.subject);
    const keepAlive = setInterval(() => this.safely(() => message.working(), 'working'), Math.max(100, this.settings.ackWaitMs / 2));
    keepAlive.unref();
    try {
      await this.handler(envelope, { subject: message.subject, redelivered, deliveryCount });
      this.safely(() => message.ack(), 'ack');
    } catch (error) {
      this.runtime.handlerFailed(`durable consumer ${this.settings.name}`, error, message.subject);
      this.safely(() => message.nak(this.settings.redeliveryDelayMs), 'nak');
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async watch(messages: ConsumerMessages): Promise<void> {
    for await (const status of messages.status()) {
      if (status.type === 'consumer_not_found' || status.type === 'stream_not_found' || status.type === 'consumer_deleted') {
        if (this.stopping || messages !== this.messages) continue;
        this.runtime.logger.warn(`consumer ${this.settings.name}: ${status.type}; recreating`);
        this.onMissing();
      }
    }
  }

  private acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(count: number): void {
    for (let i = 0; i < count; i++) {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }

  private safely(action: () => void, what: string): void {
    try {
      action();
    } catch (error) {
      // The connection is closed or reconnecting; the server redelivers after ack_wait anyway.
      this.runtime.logger.warn(`${what} on consumer ${this.settings.name} failed: ${describe(error)}`);
    }
  }
}
