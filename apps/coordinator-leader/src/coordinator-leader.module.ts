import { DynamicModule, Module } from '@nestjs/common';
import { BrokerModule } from '@niyanta/broker';
import { LeaderConfig } from '@niyanta/config';
import { LeaderModule, leaderOptionsFromSettings } from '@niyanta/leader';
import { ObservabilityModule } from '@niyanta/platform';
import { StateModule } from '@niyanta/state';

/** Name of this process in logs, metrics and connection names. */
export const SERVICE_NAME = 'coordinator-leader';

/**
 * A leader candidate: campaigns for the lease and, while it holds it, schedules, monitors worker
 * health and reclaims unacknowledged assignments. HTTP serves only health, readiness (with the
 * leadership and generation in `details.leader`) and metrics.
 */
@Module({})
export class CoordinatorLeaderModule {
  static forRoot(config: LeaderConfig): DynamicModule {
    return {
      module: CoordinatorLeaderModule,
      imports: [
        ObservabilityModule.forRoot({ serviceName: SERVICE_NAME, logLevel: config.logLevel }),
        StateModule.forRoot({
          url: config.databaseUrl,
          schema: config.databaseSchema,
          poolSize: config.databasePoolSize,
          applicationName: `${SERVICE_NAME}:${config.leaderId}`,
          runMigrations: config.runMigrations,
        }),
        BrokerModule.forRoot({
          kind: 'nats',
          servers: [...config.natsServers],
          name: `${SERVICE_NAME}:${config.leaderId}`,
          prefix: config.brokerPrefix,
          faults: config.brokerFaults,
        }),
        LeaderModule.forRoot(leaderOptionsFromSettings(config)),
      ],
    };
  }
}
