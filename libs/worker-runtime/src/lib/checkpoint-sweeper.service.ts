import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { CHECKPOINT_OBJECT_PREFIX, CheckpointObjectStore, workloadIdOfObjectKey, type StoredObjectInfo } from '@niyanta/checkpoint';
import { CheckpointRepository } from '@niyanta/state';
import { CHECKPOINT_OBJECT_STORE } from './checkpoint-persistence.service';
import { WorkerMetrics } from './worker-metrics';
import { WORKER_RUNTIME_OPTIONS, type ResolvedWorkerRuntimeOptions } from './worker-runtime.options';

/** What one sweep did. */
export interface CheckpointSweepReport {
  /** False when another worker held the sweep lock (nothing was done). */
  ran: boolean;
  /** Objects under the checkpoint prefix looked at. */
  scanned: number;
  /** Unreferenced objects older than the grace period, deleted. */
  deleted: number;
  /** Temporary files of interrupted writes, deleted. */
  incomplete: number;
}

/** Objects checked against the database per query. */
const BATCH = 500;

/**
 * Deletes checkpoint objects that no row references once they are older than the grace period:
 * objects of a worker that died between writing the object and recording it, of rows retention
 * deleted while the object delete failed, and of workloads deleted since.
 *
 * It runs on workers rather than the leader because workers are the only processes that hold the
 * object store's configuration and credentials; a PostgreSQL advisory lock lets one worker of the
 * deployment sweep at a time (the others skip that round), and the grace period keeps it away from
 * objects whose row is still being written.
 */
@Injectable()
export class CheckpointSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CheckpointSweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<CheckpointSweepReport> | null = null;
  private stopped = false;

  constructor(
    @Inject(WORKER_RUNTIME_OPTIONS) private readonly options: ResolvedWorkerRuntimeOptions,
    private readonly repository: CheckpointRepository,
    @Inject(CHECKPOINT_OBJECT_STORE) private readonly store: CheckpointObjectStore | null,
    private readonly metrics: WorkerMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.options.checkpointSweepIntervalMs;
    if (this.store === null || interval === 0) return;
    // A random first delay spreads the workers of a fleet that started together.
    this.schedule(Math.round(Math.random() * interval));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** Sweeps now (unless another worker is sweeping). Concurrent calls share one sweep. */
  sweep(now = new Date()): Promise<CheckpointSweepReport> {
    this.running ??= this.sweepOnce(now).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sweep()
        .then((report) => {
          if (report.deleted + report.incomplete > 0) {
            this.logger.log(
              `checkpoint sweep: ${report.deleted} orphaned objects and ${report.incomplete} interrupted writes removed (${report.scanned} scanned)`,
            );
          }
        })
        .catch((error: unknown) => this.logger.warn(`checkpoint sweep failed: ${String(error)}`))
        .finally(() => this.schedule(this.options.checkpointSweepIntervalMs));
    }, delayMs);
    this.timer.unref();
  }

  private async sweepOnce(now: Date): Promise<CheckpointSweepReport> {
    const store = this.store;
    if (store === null) return { ran: false, scanned: 0, deleted: 0, incomplete: 0 };
    const cutoff = new Date(now.getTime() - this.options.checkpointOrphanGraceMs);
    const report = await this.repository.withSweepLock(async () => {
      let scanned = 0;
      let deleted = 0;
      let batch: Array<StoredObjectInfo & { workloadId: string }> = [];
      const flush = async (): Promise<void> => {
        deleted += await this.deleteUnreferenced(store, batch);
        batch = [];
      };
      for await (const object of store.list(CHECKPOINT_OBJECT_PREFIX)) {
        if (this.stopped) break;
        scanned++;
        const workloadId = workloadIdOfObjectKey(object.key);
        if (workloadId === null || object.lastModified >= cutoff) continue;
        batch.push({ ...object, workloadId });
        if (batch.length >= BATCH) await flush();
      }
      if (batch.length > 0) await flush();
      const incomplete = (await store.removeIncomplete?.(cutoff)) ?? 0;
      this.metrics.checkpointObjectsDeleted('incomplete', incomplete);
      return { ran: true, scanned, deleted, incomplete };
    });
    return report ?? { ran: false, scanned: 0, deleted: 0, incomplete: 0 };
  }

  private async deleteUnreferenced(
    store: CheckpointObjectStore,
    batch: ReadonlyArray<StoredObjectInfo & { workloadId: string }>,
  ): Promise<number> {
    const referenced = await this.repository.referencedObjectKeys(batch.map((object) => object.workloadId));
    let deleted = 0;
    for (const object of batch) {
      if (referenced.has(object.key)) continue;
      await store.delete(object.key);
      deleted++;
    }
    this.metrics.checkpointObjectsDeleted('orphan', deleted);
    return deleted;
  }
}
