export { Broker } from './lib/broker.port';
export type {
  BrokerStats,
  SubjectClassStats,
  BrokerStatus,
  ConsumeDurableOptions,
  DurableDelivery,
  DurableHandler,
  MessageContext,
  MessageHandler,
  ReplyHandler,
  RequestOptions,
  SubscribeOptions,
  Subscription,
} from './lib/broker.port';
export {
  BrokerArgumentError,
  BrokerError,
  BrokerNoRespondersError,
  BrokerReplyError,
  BrokerTimeoutError,
  BrokerUnavailableError,
} from './lib/errors';
export type { BrokerLogger } from './lib/broker-runtime';
export { defaultDurableSubjects, durableStreamName } from './lib/durable-subjects';
export { InProcessBroker } from './lib/in-process/in-process-broker.adapter';
export type { InProcessBrokerOptions } from './lib/in-process/in-process-broker.adapter';
export { NatsBroker } from './lib/nats/nats-broker.adapter';
export type { NatsBrokerOptions } from './lib/nats/nats-broker.adapter';
export { BrokerModule, createBroker } from './lib/broker.module';
export type { BrokerModuleAsyncOptions, BrokerModuleOptions } from './lib/broker.module';
export { BrokerHealth } from './lib/broker-health.service';
export { FaultInjectingBroker, hasBrokerFaults, InjectedFaultError } from './lib/fault-injecting-broker';
export type { BrokerFaults, BrokerFaultStats } from './lib/fault-injecting-broker';
export { BROKER_METRIC, BrokerMetricsExporter } from './lib/broker-metrics';
export { subjectClass } from './lib/subject-class';
export type { SubjectClass } from './lib/subject-class';
