import { Module, type DynamicModule } from '@nestjs/common';
import { createCheckpointObjectStore } from '@niyanta/checkpoint';
import { CheckpointRepository, ExecutionRepository, WorkerRegistryRepository } from '@niyanta/state';
import { CHECKPOINT_OBJECT_STORE, CheckpointPersistence } from './checkpoint-persistence.service';
import { CheckpointSweeper } from './checkpoint-sweeper.service';
import { ExecutionEngine } from './execution-engine.service';
import { WORKER_METRIC_PROVIDERS, WorkerMetrics } from './worker-metrics';
import {
  resolveWorkerRuntimeOptions,
  WORKER_RUNTIME_OPTIONS,
  type WorkerRuntimeOptions,
} from './worker-runtime.options';
import { WorkerRuntimeService } from './worker-runtime.service';

/**
 * The worker feature: registration, heartbeat, execution engine and drain. Needs, from the app:
 * `StateModule` (the `DataSource`), `BrokerModule` (`Broker`, `Subjects`; the assignment subject
 * `<prefix>.worker.*.assign` declared durable) and, optionally, `ObservabilityModule` (readiness
 * and `/metrics`). Starts on application bootstrap and drains on module destroy (SIGTERM with
 * shutdown hooks enabled), before the database and broker modules close.
 */
@Module({})
export class WorkerRuntimeModule {
  /**
   * Checkpoints larger than `checkpointInlineMaxBytes` go to the object store `checkpointStorage`
   * names (or `checkpointObjectStore`); one worker at a time sweeps its orphaned objects.
   * @throws Error when `options` are invalid (capacity, intervals, unknown `types`, bad definitions).
   */
  static forRoot(options: WorkerRuntimeOptions): DynamicModule {
    const resolved = resolveWorkerRuntimeOptions(options);
    return {
      module: WorkerRuntimeModule,
      providers: [
        { provide: WORKER_RUNTIME_OPTIONS, useValue: resolved },
        {
          provide: CHECKPOINT_OBJECT_STORE,
          useFactory: () => options.checkpointObjectStore ?? createCheckpointObjectStore(resolved.checkpointStorage),
        },
        CheckpointPersistence,
        CheckpointSweeper,
        ExecutionRepository,
        CheckpointRepository,
        WorkerRegistryRepository,
        ...WORKER_METRIC_PROVIDERS,
        WorkerMetrics,
        ExecutionEngine,
        WorkerRuntimeService,
      ],
      exports: [WorkerRuntimeService, CheckpointSweeper],
    };
  }
}
