import { JsonObject, JsonValue } from '@niyanta/models';
import { LogFields, WorkloadContext, WorkloadHandler, WorkloadLogger } from '../lib/workload-handler';

/** One recorded log line of a {@link FakeWorkloadContext}. */
export interface RecordedLogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: LogFields;
}

/** Options of {@link FakeWorkloadContext}. */
export interface FakeWorkloadContextOptions<TInput = JsonObject> {
  /** @default 'wl-test' */
  workloadId?: string;
  /** @default 'test' */
  workloadType?: string;
  /** @default 1 */
  attempt?: number;
  /** @default {} */
  input?: TInput;
  /** The parents' outputs `ctx.parents` gives (keyed by parent id and ref). @default {} */
  parents?: Record<string, JsonValue>;
  /** The handler whose `checkpoint()` `checkpointNow()` calls; set later with {@link FakeWorkloadContext.attach}. */
  handler?: Pick<WorkloadHandler<unknown, never>, 'checkpoint'>;
}

/**
 * An in-memory {@link WorkloadContext} for testing handlers without a worker: records progress,
 * checkpoints (by calling the attached handler's `checkpoint()`, as the worker does) and log lines,
 * and exposes `abort()`.
 */
export class FakeWorkloadContext<TInput = JsonObject> implements WorkloadContext<TInput> {
  readonly workloadId: string;
  readonly workloadType: string;
  readonly attempt: number;
  readonly input: TInput;
  readonly parents: Readonly<Record<string, JsonValue>>;
  readonly progress: Array<{ progress: number; message?: string }> = [];
  readonly checkpoints: unknown[] = [];
  readonly logs: RecordedLogLine[] = [];
  readonly logger: WorkloadLogger;
  private readonly controller = new AbortController();
  private handler: Pick<WorkloadHandler<unknown, never>, 'checkpoint'> | undefined;

  constructor(options: FakeWorkloadContextOptions<TInput> = {}) {
    this.workloadId = options.workloadId ?? 'wl-test';
    this.workloadType = options.workloadType ?? 'test';
    this.attempt = options.attempt ?? 1;
    // Without an input the context carries `{}`, which is what a submission without input stores.
    this.input = options.input ?? ({} as TInput);
    this.parents = options.parents ?? {};
    this.handler = options.handler;
    const line = (level: RecordedLogLine['level']) => (message: string, fields?: LogFields) => {
      this.logs.push({ level, message, fields });
    };
    this.logger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The newest recorded checkpoint state, if any. */
  get lastCheckpoint(): unknown {
    return this.checkpoints[this.checkpoints.length - 1];
  }

  attach(handler: Pick<WorkloadHandler<unknown, never>, 'checkpoint'>): this {
    this.handler = handler;
    return this;
  }

  abort(reason: unknown = 'cancel'): void {
    this.controller.abort(reason);
  }

  async reportProgress(progress: number, message?: string): Promise<void> {
    this.progress.push({ progress: Math.min(1, Math.max(0, progress)), message });
  }

  async checkpointNow(): Promise<void> {
    if (!this.handler) throw new Error('FakeWorkloadContext.checkpointNow needs an attached handler');
    this.checkpoints.push(await this.handler.checkpoint());
  }
}
