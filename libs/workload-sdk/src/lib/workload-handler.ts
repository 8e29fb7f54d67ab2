import { JsonObject, JsonValue } from '@niyanta/models';

/** Structured log fields attached to one log line. */
export type LogFields = Record<string, unknown>;

/** The logger a workload writes to; lines carry the workload id and attempt automatically. */
export interface WorkloadLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** What the worker gives a running workload attempt (SPEC §6). */
export interface WorkloadContext {
  readonly workloadId: string;
  readonly workloadType: string;
  /** 1 on the first run, + 1 on every retry or reassignment. */
  readonly attempt: number;
  /** The customer's input, as submitted. */
  readonly input: JsonObject;
  /**
   * Aborted when the attempt must stop: cancel, pause, drain, timeout, or the attempt became stale.
   * A handler stops promptly and throws {@link WorkloadCancelledError} (pause and drain then resume
   * from the newest checkpoint, so checkpoint before long uninterruptible stretches).
   */
  readonly signal: AbortSignal;
  /**
   * Records progress (0–1, clamped) and an optional message. Writes are throttled by the worker
   * and reach the database in order; the promise resolves once the report is taken, without
   * waiting for the write (a report the completion supersedes may never be written).
   */
  reportProgress(progress: number, message?: string): Promise<void>;
  /** Asks the worker to call {@link WorkloadHandler.checkpoint} now and store the result. */
  checkpointNow(): Promise<void>;
  readonly logger: WorkloadLogger;
}

/**
 * One execution of one workload attempt. The worker creates a fresh handler per attempt and calls
 * `init` once, `execute` once, `checkpoint` whenever a checkpoint is due (possibly while `execute`
 * runs), and `close` once at the end whatever happened.
 *
 * Outcome by what `execute` does: resolving completes the workload with that output; throwing
 * {@link RetryableWorkloadError} (or any error not listed here) retries with backoff until
 * `max_retries`; {@link NonRetryableWorkloadError} fails it at once; {@link WorkloadCancelledError}
 * means the attempt stopped because its signal was aborted.
 */
export interface WorkloadHandler<TState extends JsonValue = JsonValue> {
  /** Prepares the attempt; `checkpoint` is the newest stored state when resuming. */
  init(ctx: WorkloadContext, checkpoint?: TState): Promise<void> | void;
  /** Does the work and returns the output. */
  execute(ctx: WorkloadContext): Promise<JsonValue>;
  /** Returns the state to resume from; must be JSON and cheap relative to the checkpoint interval. */
  checkpoint(): Promise<TState> | TState;
  /** Releases whatever `init` or `execute` acquired. */
  close(): Promise<void> | void;
}

/** Per-type defaults that seed the type's `workload_configs` row when it is first registered. */
export interface WorkloadDefaults {
  /** 0–1000, higher first. @default 500 */
  priority?: number;
  /** Retries after the first failed attempt. @default 3 */
  maxRetries?: number;
  /** Wall-clock limit of one attempt; null or absent means none. @default null */
  timeoutSeconds?: number | null;
  /** Checkpoint every this many seconds of running; null disables. @default null */
  checkpointIntervalSeconds?: number | null;
  /** Checkpoint whenever progress advances by this fraction (0–1]; null disables. @default null */
  checkpointProgressStep?: number | null;
}

/** A workload type as a worker registers it. */
export interface WorkloadDefinition<TState extends JsonValue = JsonValue> {
  /** The type name customers submit (`workload_type`). Letters, digits, `.`, `_`, `-`; ≤ 128. */
  type: string;
  description?: string;
  defaults?: WorkloadDefaults;
  /** Makes a fresh handler for one attempt. */
  create(): WorkloadHandler<TState>;
}

/** Built-in defaults applied where a definition leaves a field out. */
export const DEFAULT_WORKLOAD_DEFAULTS: Readonly<Required<WorkloadDefaults>> = Object.freeze({
  priority: 500,
  maxRetries: 3,
  timeoutSeconds: null,
  checkpointIntervalSeconds: null,
  checkpointProgressStep: null,
});

/** The definition's defaults with every field filled in from {@link DEFAULT_WORKLOAD_DEFAULTS}. */
export function resolveWorkloadDefaults(definition: Pick<WorkloadDefinition, 'defaults'>): Required<WorkloadDefaults> {
  return { ...DEFAULT_WORKLOAD_DEFAULTS, ...stripUndefined(definition.defaults ?? {}) };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Identity helper that gives a definition literal its types (state type inferred from `create`). */
export function defineWorkload<TState extends JsonValue>(definition: WorkloadDefinition<TState>): WorkloadDefinition<TState> {
  return definition;
}
