import { type DynamicModule, Global, Logger, Module, type OnApplicationShutdown, type OnModuleInit, Optional } from '@nestjs/common';
import { ReadinessService } from '@niyanta/observability';
import { DataSource } from 'typeorm';
import { createDataSource } from './data-source.factory';
import { runMigrations } from './migration-runner';
import { StateHealth } from './state-health.service';
import type { StateOptions } from './state-options';

/** Options of {@link StateModule.forRoot}. */
export interface StateModuleOptions extends StateOptions {
  /**
   * Apply pending migrations before the data source is handed out (under an advisory lock, so
   * replicas starting together apply them once).
   * @default false
   */
  runMigrations?: boolean;
}

/**
 * Provides the TypeORM {@link DataSource} (inject it by its class) and {@link StateHealth} to the
 * whole application, and registers the `postgres` readiness check when observability is present. The data source is closed in `onApplicationShutdown`, the last shutdown
 * phase, so services that drain in `onModuleDestroy`/`beforeApplicationShutdown` can still write.
 */
@Global()
@Module({})
export class StateModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(StateModule.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly health: StateHealth,
    @Optional() private readonly readiness?: ReadinessService,
  ) {}

  /** Every process that uses the database reports it in `/ready` as `postgres`. */
  onModuleInit(): void {
    this.readiness?.register('postgres', () => this.health.ping());
  }

  /** Connects (creating the schema if missing) when the application starts. */
  static forRoot(options: StateModuleOptions): DynamicModule {
    return {
      module: StateModule,
      global: true,
      providers: [
        {
          provide: DataSource,
          useFactory: async (): Promise<DataSource> => {
            const dataSource = await createDataSource(options);
            if (options.runMigrations) {
              try {
                await runMigrations(dataSource);
              } catch (error) {
                await dataSource.destroy();
                throw error;
              }
            }
            return dataSource;
          },
        },
        StateHealth,
      ],
      exports: [DataSource, StateHealth],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.dataSource.isInitialized) return;
    try {
      await this.dataSource.destroy();
    } catch (error) {
      this.logger.warn(`closing the database pool failed: ${String(error)}`);
    }
  }
}
