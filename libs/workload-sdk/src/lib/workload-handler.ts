import { JsonObject, JsonValue } from '@niyanta/models';
import type { z } from 'zod';
import { NonRetryableWorkloadError } from './errors';

/** Structured log fields attached to one log line. */
export type LogFields = Record<string, unknown>;

/** The logger a workload writes to; lines carry the workload id and attempt automatically. */
export interface WorkloadLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/**
 * What the worker gives a running workload attempt (SPEC §6). `TInput` is the type of `input`: the
 * output type of the definition's `input` schema when it has one, else any JSON object.
 */
export interface WorkloadContext<TInput = JsonObject> {
  readonly workloadId: string;
  readonly workloadType: string;
  /** 1 on the first run, + 1 on every retry or reassignment. */
  readonly attempt: number;
  /**
   * The customer's input: as submitted, or — when the definition has an `input` schema — as that
   * schema parsed it (defaults applied, types as declared).
   */
  readonly input: TInput;
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
export interface WorkloadHandler<TState = JsonValue, TInput = JsonObject> {
  /** Prepares the attempt; `checkpoint` is the newest stored state when resuming. */
  init(ctx: WorkloadContext<TInput>, checkpoint?: TState): Promise<void> | void;
  /** Does the work and returns the output (JSON). */
  execute(ctx: WorkloadContext<TInput>): Promise<JsonValue>;
  /**
   * Returns the state to resume from: JSON-serialisable (plain objects, arrays, strings, finite
   * numbers, booleans, null — an `interface` is fine) and cheap relative to the checkpoint interval.
   */
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
export interface WorkloadDefinition<TState = JsonValue, TInput = JsonObject, TSubmitted = TInput> {
  /** The type name customers submit (`workload_type`). Letters, digits, `.`, `_`, `-`; ≤ 128. */
  type: string;
  description?: string;
  defaults?: WorkloadDefaults;
  /**
   * The input schema (zod). The worker registers it with the type as JSON Schema; the API then
   * refuses a submission that does not match it (400 `validation_failed`, with the field paths)
   * before anything is queued, `GET /v1/workload-types` shows it, and the handler receives
   * `ctx.input` as the schema parsed it. Keep it representable as JSON Schema (no transforms,
   * refinements are checked by the worker only).
   */
  input?: z.ZodType<TInput, TSubmitted>;
  /** Makes a fresh handler for one attempt. */
  create(): WorkloadHandler<TState, TInput>;
}

/**
 * A definition of any state and input type: what registries, module loaders and arrays of
 * definitions hold (`WorkloadDefinition` alone means JSON state and untyped input).
 */
// The handler's parameter types differ per definition; only `any` relates them all structurally.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyWorkloadDefinition = WorkloadDefinition<any, any, any>;

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

/**
 * Gives a definition literal its types (state inferred from `create`, input from the `input`
 * schema). With an `input` schema, every handler `create()` returns receives `ctx.input` parsed by
 * the schema; input that does not parse fails the attempt without retry (code `invalid_input`,
 * the message naming the fields) — the API normally refuses such input at submission already.
 */
export function defineWorkload<TState = JsonValue, TInput = JsonObject, TSubmitted = TInput>(
  definition: WorkloadDefinition<TState, TInput, TSubmitted>,
): WorkloadDefinition<TState, TInput, TSubmitted> {
  const schema = definition.input;
  if (schema === undefined) return definition;
  return { ...definition, create: () => withParsedInput(definition.create(), schema) };
}

/** The handler with `init` and `execute` given a context whose `input` went through `schema`. */
function withParsedInput<TState, TInput>(handler: WorkloadHandler<TState, TInput>, schema: z.ZodType<TInput, unknown>): WorkloadHandler<TState, TInput> {
  const parsed = new WeakMap<WorkloadContext<TInput>, WorkloadContext<TInput>>();
  const contextOf = (ctx: WorkloadContext<TInput>): WorkloadContext<TInput> => {
    let view = parsed.get(ctx);
    if (!view) {
      view = parsedContext(ctx, parseInput(schema, ctx.input));
      parsed.set(ctx, view);
    }
    return view;
  };
  return {
    init: (ctx, checkpoint) => handler.init(contextOf(ctx), checkpoint),
    execute: (ctx) => handler.execute(contextOf(ctx)),
    checkpoint: () => handler.checkpoint(),
    close: () => handler.close(),
  };
}

function parseInput<TInput>(schema: z.ZodType<TInput, unknown>, input: unknown): TInput {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => `${['input', ...issue.path.map(String)].join('.')}: ${issue.message}`);
  throw new NonRetryableWorkloadError(`invalid input: ${fields.join('; ')}`, { code: 'invalid_input' });
}

/** The same context with another `input` (methods still act on the worker's context). */
function parsedContext<TInput>(ctx: WorkloadContext<TInput>, input: TInput): WorkloadContext<TInput> {
  return {
    get workloadId() {
      return ctx.workloadId;
    },
    get workloadType() {
      return ctx.workloadType;
    },
    get attempt() {
      return ctx.attempt;
    },
    get signal() {
      return ctx.signal;
    },
    get logger() {
      return ctx.logger;
    },
    input,
    reportProgress: (progress, message) => ctx.reportProgress(progress, message),
    checkpointNow: () => ctx.checkpointNow(),
  };
}
