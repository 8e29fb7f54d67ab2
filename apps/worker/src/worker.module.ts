import { DynamicModule, Module } from '@nestjs/common';
import { BrokerModule } from '@niyanta/broker';
import { WorkerConfig } from '@niyanta/config';
import { ObservabilityModule } from '@niyanta/platform';
import { StateModule } from '@niyanta/state';
import { WorkerRuntimeModule, workerRuntimeOptionsFromSettings } from '@niyanta/worker-runtime';
import { WorkloadDefinition } from '@niyanta/workload-sdk';

/** Name of this process in logs, metrics and connection names. */
export const SERVICE_NAME = 'worker';

/**
 * A worker: registers its workload types, heartbeats, runs assigned workloads with checkpoints,
 * and drains on SIGTERM. HTTP serves only health, readiness and metrics.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig, definitions: WorkloadDefinition[]): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ObservabilityModule.forRoot({ serviceName: SERVICE_NAME, logLevel: config.logLevel }),
        StateModule.forRoot({
          url: config.databaseUrl,
          schema: config.databaseSchema,
          poolSize: config.databasePoolSize,
          applicationName: `${SERVICE_NAME}:${config.workerId}`,
          runMigrations: config.runMigrations,
        }),
        BrokerModule.forRoot({
          kind: 'nats',
          servers: [...config.natsServers],
          name: `${SERVICE_NAME}:${config.workerId}`,
          prefix: config.brokerPrefix,
          faults: config.brokerFaults,
        }),
        WorkerRuntimeModule.forRoot(workerRuntimeOptionsFromSettings(config, definitions)),
      ],
    };
  }
}
