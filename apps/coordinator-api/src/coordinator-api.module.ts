import { DynamicModule, Module } from '@nestjs/common';
import { ApiHttpModule } from '@niyanta/api-http';
import { BrokerModule } from '@niyanta/broker';
import { ApiConfig } from '@niyanta/config';
import { ObservabilityModule } from '@niyanta/platform';
import { StateModule } from '@niyanta/state';

/** Name of this process in logs, metrics and connection names. */
export const SERVICE_NAME = 'coordinator-api';

/** The REST API process: the API feature on PostgreSQL and NATS. */
@Module({})
export class CoordinatorApiModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: CoordinatorApiModule,
      imports: [
        ObservabilityModule.forRoot({ serviceName: SERVICE_NAME, logLevel: config.logLevel }),
        StateModule.forRoot({
          url: config.databaseUrl,
          schema: config.databaseSchema,
          poolSize: config.databasePoolSize,
          applicationName: SERVICE_NAME,
          runMigrations: config.runMigrations,
        }),
        BrokerModule.forRoot({
          kind: 'nats',
          servers: [...config.natsServers],
          name: SERVICE_NAME,
          prefix: config.brokerPrefix,
          faults: config.brokerFaults,
        }),
        ApiHttpModule.forRoot({
          adminApiKey: config.adminApiKey,
          bodyLimitBytes: config.bodyLimitBytes,
          auditOutboxDir: config.auditOutboxDir,
          auditFlushIntervalMs: config.auditFlushIntervalMs,
          authFailureWindowMs: config.authFailureWindowMs,
          authThrottle: config.authThrottle,
          streamMaxPerCustomer: config.streamMaxPerCustomer,
        }),
      ],
    };
  }
}
