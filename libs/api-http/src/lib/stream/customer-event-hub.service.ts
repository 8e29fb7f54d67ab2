import { Injectable, Logger } from '@nestjs/common';
import { Broker, type Subscription } from '@niyanta/broker';
import {
  ALL_WORKLOAD_STATUSES,
  MessageType,
  Subjects,
  type MessageEnvelope,
  type WorkloadEventPayload,
  type WorkloadStatus,
} from '@niyanta/models';

/** Receives one customer's workload events. */
export type WorkloadEventListener = (event: WorkloadEventPayload) => void;

interface CustomerChannel {
  listeners: Set<WorkloadEventListener>;
  /** Resolves once the broker delivers the customer's subject to this process. */
  ready: Promise<Subscription>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The event of `message` when it is a well-formed workload event of `customerId`; null otherwise.
 * The customer is checked although the subject already names it: a stream must never show one
 * customer another's workload, whatever a publisher got wrong.
 */
export function parseWorkloadEvent(message: MessageEnvelope<unknown>, customerId: string): WorkloadEventPayload | null {
  if (message.type !== MessageType.WorkloadEvent || message.version !== 1) return null;
  const p = message.payload;
  if (!isRecord(p) || p['customer_id'] !== customerId) return null;
  if (typeof p['workload_id'] !== 'string' || typeof p['workload_type'] !== 'string') return null;
  if (!(ALL_WORKLOAD_STATUSES as readonly unknown[]).includes(p['status'])) return null;
  if (typeof p['attempt'] !== 'number' || typeof p['progress'] !== 'number') return null;
  const workerId = p['worker_id'];
  const error = p['error'];
  return {
    workload_id: p['workload_id'],
    customer_id: customerId,
    workload_type: p['workload_type'],
    status: p['status'] as WorkloadStatus,
    attempt: p['attempt'],
    progress: p['progress'],
    worker_id: typeof workerId === 'string' ? workerId : null,
    output: p['output'] === undefined ? null : (p['output'] as WorkloadEventPayload['output']),
    error: isRecord(error) && typeof error['code'] === 'string' && typeof error['message'] === 'string' ? { code: error['code'], message: error['message'] } : null,
    occurred_at: typeof p['occurred_at'] === 'string' ? p['occurred_at'] : message.sent_at,
    ...(typeof p['schedule_id'] === 'string'
      ? { schedule_id: p['schedule_id'], schedule_tick: typeof p['schedule_tick'] === 'string' ? p['schedule_tick'] : null }
      : {}),
  };
}

/**
 * One broker subscription per customer with open streams in this process, shared by all of that
 * customer's connections: the first listener subscribes to `events.<customer_id>`, the last one to
 * leave unsubscribes. Events come from every API replica, the leader and the workers, so a client
 * sees changes made anywhere.
 */
@Injectable()
export class CustomerEventHub {
  private readonly logger = new Logger(CustomerEventHub.name);
  private readonly channels = new Map<string, CustomerChannel>();

  constructor(
    private readonly broker: Broker,
    private readonly subjects: Subjects,
  ) {}

  /**
   * Adds `listener` to the customer's events at once, and resolves when the subscription is
   * active on the broker — from then on no event of the customer is missed.
   * @returns a function that removes the listener (and the subscription with the last one)
   */
  async attach(customerId: string, listener: WorkloadEventListener): Promise<() => Promise<void>> {
    let channel = this.channels.get(customerId);
    if (!channel) {
      const listeners = new Set<WorkloadEventListener>();
      const ready = this.broker.subscribe<unknown>(this.subjects.customerEvents(customerId), (message) => {
        const event = parseWorkloadEvent(message, customerId);
        if (event === null) return;
        for (const each of listeners) each(event);
      });
      channel = { listeners, ready };
      this.channels.set(customerId, channel);
      // A failed subscribe must not stay cached for the next connection.
      ready.catch(() => {
        if (this.channels.get(customerId) === channel) this.channels.delete(customerId);
      });
    }
    const joined = channel;
    joined.listeners.add(listener);
    try {
      await joined.ready;
    } catch (error: unknown) {
      joined.listeners.delete(listener);
      throw error;
    }
    let detached = false;
    return async () => {
      if (detached) return;
      detached = true;
      joined.listeners.delete(listener);
      if (joined.listeners.size > 0 || this.channels.get(customerId) !== joined) return;
      this.channels.delete(customerId);
      try {
        await (await joined.ready).unsubscribe();
      } catch (error: unknown) {
        this.logger.warn(`unsubscribing the events of customer ${customerId} failed: ${String(error)}`);
      }
    };
  }

  /** Customers with at least one listener in this process. */
  customerCount(): number {
    return this.channels.size;
  }
}
