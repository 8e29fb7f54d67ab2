/** Options common to the workload error classes. */
export interface WorkloadErrorOptions {
  /** Machine-readable code stored in the workload's `error.code`. */
  code?: string;
  cause?: unknown;
}

/** A failure worth another attempt (network blip, busy dependency). Retried with backoff. */
export class RetryableWorkloadError extends Error {
  /** @default 'retryable_error' */
  readonly code: string;
  constructor(message: string, options: WorkloadErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RetryableWorkloadError';
    this.code = options.code ?? 'retryable_error';
  }
}

/** A failure another attempt cannot fix (bad input, missing resource). Fails the workload at once. */
export class NonRetryableWorkloadError extends Error {
  /** @default 'non_retryable_error' */
  readonly code: string;
  constructor(message: string, options: WorkloadErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NonRetryableWorkloadError';
    this.code = options.code ?? 'non_retryable_error';
  }
}

/** The attempt stopped because its signal was aborted (cancel, pause, drain, timeout). */
export class WorkloadCancelledError extends Error {
  readonly code = 'cancelled';
  constructor(message = 'workload attempt was aborted', options: Pick<WorkloadErrorOptions, 'cause'> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WorkloadCancelledError';
  }
}

/** How an attempt ended when `execute` threw. */
export type WorkloadFailureKind = 'retryable' | 'non_retryable' | 'cancelled';

/** A thrown value reduced to what the worker records. */
export interface WorkloadFailure {
  kind: WorkloadFailureKind;
  code: string;
  message: string;
}

/** Code recorded for errors that are none of the workload error classes. */
export const UNHANDLED_ERROR_CODE = 'unhandled_error';

/**
 * Classifies anything `execute` threw. Unknown errors (and non-Error values) count as retryable:
 * a bug that throws on every attempt still ends as FAILED once `max_retries` is used up.
 */
export function classifyWorkloadError(error: unknown): WorkloadFailure {
  if (isOutcome(error, WorkloadCancelledError)) return { kind: 'cancelled', code: error.code, message: error.message };
  if (isOutcome(error, NonRetryableWorkloadError)) return { kind: 'non_retryable', code: error.code, message: error.message };
  if (isOutcome(error, RetryableWorkloadError)) return { kind: 'retryable', code: error.code, message: error.message };
  if (error instanceof Error) return { kind: 'retryable', code: UNHANDLED_ERROR_CODE, message: error.message || error.name };
  return { kind: 'retryable', code: UNHANDLED_ERROR_CODE, message: describe(error) };
}

/**
 * `instanceof`, or an error of the same class name with a string `code`: a workload module may
 * load another copy of this package than the worker (its ESM build while the worker uses the
 * CommonJS one, or a second install), whose classes `instanceof` does not recognise.
 */
function isOutcome<T extends Error & { code: string }>(error: unknown, type: abstract new (...args: never[]) => T): error is T {
  if (error instanceof type) return true;
  return error instanceof Error && error.name === type.name && typeof (error as { code?: unknown }).code === 'string';
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
