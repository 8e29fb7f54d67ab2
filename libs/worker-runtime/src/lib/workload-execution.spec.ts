import type { EncodedCheckpoint } from '@niyanta/checkpoint';
import type { AttemptFence, JsonValue, Workload, WorkloadError } from '@niyanta/models';
import type { ExecutionStart, FailureOptions, SavedCheckpoint } from '@niyanta/state';
import {
  abortableDelay,
  NonRetryableWorkloadError,
  type WorkloadContext,
  type WorkloadDefinition,
  type WorkloadHandler,
} from '@niyanta/workload-sdk';
import { CheckpointUnreadableError, type RestoredCheckpoint } from './checkpoint-persistence.service';
import { WorkloadExecution, type ExecutionDependencies } from './workload-execution';

/** In-memory stand-ins for the worker's repositories: one workload row, fenced like the real ones. */
class FakeStore {
  attempt = 1;
  workerId = 'w1';
  status = 'RUNNING';
  progressWrites: Array<[number, string | null]> = [];
  saved: EncodedCheckpoint[] = [];
  restored: RestoredCheckpoint | null = null;
  loadError: Error | null = null;
  failNextStores = 0;
  storeCalls = 0;
  reportedFailures: Array<Record<string, unknown>> = [];
  outcomes: Array<{ kind: string; output?: JsonValue; error?: WorkloadError; retryable?: boolean; reason?: string }> =
    [];
  failNextWrites = 0;

  held(fence: AttemptFence): boolean {
    return (
      fence.attempt === this.attempt && fence.workerId === this.workerId && ['RUNNING', 'PAUSING'].includes(this.status)
    );
  }

  deps(overrides: Partial<ExecutionDependencies> = {}): ExecutionDependencies {
    return {
      executions: {
        reportProgress: async (fence, progress, message) => {
          if (!this.held(fence)) return false;
          this.progressWrites.push([progress, message]);
          return true;
        },
        complete: async (fence, output) => {
          if (this.failNextWrites-- > 0) throw new Error('connection reset');
          if (!this.held(fence)) return null;
          this.status = 'COMPLETED';
          this.outcomes.push({ kind: 'complete', output: output ?? null });
          return { ...workload(), status: 'COMPLETED' };
        },
        recordFailure: async (fence, error, options: FailureOptions) => {
          if (!this.held(fence)) return null;
          this.outcomes.push({ kind: 'failure', error, retryable: options.retryable });
          this.status = options.retryable ? 'PENDING' : 'FAILED';
          return options.retryable
            ? {
                kind: 'retry_scheduled',
                workload: { ...workload(), status: 'PENDING' },
                retryDelayMs: options.retryDelayMs(1),
              }
            : { kind: 'failed', workload: { ...workload(), status: 'FAILED' } };
        },
        release: async (fence, reason) => {
          if (!this.held(fence)) return null;
          this.outcomes.push({ kind: 'release', reason });
          this.status = reason === 'pause' ? 'PAUSED' : 'PENDING';
          return { kind: reason === 'pause' ? 'paused' : 'requeued', workload: workload() };
        },
      },
      checkpoints: {
        store: async (fence, checkpoint): Promise<SavedCheckpoint | null> => {
          this.storeCalls++;
          if (this.failNextStores-- > 0) throw new Error('object store unreachable');
          if (!this.held(fence)) return null;
          this.saved.push(checkpoint);
          return {
            id: `c${this.saved.length}`,
            workloadId: fence.workloadId,
            attempt: fence.attempt,
            sequence: this.saved.length,
            sizeBytes: checkpoint.sizeBytes,
            storedBytes: checkpoint.storedBytes,
            codec: checkpoint.codec,
            storage: 'inline',
            createdAt: new Date(),
            dropped: [],
            workloadStatus: this.status as SavedCheckpoint['workloadStatus'],
          };
        },
        load: async () => {
          if (this.loadError !== null) throw this.loadError;
          return this.restored;
        },
        reportFailure: async (_fence, details) => {
          this.reportedFailures.push(details);
        },
      },
      retryDelayMs: () => 1_000,
      progressThrottleMs: 0,
      compression: 'gzip',
      observer: { checkpointSaved: jest.fn(), checkpointRetried: jest.fn(), checkpointFailed: jest.fn() },
      checkpointRetryBaseMs: 1,
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      writeRetryBaseMs: 1,
      ...overrides,
    };
  }
}

function workload(): Workload {
  const now = new Date();
  return {
    id: 'wl-1',
    customerId: 'c-1',
    workloadType: 'test',
    status: 'RUNNING',
    priority: 100,
    input: {},
    output: null,
    error: null,
    progress: 0,
    progressMessage: null,
    affinity: { required: {}, preferred: {}, anti: {} },
    region: null,
    maxRetries: 3,
    attempt: 1,
    failureCount: 0,
    workerId: 'w1',
    idempotencyKey: null,
    scheduleId: null,
    labels: {},
    pendingReason: null,
    lastCheckpoint: null,
    timeoutSeconds: null,
    notBefore: null,
    createdAt: now,
    scheduledAt: now,
    startedAt: now,
    completedAt: null,
    updatedAt: now,
  };
}

/** An attempt whose workload row records checkpoint 7. */
function resumingStart(): ExecutionStart {
  return start({ workload: { ...workload(), lastCheckpoint: { sequence: 7, sizeBytes: 12, createdAt: new Date() } } });
}

function start(overrides: Partial<ExecutionStart> = {}): ExecutionStart {
  return {
    workload: workload(),
    checkpointPolicy: { intervalSeconds: null, progressStep: null },
    timeoutSeconds: null,
    ...overrides,
  };
}

/** A scriptable handler that records what the worker called. */
class ScriptedHandler implements WorkloadHandler {
  calls: string[] = [];
  initState: JsonValue | undefined = 'not-called';
  state: JsonValue = { step: 0 };
  constructor(private readonly body: (ctx: WorkloadContext, self: ScriptedHandler) => Promise<JsonValue>) {}
  init(_ctx: WorkloadContext, checkpoint?: JsonValue): void {
    this.calls.push('init');
    this.initState = checkpoint;
  }
  execute(ctx: WorkloadContext): Promise<JsonValue> {
    this.calls.push('execute');
    return this.body(ctx, this);
  }
  checkpoint(): JsonValue {
    this.calls.push('checkpoint');
    return this.state;
  }
  close(): void {
    this.calls.push('close');
  }
}

function definitionOf(handler: ScriptedHandler): WorkloadDefinition {
  return { type: 'test', create: () => handler };
}

describe(WorkloadExecution.name, () => {
  let store: FakeStore;

  beforeEach(() => {
    store = new FakeStore();
  });

  it('completes with the handler output and always closes the handler', async () => {
    const handler = new ScriptedHandler(async (ctx) => {
      await ctx.reportProgress(0.5, 'half');
      return { answer: 42 };
    });
    const execution = new WorkloadExecution(start(), definitionOf(handler), 'w1', store.deps());
    const result = await execution.run();
    expect(result.outcome).toBe('completed');
    expect(store.outcomes).toEqual([{ kind: 'complete', output: { answer: 42 } }]);
    expect(store.progressWrites).toEqual([[0.5, 'half']]);
    expect(handler.calls).toEqual(['init', 'execute', 'close']);
    expect(handler.initState).toBeUndefined();
  });

  it('holds the slot for no progress write: the handler does not wait for one, and the completion supersedes a held-back report', async () => {
    const written: number[] = [];
    const deps = store.deps({ progressThrottleMs: 60_000 });
    // A database that never answers the progress write: neither the handler nor the outcome may wait for it.
    deps.executions.reportProgress = async (_fence, progress) => {
      written.push(progress);
      return new Promise<boolean>(() => undefined);
    };
    const handler = new ScriptedHandler(async (ctx) => {
      await ctx.reportProgress(0.5, 'half');
      await ctx.reportProgress(1, 'done');
      return 'ok';
    });
    const result = await new WorkloadExecution(start(), definitionOf(handler), 'w1', deps).run();
    expect(result.outcome).toBe('completed');
    expect(store.outcomes).toEqual([{ kind: 'complete', output: 'ok' }]);
    // The first report went out at once; the second, held back by the throttle, is covered by the completion (progress 1).
    expect(written).toEqual([0.5]);
  });

  it('does not read checkpoints when the workload row records none', async () => {
    const load = jest.fn(async () => null);
    const deps = store.deps();
    const handler = new ScriptedHandler(async () => 'ok');
    await new WorkloadExecution(start(), definitionOf(handler), 'w1', {
      ...deps,
      checkpoints: { ...deps.checkpoints, load },
    }).run();
    expect(load).not.toHaveBeenCalled();
  });

  it('resumes from the checkpoint the store loads', async () => {
    store.restored = { state: { step: 7 }, sequence: 7, attempt: 1, skipped: 0 };
    const handler = new ScriptedHandler(async () => 'ok');
    await new WorkloadExecution(resumingStart(), definitionOf(handler), 'w1', store.deps()).run();
    expect(handler.initState).toEqual({ step: 7 });
  });

  it.each([
    ['unreadable', new CheckpointUnreadableError('hash mismatch'), 'checkpoint_unreadable'],
    ['unavailable', new Error('connection refused'), 'checkpoint_unavailable'],
  ])('fails the attempt (retryable) without calling init when the checkpoint is %s', async (_name, error, code) => {
    store.loadError = error;
    const handler = new ScriptedHandler(async () => 'ok');
    const result = await new WorkloadExecution(resumingStart(), definitionOf(handler), 'w1', store.deps()).run();
    expect(result.outcome).toBe('retry_scheduled');
    expect(store.outcomes[0]).toMatchObject({ kind: 'failure', retryable: true, error: { code } });
    expect(handler.calls).toEqual([]);
  });

  it('aborts and writes nothing when a progress write finds the attempt moved on', async () => {
    const handler = new ScriptedHandler(async (ctx) => {
      store.attempt = 2; // the leader requeued the workload meanwhile
      await ctx.reportProgress(0.1);
      await abortableDelay(10_000, ctx.signal);
      return 'unreachable';
    });
    const execution = new WorkloadExecution(start(), definitionOf(handler), 'w1', store.deps());
    const result = await execution.run();
    expect(result).toEqual({ outcome: 'stale', workload: null });
    expect(execution.abortKind).toBe('stale');
    expect(store.outcomes).toEqual([]);
    expect(handler.calls.at(-1)).toBe('close');
  });

  it('ends promptly on cancel even when the handler ignores its signal, refusing its later writes', async () => {
    let finishLate: (value: JsonValue) => void = () => undefined;
    let lateCtx: WorkloadContext | null = null;
    const handler = new ScriptedHandler((ctx) => {
      lateCtx = ctx;
      return new Promise((resolve) => (finishLate = resolve));
    });
    const execution = new WorkloadExecution(start(), definitionOf(handler), 'w1', store.deps());
    const running = execution.run();
    await new Promise((resolve) => setImmediate(resolve));
    expect(execution.abort('cancel')).toBe(true);
    expect(execution.abort('timeout')).toBe(false);
    expect(await running).toEqual({ outcome: 'cancelled', workload: null });
    finishLate('too late');
    if (lateCtx === null) throw new Error('execute was not called');
    const ctx: WorkloadContext = lateCtx;
    await ctx.reportProgress(0.9);
    await expect(ctx.checkpointNow()).rejects.toThrow('no longer running');
    expect(store.progressWrites).toEqual([]);
    expect(store.outcomes).toEqual([]);
  });

  it('turns a timeout into a retryable failure coded timeout', async () => {
    const handler = new ScriptedHandler(async (ctx) => {
      await abortableDelay(10_000, ctx.signal);
      return null;
    });
    const result = await new WorkloadExecution(
      start({ timeoutSeconds: 0.05 }),
      definitionOf(handler),
      'w1',
      store.deps(),
    ).run();
    expect(result.outcome).toBe('retry_scheduled');
    expect(store.outcomes).toEqual([
      {
        kind: 'failure',
        retryable: true,
        error: { code: 'timeout', message: 'attempt exceeded its timeout of 0.05 s' },
      },
    ]);
  });

  it('applies the worker\'s default timeout to a workload that has none of its own', async () => {
    const handler = new ScriptedHandler(async (ctx) => {
      await abortableDelay(10_000, ctx.signal);
      return null;
    });
    const result = await new WorkloadExecution(
      start({ timeoutSeconds: null }),
      definitionOf(handler),
      'w1',
      store.deps({ defaultTimeoutSeconds: 0.05 }),
    ).run();
    expect(result.outcome).toBe('retry_scheduled');
    expect(store.outcomes).toEqual([
      { kind: 'failure', retryable: true, error: { code: 'timeout', message: 'attempt exceeded its timeout of 0.05 s' } },
    ]);
  });

  it('fails at once on a non-retryable error', async () => {
    const handler = new ScriptedHandler(async () => {
      throw new NonRetryableWorkloadError('bad input', { code: 'invalid_input' });
    });
    const result = await new WorkloadExecution(start(), definitionOf(handler), 'w1', store.deps()).run();
    expect(result.outcome).toBe('failed');
    expect(store.outcomes).toEqual([
      { kind: 'failure', retryable: false, error: { code: 'invalid_input', message: 'bad input' } },
    ]);
  });

  it('checkpoints then hands back on pause; skips the checkpoint while the handler is not initialised', async () => {
    let executing: () => void = () => undefined;
    const executed = new Promise<void>((resolve) => (executing = resolve));
    const handler = new ScriptedHandler(async (ctx) => {
      handler.state = { step: 3 };
      executing();
      await abortableDelay(10_000, ctx.signal);
      return null;
    });
    const execution = new WorkloadExecution(start(), definitionOf(handler), 'w1', store.deps());
    const running = execution.run();
    await executed;
    await execution.handBack('pause');
    expect(await running).toMatchObject({ outcome: 'paused' });
    expect(store.saved).toHaveLength(1);
    expect(store.outcomes).toEqual([{ kind: 'release', reason: 'pause' }]);

    const slowInit = new FakeStore();
    let releaseInit: () => void = () => undefined;
    let initialising: () => void = () => undefined;
    const initStarted = new Promise<void>((resolve) => (initialising = resolve));
    const blocked: WorkloadDefinition = {
      type: 'test',
      create: () => ({
        init: () => {
          initialising();
          return new Promise<void>((resolve) => (releaseInit = resolve));
        },
        execute: async () => null,
        checkpoint: () => ({ step: 0 }),
        close: () => undefined,
      }),
    };
    const early = new WorkloadExecution(start(), blocked, 'w1', slowInit.deps());
    const earlyRun = early.run();
    await initStarted;
    await early.handBack('drain');
    releaseInit();
    expect(await earlyRun).toMatchObject({ outcome: 'requeued' });
    expect(slowInit.saved).toEqual([]);
  });

  it('takes automatic checkpoints by time and by progress step', async () => {
    const handler = new ScriptedHandler(async (ctx) => {
      await abortableDelay(120, ctx.signal);
      await ctx.reportProgress(0.5);
      await abortableDelay(20, ctx.signal);
      return null;
    });
    const deps = store.deps();
    const policy = { intervalSeconds: 0.05, progressStep: 0.25 };
    await new WorkloadExecution(start({ checkpointPolicy: policy }), definitionOf(handler), 'w1', deps).run();
    // At least one by time (every 50 ms during the first 120; how many depends on the machine's
    // load) and one for crossing a 0.25 progress step.
    expect(store.saved.length).toBeGreaterThanOrEqual(2);
    expect(deps.observer.checkpointSaved).toHaveBeenCalledWith('test', 'interval', expect.any(Number), expect.objectContaining({ storedBytes: store.saved[0]?.storedBytes }));
    expect(deps.observer.checkpointSaved).toHaveBeenCalledWith('test', 'progress', expect.any(Number), expect.anything());
  });

  it('hands the attempt back as paused when a checkpoint finds the workload PAUSING (its pause message was lost)', async () => {
    const handler = new ScriptedHandler(async (ctx) => {
      handler.state = { step: 1 };
      await ctx.checkpointNow();
      store.status = 'PAUSING'; // the API paused it; the command never reached this worker
      handler.state = { step: 2 };
      await ctx.checkpointNow();
      await abortableDelay(10_000, ctx.signal);
      return 'never';
    });
    const result = await new WorkloadExecution(start(), definitionOf(handler), 'w1', store.deps()).run();
    expect(result.outcome).toBe('paused');
    expect(store.saved).toHaveLength(2);
    expect(store.outcomes).toEqual([{ kind: 'release', reason: 'pause' }]);
  });

  it('retries a checkpoint the store refused and counts the retries', async () => {
    store.failNextStores = 2;
    const handler = new ScriptedHandler(async (ctx) => {
      handler.state = { step: 1 };
      await ctx.checkpointNow();
      return 'done';
    });
    const deps = store.deps();
    const result = await new WorkloadExecution(start(), definitionOf(handler), 'w1', deps).run();
    expect(result.outcome).toBe('completed');
    expect(store.storeCalls).toBe(3);
    expect(store.saved).toHaveLength(1);
    expect(deps.observer.checkpointRetried).toHaveBeenCalledTimes(2);
    expect(deps.observer.checkpointFailed).not.toHaveBeenCalled();
  });

  it('reports an automatic checkpoint that fails every try, and the attempt goes on to complete', async () => {
    store.failNextStores = 1_000;
    const handler = new ScriptedHandler(async (ctx) => {
      await abortableDelay(80, ctx.signal);
      return 'done';
    });
    const deps = store.deps();
    const policy = { intervalSeconds: 0.02, progressStep: null };
    const result = await new WorkloadExecution(start({ checkpointPolicy: policy }), definitionOf(handler), 'w1', deps).run();
    expect(result.outcome).toBe('completed');
    expect(store.saved).toEqual([]);
    expect(deps.observer.checkpointFailed).toHaveBeenCalledWith('test', 'interval');
    expect(store.reportedFailures[0]).toEqual({ trigger: 'interval', tries: 3, error: 'object store unreachable' });
  });

  it('rejects an explicit checkpoint that fails every try, leaving the decision to the handler', async () => {
    store.failNextStores = 1_000;
    const handler = new ScriptedHandler(async (ctx) => {
      const failure = await ctx.checkpointNow().then(
        () => null,
        (error: unknown) => error,
      );
      return { failed: failure instanceof Error ? failure.message : null };
    });
    const result = await new WorkloadExecution(start(), definitionOf(handler), 'w1', store.deps()).run();
    expect(store.outcomes).toEqual([{ kind: 'complete', output: { failed: 'object store unreachable' } }]);
    expect(result.outcome).toBe('completed');
    expect(store.reportedFailures).toEqual([{ trigger: 'handler', tries: 3, error: 'object store unreachable' }]);
  });

  it('retries an outcome write the database refused', async () => {
    store.failNextWrites = 2;
    const handler = new ScriptedHandler(async () => 'done');
    const result = await new WorkloadExecution(start(), definitionOf(handler), 'w1', store.deps()).run();
    expect(result.outcome).toBe('completed');
    expect(store.outcomes).toEqual([{ kind: 'complete', output: 'done' }]);
  });

  it('gives up after repeated write failures and reports write_failed', async () => {
    store.failNextWrites = 100;
    const handler = new ScriptedHandler(async () => 'done');
    const result = await new WorkloadExecution(start(), definitionOf(handler), 'w1', store.deps()).run();
    expect(result).toEqual({ outcome: 'write_failed', workload: null });
  });
});
