import { DynamicModule, Module } from '@nestjs/common';
import { ApiHttpModule } from '@niyanta/api-http';
import { BrokerModule, BrokerModuleOptions } from '@niyanta/broker';
import { StandaloneConfig } from '@niyanta/config';
import { LeaderModule, leaderOptionsFromSettings } from '@niyanta/leader';
import { ObservabilityModule } from '@niyanta/platform';
import { StateModule } from '@niyanta/state';
import { WorkerRuntimeModule, workerRuntimeOptionsFromSettings } from '@niyanta/worker-runtime';
import { WorkloadDefinition } from '@niyanta/workload-sdk';

/** Name of this process in logs, metrics and connection names. */
export const SERVICE_NAME = 'standalone';

/** What the standalone process runs on, decided in main.ts before the app is built. */
export interface StandaloneStores {
  /** The configured PostgreSQL or the embedded one's URL. */
  databaseUrl: string;
  /** Human-readable log lines (a developer's terminal). */
  prettyLogs: boolean;
  /** Workload types the in-process worker runs. */
  definitions: WorkloadDefinition[];
}

/**
 * API, leader and worker in one process, for a first run and for development: the same feature
 * modules the three separate apps use, on the configured stores or on embedded PostgreSQL and the
 * in-process broker.
 */
@Module({})
export class StandaloneModule {
  static forRoot(config: StandaloneConfig, stores: StandaloneStores): DynamicModule {
    const broker: BrokerModuleOptions = config.natsServers
      ? { kind: 'nats', servers: [...config.natsServers], name: SERVICE_NAME, prefix: config.brokerPrefix }
      : { kind: 'memory', prefix: config.brokerPrefix };
    return {
      module: StandaloneModule,
      imports: [
        ObservabilityModule.forRoot({ serviceName: SERVICE_NAME, logLevel: config.logLevel, pretty: stores.prettyLogs }),
        StateModule.forRoot({
          url: stores.databaseUrl,
          schema: config.databaseSchema,
          poolSize: config.databasePoolSize,
          applicationName: SERVICE_NAME,
          runMigrations: config.runMigrations,
        }),
        BrokerModule.forRoot(broker),
        ApiHttpModule.forRoot({
          adminApiKey: config.adminApiKey,
          bodyLimitBytes: config.bodyLimitBytes,
          auditOutboxDir: config.auditOutboxDir,
          auditFlushIntervalMs: config.auditFlushIntervalMs,
          authFailureWindowMs: config.authFailureWindowMs,
          authThrottle: config.authThrottle,
          streamMaxPerCustomer: config.streamMaxPerCustomer,
        }),
        LeaderModule.forRoot(leaderOptionsFromSettings(config)),
        WorkerRuntimeModule.forRoot(workerRuntimeOptionsFromSettings(config, stores.definitions)),
      ],
    };
  }
}
