import { encodeCheckpointAsync, type CheckpointCompression, type EncodedCheckpoint } from '@niyanta/checkpoint';
import type { AttemptFence, CheckpointInfo, JsonValue, Workload } from '@niyanta/models';
import type { ExecutionRepository, ExecutionStart, SavedCheckpoint } from '@niyanta/state';
import {
  RetryableWorkloadError,
  WorkloadCancelledError,
  type WorkloadContext,
  type WorkloadDefinition,
  type WorkloadHandler,
  type WorkloadLogger,
} from '@niyanta/workload-sdk';
import type { CheckpointPersistence } from './checkpoint-persistence.service';
import { decideOutcome, type AbortKind, type OutcomeAction, type Settlement } from './execution-outcome';
import type { CheckpointTrigger, ExecutionObserver, ExecutionOutcome } from './execution-types';
import { ProgressThrottle } from './progress-throttle';

/** Node's timers overflow (and fire at once) past 2^31 - 1 ms, about 24.8 days. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What one execution needs from the worker. */
export interface ExecutionDependencies {
  executions: Pick<ExecutionRepository, 'reportProgress' | 'complete' | 'recordFailure' | 'release'>;
  checkpoints: Pick<CheckpointPersistence, 'load' | 'store' | 'reportFailure'>;
  /** Tries to store one checkpoint before it counts as failed. @default 3 */
  checkpointStoreTries?: number;
  /** Pause after the first failed store try (doubling). @default 200 */
  checkpointRetryBaseMs?: number;
  /** Backoff before the next attempt after `failureCount` failures. */
  retryDelayMs(failureCount: number): number;
  progressThrottleMs: number;
  /** Timeout of an attempt whose workload has none of its own (seconds). */
  defaultTimeoutSeconds?: number;
  compression: CheckpointCompression;
  observer: ExecutionObserver;
  logger: WorkloadLogger;
  /** Pause between retries of an outcome write the database refused. @default 200 (doubling, 5 tries) */
  writeRetryBaseMs?: number;
}

/** Result of {@link WorkloadExecution.run}. */
export interface ExecutionResult {
  outcome: ExecutionOutcome;
  /** The workload after the outcome write, when one was made. */
  workload: Workload | null;
}

const WRITE_TRIES = 5;

/**
 * Runs one attempt of one workload: loads the newest checkpoint, calls the handler's `init` and
 * `execute`, writes progress and checkpoints fenced by the attempt, enforces the timeout and the
 * automatic checkpoint policy, and records the outcome. Never rejects.
 *
 * The outcome is decided as soon as the handler settles or the attempt is aborted, whichever is
 * first: a handler that ignores its signal cannot hold a cancelled or paused workload hostage (its
 * later writes are refused here and fenced off in the database).
 */
export class WorkloadExecution {
  readonly fence: AttemptFence;
  private readonly controller = new AbortController();
  private readonly throttle: ProgressThrottle;
  private handler: WorkloadHandler | null = null;
  private initialized = false;
  private settled = false;
  private completing = false;
  private kind: AbortKind | null = null;
  private checkpointChain: Promise<unknown> = Promise.resolve();
  private checkpointsInFlight = 0;
  private lastCheckpointAt = Date.now();
  private lastCheckpointProgress = 0;
  private timeoutTimer: NodeJS.Timeout | null = null;
  private intervalTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly start: ExecutionStart,
    private readonly definition: WorkloadDefinition,
    workerId: string,
    private readonly deps: ExecutionDependencies,
  ) {
    this.fence = { workloadId: start.workload.id, attempt: start.workload.attempt, workerId };
    this.lastCheckpointProgress = start.workload.progress;
    this.throttle = new ProgressThrottle(deps.progressThrottleMs, (progress, message) =>
      this.writeProgress(progress, message),
    );
  }

  get workload(): Workload {
    return this.start.workload;
  }

  /** The workload's timeout, or the worker's default for workloads without one. */
  private get timeoutSeconds(): number | null {
    return this.start.timeoutSeconds ?? this.deps.defaultTimeoutSeconds ?? null;
  }

  /** Why the attempt was aborted, or null. */
  get abortKind(): AbortKind | null {
    return this.kind;
  }

  /** Runs the attempt to its recorded outcome. */
  async run(): Promise<ExecutionResult> {
    const aborted = new Promise<Settlement>((resolve) => {
      if (this.controller.signal.aborted) resolve({ kind: 'aborted' });
      this.controller.signal.addEventListener('abort', () => resolve({ kind: 'aborted' }), { once: true });
    });
    this.armTimers();
    const work = this.initAndExecute();
    const settlement = await Promise.race([work, aborted]);
    this.settled = true;
    this.clearTimers();
    if (settlement.kind === 'aborted') {
      void work.then((late) => {
        if (late.kind === 'resolved')
          this.deps.logger.debug('handler returned after its attempt was aborted; output dropped');
      });
    }
    const action = decideOutcome(settlement, this.kind, this.timeoutSeconds);
    this.completing = action.write === 'complete';
    // A completion writes progress 1 in its own statement, so a report still held back by the
    // throttle is superseded rather than written first (one round trip less while the slot is held).
    // A progress write already in flight needs no wait either: it is fenced on RUNNING, so after the
    // completion it matches nothing. A failure keeps the last reported progress, so it is flushed.
    if (action.write === 'failure') await this.throttle.flush();
    this.throttle.stop();
    await this.checkpointChain;
    await this.closeHandler();
    return this.record(action);
  }

  /**
   * True once the attempt is being recorded as completed: the completion writes progress 1, so a
   * progress write not yet sent is superseded and can be left out.
   */
  get supersedesProgress(): boolean {
    return this.completing;
  }

  /** Aborts the attempt for `kind` unless it already ended or was aborted. True when this call aborted it. */
  abort(kind: AbortKind): boolean {
    if (this.settled || this.kind !== null) return false;
    this.kind = kind;
    this.controller.abort(new WorkloadCancelledError(`attempt aborted: ${kind}`));
    return true;
  }

  /**
   * Checkpoints (when the handler is initialised, so its state is real) and then aborts for
   * `reason`, which hands the workload back: PAUSED for a pause, PENDING with attempt + 1 for a drain.
   */
  async handBack(reason: 'pause' | 'drain'): Promise<void> {
    if (this.settled || this.kind !== null) return;
    if (this.initialized) {
      try {
        await this.checkpointNow(reason);
      } catch (error) {
        if (!(error instanceof WorkloadCancelledError)) {
          this.deps.logger.warn('checkpoint before hand-back failed; resuming from the previous one', {
            error: errorMessage(error),
          });
        }
      }
    }
    this.abort(reason);
  }

  /**
   * Calls the handler's `checkpoint()` and stores the encoded state fenced by the attempt,
   * retrying the store with backoff. Calls run one at a time. Rejects with
   * {@link WorkloadCancelledError} once the attempt is over or when the database refuses the write
   * (the attempt is then aborted as stale), and with the last error when every try failed (then
   * also counted, logged and audited as `workload.checkpoint_failed`).
   */
  checkpointNow(trigger: CheckpointTrigger = 'handler'): Promise<CheckpointInfo> {
    if (this.settled || this.controller.signal.aborted || this.handler === null) {
      return Promise.reject(new WorkloadCancelledError('the attempt is no longer running'));
    }
    this.checkpointsInFlight++;
    const next = this.checkpointChain.then(() => this.saveCheckpoint(trigger));
    this.checkpointChain = next.catch(() => undefined).finally(() => this.checkpointsInFlight--);
    return next;
  }

  private async initAndExecute(): Promise<Settlement> {
    try {
      const resumeFrom = await this.loadCheckpoint();
      this.handler = this.definition.create();
      const ctx = this.context();
      if (resumeFrom === undefined) await this.handler.init(ctx);
      else await this.handler.init(ctx, resumeFrom);
      this.initialized = true;
      const output = await this.handler.execute(ctx);
      return { kind: 'resolved', output };
    } catch (error) {
      return { kind: 'threw', error };
    }
  }

  private async loadCheckpoint(): Promise<JsonValue | undefined> {
    // The row says whether a checkpoint exists (both are written in one statement): skip the read.
    if (this.start.workload.lastCheckpoint === null) return undefined;
    let restored;
    try {
      restored = await this.deps.checkpoints.load(this.fence.workloadId, this.start.workload.workloadType);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new RetryableWorkloadError(errorMessage(error), {
        code: code === 'checkpoint_unreadable' ? 'checkpoint_unreadable' : 'checkpoint_unavailable',
        cause: error,
      });
    }
    if (restored === null) return undefined;
    this.deps.logger.info('resuming from checkpoint', {
      sequence: restored.sequence,
      from_attempt: restored.attempt,
      ...(restored.skipped > 0 ? { skipped_unreadable: restored.skipped } : {}),
    });
    return restored.state;
  }

  private context(): WorkloadContext {
    const { workload } = this.start;
    return {
      workloadId: workload.id,
      workloadType: workload.workloadType,
      attempt: workload.attempt,
      input: workload.input,
      signal: this.controller.signal,
      reportProgress: (progress, message) => this.reportProgress(progress, message),
      checkpointNow: () => this.checkpointNow('handler').then(() => undefined),
      logger: this.deps.logger,
    };
  }

  private reportProgress(progress: number, message?: string): Promise<void> {
    if (this.settled || this.controller.signal.aborted) return Promise.resolve();
    if (typeof progress !== 'number' || Number.isNaN(progress)) {
      this.deps.logger.warn('ignored a progress report that is not a number', { progress: String(progress) });
      return Promise.resolve();
    }
    const clamped = Math.min(1, Math.max(0, progress));
    const step = this.start.checkpointPolicy.progressStep;
    if (step !== null && step > 0 && clamped - this.lastCheckpointProgress >= step && this.initialized) {
      this.lastCheckpointProgress = clamped;
      this.autoCheckpoint('progress');
    }
    // The handler does not wait for the database: the throttle already writes in order, one at a
    // time, and a refused write aborts the attempt. Waiting made every step of every workload pay
    // a round trip to PostgreSQL (under load, a micro-batch behind others) while holding its slot.
    void this.throttle.report(clamped, message ?? null);
    return Promise.resolve();
  }

  private async writeProgress(progress: number, message: string | null): Promise<void> {
    try {
      const held = await this.deps.executions.reportProgress(this.fence, progress, message);
      if (!held && this.abort('stale')) this.deps.logger.info('progress write refused: attempt is stale, aborting');
    } catch (error) {
      this.deps.logger.warn('progress write failed', { error: errorMessage(error) });
    }
  }

  private async saveCheckpoint(trigger: CheckpointTrigger): Promise<CheckpointInfo> {
    if (this.settled || this.controller.signal.aborted || this.handler === null) {
      throw new WorkloadCancelledError('the attempt is no longer running');
    }
    const began = performance.now();
    const type = this.start.workload.workloadType;
    let tries = 0;
    try {
      const state = await this.handler.checkpoint();
      const encoded = await encodeCheckpointAsync(state === undefined ? null : state, {
        compression: this.deps.compression,
      });
      tries = 1;
      const saved = await this.storeWithRetries(encoded, () => tries++);
      if (saved === null) {
        if (this.abort('stale')) this.deps.logger.info('checkpoint refused: attempt is stale, aborting');
        throw new WorkloadCancelledError('the attempt is no longer held by this worker');
      }
      this.lastCheckpointAt = Date.now();
      this.armIntervalTimer();
      this.deps.observer.checkpointSaved(type, trigger, (performance.now() - began) / 1000, saved);
      // The row says a pause is waiting although no pause command arrived (a lost message): the
      // checkpoint just stored is the one to resume from, so stop here.
      if (saved.workloadStatus === 'PAUSING' && trigger !== 'pause' && trigger !== 'drain' && this.abort('pause')) {
        this.deps.logger.info('the workload is being paused (found at a checkpoint): handing it back');
      }
      return saved;
    } catch (error) {
      if (!(error instanceof WorkloadCancelledError)) {
        this.deps.observer.checkpointFailed(type, trigger);
        // tries is 0 when the handler's state could not be taken or encoded (not worth retrying).
        const details = { trigger, tries, error: errorMessage(error) };
        this.deps.logger.error('checkpoint failed; the attempt goes on from the previous one', details);
        void this.deps.checkpoints.reportFailure(this.fence, details);
      }
      throw error;
    }
  }

  /** Stores `encoded`, trying again with backoff while the store or database fails. */
  private async storeWithRetries(encoded: EncodedCheckpoint, onRetry: () => void): Promise<SavedCheckpoint | null> {
    const tries = this.deps.checkpointStoreTries ?? 3;
    const base = this.deps.checkpointRetryBaseMs ?? 200;
    for (let tryNumber = 1; ; tryNumber++) {
      try {
        return await this.deps.checkpoints.store(this.fence, encoded);
      } catch (error) {
        // Past the attempt's end nobody waits for this checkpoint any more.
        if (tryNumber >= tries || this.settled) throw error;
        this.deps.observer.checkpointRetried(this.start.workload.workloadType);
        this.deps.logger.warn('storing a checkpoint failed, retrying', { error: errorMessage(error), try: tryNumber });
        await new Promise((resolve) => setTimeout(resolve, base * 2 ** (tryNumber - 1)));
        onRetry();
      }
    }
  }

  private autoCheckpoint(trigger: 'interval' | 'progress'): void {
    // A checkpoint already queued will capture the newest state; a second one would add nothing.
    if (this.checkpointsInFlight > 0 || !this.initialized) return;
    // A failure is already counted, logged and audited; the attempt goes on.
    this.checkpointNow(trigger).catch(() => undefined);
  }

  private armTimers(): void {
    const timeoutSeconds = this.timeoutSeconds;
    if (timeoutSeconds !== null && timeoutSeconds > 0) {
      this.timeoutTimer = setTimeout(() => {
        if (this.abort('timeout')) this.deps.logger.warn('attempt timed out', { timeout_seconds: timeoutSeconds });
      }, Math.min(timeoutSeconds * 1000, MAX_TIMER_MS));
    }
    this.armIntervalTimer();
  }

  /** (Re)arms the time-based checkpoint to fire one interval after the newest checkpoint. */
  private armIntervalTimer(): void {
    const intervalSeconds = this.start.checkpointPolicy.intervalSeconds;
    if (intervalSeconds === null || intervalSeconds <= 0 || this.settled) return;
    if (this.intervalTimer !== null) clearTimeout(this.intervalTimer);
    const due = Math.max(0, this.lastCheckpointAt + intervalSeconds * 1000 - Date.now());
    this.intervalTimer = setTimeout(() => {
      this.intervalTimer = null;
      if (this.checkpointsInFlight > 0 || !this.initialized) this.armIntervalTimer();
      else this.autoCheckpoint('interval');
    }, due);
  }

  private clearTimers(): void {
    if (this.timeoutTimer !== null) clearTimeout(this.timeoutTimer);
    if (this.intervalTimer !== null) clearTimeout(this.intervalTimer);
    this.timeoutTimer = null;
    this.intervalTimer = null;
  }

  private async closeHandler(): Promise<void> {
    if (this.handler === null) return;
    try {
      await this.handler.close();
    } catch (error) {
      this.deps.logger.warn('handler close() failed', { error: errorMessage(error) });
    }
  }

  private async record(action: OutcomeAction): Promise<ExecutionResult> {
    switch (action.write) {
      case 'none':
        return {
          outcome: action.reason === 'cancel' ? 'cancelled' : action.reason === 'stale' ? 'stale' : 'abandoned',
          workload: null,
        };
      case 'complete':
        return this.write(async () => {
          const workload = await this.deps.executions.complete(this.fence, action.output);
          return { outcome: workload ? 'completed' : 'stale', workload };
        });
      case 'failure':
        return this.write(async () => {
          const record = await this.deps.executions.recordFailure(this.fence, action.error, {
            retryable: action.retryable,
            retryDelayMs: (failureCount) => this.deps.retryDelayMs(failureCount),
          });
          if (record === null) return { outcome: 'stale', workload: null };
          this.deps.logger.info(
            record.kind === 'failed' ? 'attempt failed; workload FAILED' : 'attempt failed; retry scheduled',
            {
              error: action.error,
              ...(record.kind === 'retry_scheduled' ? { retry_delay_ms: record.retryDelayMs } : {}),
            },
          );
          return { outcome: record.kind, workload: record.workload };
        });
      case 'release':
        return this.write(async () => {
          const record = await this.deps.executions.release(this.fence, action.reason);
          return record === null
            ? { outcome: 'stale', workload: null }
            : { outcome: record.kind, workload: record.workload };
        });
    }
  }

  /** Runs an outcome write, retrying with backoff while the database refuses it (fenced writes are safe to repeat). */
  private async write(attempt: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
    const base = this.deps.writeRetryBaseMs ?? 200;
    for (let tryNumber = 1; ; tryNumber++) {
      try {
        return await attempt();
      } catch (error) {
        if (tryNumber >= WRITE_TRIES) {
          this.deps.logger.error('could not record the outcome of the attempt', { error: errorMessage(error) });
          return { outcome: 'write_failed', workload: null };
        }
        this.deps.logger.warn('outcome write failed, retrying', { error: errorMessage(error), try: tryNumber });
        await new Promise((resolve) => setTimeout(resolve, base * 2 ** (tryNumber - 1)));
      }
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
