import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  CheckpointObjectStore,
  checkpointObjectKey,
  decodeCheckpointAsync,
  type EncodedCheckpoint,
} from '@niyanta/checkpoint';
import { NotFoundError, type AttemptFence, type JsonValue } from '@niyanta/models';
import { ReadinessService } from '@niyanta/observability';
import { CheckpointRepository, type SavedCheckpoint, type StoredCheckpoint } from '@niyanta/state';
import { WorkerMetrics } from './worker-metrics';
import { WORKER_RUNTIME_OPTIONS, type ResolvedWorkerRuntimeOptions } from './worker-runtime.options';

/** Injection token of the worker's object store; null when checkpoints stay inline. */
export const CHECKPOINT_OBJECT_STORE = Symbol('CHECKPOINT_OBJECT_STORE');

/** The state a starting attempt resumes from. */
export interface RestoredCheckpoint {
  state: JsonValue;
  sequence: number;
  /** The attempt that wrote it. */
  attempt: number;
  /** Newer checkpoints that were skipped because they were missing or corrupt. */
  skipped: number;
}

/** The store is unreachable or not the one a checkpoint was written to: retry later. */
export class CheckpointUnavailableError extends Error {
  readonly code = 'checkpoint_unavailable';
  constructor(message: string, cause?: unknown) {
    super(message);
    this.name = 'CheckpointUnavailableError';
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** Every retained checkpoint is missing or fails verification. */
export class CheckpointUnreadableError extends Error {
  readonly code = 'checkpoint_unreadable';
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointUnreadableError';
  }
}

/**
 * Where a worker's checkpoints go and come back from. Small ones stay inline in PostgreSQL; one
 * whose stored size exceeds the inline threshold is written to the object store first and then
 * recorded by key in the fenced transaction, so a crash in between leaves an unreferenced object
 * (swept later), never a row pointing at nothing. Loading verifies the content hash and falls back
 * to an older retained checkpoint when the newest is missing or corrupt.
 */
@Injectable()
export class CheckpointPersistence implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CheckpointPersistence.name);

  constructor(
    @Inject(WORKER_RUNTIME_OPTIONS) private readonly options: ResolvedWorkerRuntimeOptions,
    private readonly repository: CheckpointRepository,
    @Inject(CHECKPOINT_OBJECT_STORE) private readonly objectStore: CheckpointObjectStore | null,
    private readonly metrics: WorkerMetrics,
    @Optional() private readonly readiness?: ReadinessService,
  ) {}

  onModuleInit(): void {
    const store = this.objectStore;
    if (store !== null) this.readiness?.register('checkpoint_store', () => store.ping());
  }

  // After every module's onModuleDestroy: the drain has stored its checkpoints by then.
  async onApplicationShutdown(): Promise<void> {
    await this.objectStore?.close?.();
  }

  /**
   * Stores one encoded checkpoint of the fenced attempt and applies retention. Null when the
   * attempt is no longer this worker's (nothing recorded; an object written for it is removed).
   * Rejects when the object store or the database fails: the caller may try again.
   */
  async store(fence: AttemptFence, encoded: EncodedCheckpoint): Promise<SavedCheckpoint | null> {
    const store = this.objectStore;
    const retain = this.options.checkpointRetain;
    if (store === null || encoded.storedBytes <= this.options.checkpointInlineMaxBytes) {
      const saved = await this.repository.save(fence, { ...encoded, storage: 'inline' }, { retain });
      if (saved !== null) void this.deleteObjects(saved.dropped.map((d) => d.objectKey), 'retention');
      return saved;
    }
    // A fresh key per write (retries included): a row never points at an object another write replaced.
    const key = checkpointObjectKey(fence.workloadId, fence.attempt);
    const began = Date.now();
    await store.put(key, encoded.data);
    // The sweep deletes unreferenced objects older than the grace period; recording an object
    // whose write took that long could race it, so such a write is abandoned (and retried).
    if (Date.now() - began > this.options.checkpointOrphanGraceMs / 2) {
      void this.deleteObjects([key], 'stale');
      throw new Error(`writing checkpoint object ${key} took ${Date.now() - began} ms, too close to the orphan grace period`);
    }
    // If this rejects, whether the row committed is unknown (a lost reply): the object is left to the sweep.
    const saved = await this.repository.save(
      fence,
      { ...encoded, data: null, storage: store.kind, objectKey: key },
      { retain },
    );
    if (saved === null) {
      void this.deleteObjects([key], 'stale');
      return null;
    }
    void this.deleteObjects(saved.dropped.map((d) => d.objectKey), 'retention');
    return saved;
  }

  /**
   * The newest readable checkpoint of `workloadId`, or null when it has none. A missing or corrupt
   * checkpoint is skipped for the next older one retained (logged and counted); when none is
   * readable this rejects with {@link CheckpointUnreadableError}, and with
   * {@link CheckpointUnavailableError} when the database or object store cannot be reached.
   */
  async load(workloadId: string, workloadType: string): Promise<RestoredCheckpoint | null> {
    let candidates: StoredCheckpoint[];
    try {
      candidates = await this.repository.recent(workloadId, this.options.checkpointRetain);
    } catch (error) {
      this.metrics.checkpointRestored(workloadType, 'unavailable');
      throw new CheckpointUnavailableError(`loading checkpoints failed: ${errorMessage(error)}`, error);
    }
    if (candidates.length === 0) return null;
    const problems: string[] = [];
    for (const candidate of candidates) {
      let data: Buffer;
      try {
        data = await this.bytesOf(candidate);
      } catch (error) {
        if (!(error instanceof NotFoundError)) {
          this.metrics.checkpointRestored(workloadType, 'unavailable');
          throw error instanceof CheckpointUnavailableError
            ? error
            : new CheckpointUnavailableError(`reading checkpoint ${candidate.sequence} failed: ${errorMessage(error)}`, error);
        }
        problems.push(`checkpoint ${candidate.sequence}: object ${candidate.objectKey} is missing`);
        continue;
      }
      try {
        const state = await decodeCheckpointAsync(data, candidate.codec, candidate.contentHash);
        if (problems.length > 0) {
          this.logger.warn(`workload ${workloadId}: resuming from an older checkpoint (${problems.join('; ')})`);
        }
        this.metrics.checkpointRestored(workloadType, problems.length === 0 ? 'restored' : 'fell_back');
        return { state, sequence: candidate.sequence, attempt: candidate.attempt, skipped: problems.length };
      } catch (error) {
        problems.push(`checkpoint ${candidate.sequence}: ${errorMessage(error)}`);
      }
    }
    this.metrics.checkpointRestored(workloadType, 'unreadable');
    throw new CheckpointUnreadableError(`no readable checkpoint among the newest ${candidates.length}: ${problems.join('; ')}`);
  }

  /** Audits a checkpoint that failed for good; never rejects (the failure is already logged and counted). */
  async reportFailure(fence: AttemptFence, details: Record<string, unknown>): Promise<void> {
    try {
      await this.repository.recordFailure(fence, details);
    } catch (error) {
      this.logger.warn(`recording the checkpoint failure of ${fence.workloadId} failed: ${errorMessage(error)}`);
    }
  }

  private async bytesOf(checkpoint: StoredCheckpoint): Promise<Buffer> {
    if (checkpoint.storage === 'inline') {
      if (checkpoint.data === null) throw new NotFoundError('inline checkpoint bytes', checkpoint.id);
      return checkpoint.data;
    }
    const store = this.objectStore;
    if (store === null || store.kind !== checkpoint.storage || checkpoint.objectKey === null) {
      throw new CheckpointUnavailableError(
        `checkpoint ${checkpoint.sequence} is stored in "${checkpoint.storage}", which this worker is not configured for` +
          ` (CHECKPOINT_STORE=${store?.kind ?? 'inline'})`,
      );
    }
    return store.get(checkpoint.objectKey);
  }

  /** Best effort: an object left behind is an orphan the sweep removes later. */
  private async deleteObjects(keys: readonly string[], reason: 'retention' | 'stale'): Promise<void> {
    const store = this.objectStore;
    if (store === null || keys.length === 0) return;
    let deleted = 0;
    for (const key of keys) {
      try {
        await store.delete(key);
        deleted++;
      } catch (error) {
        this.logger.warn(`deleting checkpoint object ${key} (${reason}) failed; the sweep will retry: ${errorMessage(error)}`);
      }
    }
    this.metrics.checkpointObjectsDeleted(reason, deleted);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
