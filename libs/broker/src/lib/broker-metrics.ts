import { Counter, register, type Registry } from 'prom-client';
import type { Broker, BrokerStats } from './broker.port';

/** Names of the broker metrics every process with a broker exports. */
export const BROKER_METRIC = {
  published: 'niyanta_broker_messages_published_total',
  consumed: 'niyanta_broker_messages_consumed_total',
  redelivered: 'niyanta_broker_redeliveries_total',
  handlerErrors: 'niyanta_broker_handler_errors_total',
  dropped: 'niyanta_broker_dropped_messages_total',
  reconnects: 'niyanta_broker_reconnects_total',
} as const;

type ClassLabels = 'subject_class' | 'delivery';

/**
 * Exports the adapters' counters. They are read at scrape time from {@link Broker.statsBySubjectClass},
 * so publishing and consuming pay only the adapter's own increment. Several brokers in one process
 * (tests, two applications) are summed.
 */
export class BrokerMetricsExporter {
  private static readonly exporters = new Map<Registry, BrokerMetricsExporter>();
  private readonly brokers = new Set<Broker>();

  private constructor(registry: Registry) {
    const brokers = this.brokers;
    const sum = (pick: (stats: BrokerStats) => Array<[Partial<Record<ClassLabels, string>>, number]>) =>
      function (this: Counter<ClassLabels>) {
        this.reset();
        for (const broker of brokers) {
          for (const { subjectClass, stats } of broker.statsBySubjectClass()) {
            for (const [labels, value] of pick(stats)) {
              if (value > 0) this.inc({ subject_class: subjectClass, ...labels }, value);
            }
          }
        }
      };
    const registers = [registry];
    new Counter<ClassLabels>({
      name: BROKER_METRIC.published,
      help: 'Messages published, by subject class and delivery (durable: confirmed stored by the broker; fire_and_forget: handed to the connection)',
      labelNames: ['subject_class', 'delivery'],
      registers,
      collect: sum((s) => [
        [{ delivery: 'durable' }, s.publishedDurable],
        [{ delivery: 'fire_and_forget' }, s.published],
      ]),
    });
    new Counter<ClassLabels>({
      name: BROKER_METRIC.consumed,
      help: 'Messages handed to handlers, by subject class and delivery (durable deliveries include redeliveries)',
      labelNames: ['subject_class', 'delivery'],
      registers,
      collect: sum((s) => [
        [{ delivery: 'durable' }, s.receivedDurable],
        [{ delivery: 'fire_and_forget' }, s.received],
      ]),
    });
    new Counter<'subject_class'>({
      name: BROKER_METRIC.redelivered,
      help: 'Durable deliveries that were redeliveries, by subject class',
      labelNames: ['subject_class'],
      registers,
      collect: sum((s) => [[{}, s.redelivered]]),
    });
    new Counter<'subject_class'>({
      name: BROKER_METRIC.handlerErrors,
      help: 'Message handlers that threw or rejected, by subject class',
      labelNames: ['subject_class'],
      registers,
      collect: sum((s) => [[{}, s.handlerErrors]]),
    });
    new Counter<'subject_class'>({
      name: BROKER_METRIC.dropped,
      help: 'Inbound messages dropped because they were not a message envelope, by subject class',
      labelNames: ['subject_class'],
      registers,
      collect: sum((s) => [[{}, s.droppedNonEnvelope]]),
    });
    new Counter({
      name: BROKER_METRIC.reconnects,
      help: 'Times the broker connection came back after being lost',
      registers,
      collect(this: Counter) {
        this.reset();
        let total = 0;
        for (const broker of brokers) total += broker.stats().reconnects;
        if (total > 0) this.inc(total);
      },
    });
  }

  /** The exporter of `registry` (prom-client's default registry unless given), created once. */
  static of(registry: Registry = register): BrokerMetricsExporter {
    let exporter = BrokerMetricsExporter.exporters.get(registry);
    // A registry that was cleared (tests do) gets the metrics again.
    if (!exporter || !registry.getSingleMetric(BROKER_METRIC.published)) {
      exporter = new BrokerMetricsExporter(registry);
      BrokerMetricsExporter.exporters.set(registry, exporter);
    }
    return exporter;
  }

  /** Starts exporting `broker`'s counters; the returned function stops it. */
  add(broker: Broker): () => void {
    this.brokers.add(broker);
    return () => this.brokers.delete(broker);
  }
}
