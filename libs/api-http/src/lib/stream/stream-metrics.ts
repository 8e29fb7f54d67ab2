import { Injectable } from '@nestjs/common';
import { Counter, Gauge, register, type Metric } from 'prom-client';

/** Names of the live stream's metrics. */
export const STREAM_METRIC = {
  connections: 'niyanta_stream_connections',
  messages: 'niyanta_stream_messages_total',
  drops: 'niyanta_stream_drops_total',
} as const;

/** Why the server cut a stream connection off. */
export type StreamDropReason = 'slow_consumer' | 'dead_peer' | 'buffer_overflow' | 'unauthorized' | 'snapshot_failed';

/** prom-client's registry is process-global: a second API in one process reuses the metric. */
function existing<T extends Metric>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

/** The live stream's metrics: open connections, messages sent, connections dropped by the server. */
@Injectable()
export class StreamMetrics {
  private readonly connections = existing(
    STREAM_METRIC.connections,
    () => new Gauge({ name: STREAM_METRIC.connections, help: 'Open /v1/stream WebSocket connections' }),
  );
  private readonly messages = existing(
    STREAM_METRIC.messages,
    () =>
      new Counter({
        name: STREAM_METRIC.messages,
        help: 'Messages sent to /v1/stream clients, by type (snapshot, update)',
        labelNames: ['type'],
      }),
  );
  private readonly drops = existing(
    STREAM_METRIC.drops,
    () =>
      new Counter({
        name: STREAM_METRIC.drops,
        help: 'Stream connections closed by the server, by reason (slow_consumer, dead_peer, buffer_overflow, unauthorized, snapshot_failed)',
        labelNames: ['reason'],
      }),
  );

  opened(): void {
    this.connections.inc();
  }

  closed(): void {
    this.connections.dec();
  }

  sent(type: 'snapshot' | 'update'): void {
    this.messages.inc({ type });
  }

  dropped(reason: StreamDropReason): void {
    this.drops.inc({ reason });
  }
}
