import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { BrokerArgumentError } from '../errors';

/** JetStream API error codes this adapter reacts to. */
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;
const STREAM_NAME_IN_USE = 10058;
const CONSUMER_NOT_UNIQUE_ON_WORKQUEUE = 10100;

/** Settings of the durable stream and its consumers. */
export interface DurableStreamSettings {
  streamName: string;
  subjects: readonly string[];
  maxAgeMs: number;
  duplicateWindowMs: number;
  replicas: number;
  ackWaitMs: number;
  inactiveThresholdMs: number;
  publishTimeoutMs: number;
}

/**
 * Creates and keeps the JetStream stream and durable consumers of one prefix, idempotently: every
 * process may call these at start and after a reconnect, whoever comes first creates, the others
 * find what they need.
 *
 * The stream is a work queue on file storage: a message stays until one consumer acknowledges it
 * (or `maxAgeMs` passes), and survives a NATS restart. Work-queue retention is what "each message
 * to one consumer" means on the server, which is why consumers may not overlap.
 */
export class NatsJetStream {
  constructor(
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    readonly settings: DurableStreamSettings,
  ) {}

  /**
   * Creates the stream, or adds the subjects it lacks. Subjects are only ever added: processes of
   * one prefix may declare different durable subjects, and one must not remove another's.
   * Limits (age, replicas) are set by whoever creates the stream.
   */
  async ensureStream(): Promise<void> {
    const { streamName, subjects } = this.settings;
    for (let attempt = 0; attempt < 3; attempt++) {
      const info = await this.streamInfo();
      if (!info) {
        try {
          await this.jsm.streams.add(this.streamConfig());
          return;
        } catch (error) {
          // Another process created it between our look and our add: look again.
          if (apiCode(error) === STREAM_NAME_IN_USE) continue;
          throw error;
        }
      }
      if (info.config.retention !== RetentionPolicy.Workqueue) {
        throw new BrokerArgumentError(`stream ${streamName} exists with ${info.config.retention} retention, not workqueue`);
      }
      const missing = subjects.filter((s) => !info.config.subjects.includes(s));
      if (missing.length === 0) return;
      await this.jsm.streams.update(streamName, { ...info.config, subjects: [...info.config.subjects, ...missing] });
      return;
    }
    throw new Error(`could not create or update stream ${streamName}`);
  }

  /**
   * Creates the durable pull consumer `name` on `subject`, or updates its settings. Returns true
   * when it did not exist (new, or lost by the server).
   */
  async ensureConsumer(name: string, subject: string): Promise<boolean> {
    const { streamName } = this.settings;
    let existed = true;
    try {
      const info = await this.jsm.consumers.info(streamName, name);
      if (info.config.filter_subject !== subject) {
        throw new BrokerArgumentError(`consumer '${name}' already consumes '${info.config.filter_subject}', not '${subject}'`);
      }
    } catch (error) {
      if (apiCode(error) !== CONSUMER_NOT_FOUND && apiCode(error) !== STREAM_NOT_FOUND) throw error;
      existed = false;
    }
    try {
      await this.jsm.consumers.add(streamName, this.consumerConfig(name, subject));
      return !existed;
    } catch (error) {
      if (apiCode(error) === CONSUMER_NOT_UNIQUE_ON_WORKQUEUE) {
        throw new BrokerArgumentError(`consumer '${name}' on '${subject}' overlaps another consumer of stream ${streamName}`);
      }
      throw error;
    }
  }

  /** Stores a message; `msgId` deduplicates within the stream's duplicate window. */
  async publish(subject: string, data: string, msgId: string): Promise<void> {
    const options = { msgID: msgId, timeout: this.settings.publishTimeoutMs };
    try {
      await this.js.publish(subject, data, options);
    } catch (error) {
      // The stream can be gone (NATS restarted without its data, or an operator deleted it):
      // recreate it once rather than failing every durable publish until this process restarts.
      if (!isMissingStream(error)) throw error;
      await this.ensureStream();
      await this.js.publish(subject, data, options);
    }
  }

  private async streamInfo(): Promise<StreamInfo | undefined> {
    try {
      return await this.jsm.streams.info(this.settings.streamName);
    } catch (error) {
      if (apiCode(error) === STREAM_NOT_FOUND) return undefined;
      throw error;
    }
  }

  private streamConfig(): Partial<StreamConfig> & { name: string } {
    const s = this.settings;
    return {
      name: s.streamName,
      subjects: [...s.subjects],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(s.maxAgeMs),
      duplicate_window: nanos(Math.min(s.duplicateWindowMs, s.maxAgeMs)),
      num_replicas: s.replicas,
    };
  }

  private consumerConfig(name: string, subject: string): Partial<ConsumerConfig> {
    const s = this.settings;
    return {
      durable_name: name,
      filter_subject: subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(s.ackWaitMs),
      max_deliver: -1,
      inactive_threshold: nanos(s.inactiveThresholdMs),
    };
  }
}

function apiCode(error: unknown): number | undefined {
  return error instanceof JetStreamApiError ? error.code : undefined;
}

function isMissingStream(error: unknown): boolean {
  // A publish to a subject no stream captures gets "no responders", which the client reports as
  // JetStreamNotEnabled (a class it does not export, hence the name check).
  return apiCode(error) === STREAM_NOT_FOUND || (error instanceof Error && error.name === 'JetStreamNotEnabled');
}
