import type { JsonValue, WorkloadError } from '@niyanta/models';
import { classifyWorkloadError } from '@niyanta/workload-sdk';

/**
 * Why the worker aborted an attempt:
 * - `cancel`: the customer cancelled it (the API already wrote CANCELLED);
 * - `pause`: the customer paused it (checkpointed, then PAUSED);
 * - `drain`: the worker is shutting down (checkpointed, then handed back as PENDING);
 * - `timeout`: it ran longer than its timeout (a retryable failure);
 * - `stale`: a fenced write matched nothing — the attempt is no longer this worker's;
 * - `presumed_dead`: the fleet marked this worker DEAD and already requeued its workloads.
 */
export type AbortKind = 'cancel' | 'pause' | 'drain' | 'timeout' | 'stale' | 'presumed_dead';

/** How the handler's `init` + `execute` ended, as seen by the worker. */
export type Settlement =
  | { kind: 'resolved'; output: JsonValue }
  | { kind: 'threw'; error: unknown }
  /** The attempt was aborted before the handler settled. */
  | { kind: 'aborted' };

/** What the worker writes for an attempt that ended. */
export type OutcomeAction =
  | { write: 'complete'; output: JsonValue }
  | { write: 'failure'; retryable: boolean; error: WorkloadError }
  | { write: 'release'; reason: 'pause' | 'drain' }
  /** Nothing to write: someone else already moved the workload on. */
  | { write: 'none'; reason: 'cancel' | 'stale' | 'presumed_dead' };

/** `error.code` of an attempt that ran out of time. */
export const TIMEOUT_ERROR_CODE = 'timeout';

/**
 * Decides what to record for an attempt. Whatever settled first wins: output or an error the
 * handler threw on its own, else the abort that stopped it. An abort decides by its kind; an
 * error by its class (retryable, non-retryable; unknown errors are retryable).
 */
export function decideOutcome(
  settlement: Settlement,
  abortKind: AbortKind | null,
  timeoutSeconds: number | null,
): OutcomeAction {
  if (settlement.kind === 'resolved') return completion(settlement.output);
  if (abortKind !== null) return abortOutcome(abortKind, timeoutSeconds);
  if (settlement.kind === 'aborted') {
    // Unreachable in practice: an abort always records its kind first.
    return { write: 'none', reason: 'stale' };
  }
  const failure = classifyWorkloadError(settlement.error);
  return {
    write: 'failure',
    // A handler that throws "cancelled" without having been aborted failed for its own reasons.
    retryable: failure.kind !== 'non_retryable',
    error: { code: failure.code, message: failure.message },
  };
}

/** `error.code` of an attempt whose output cannot be stored as JSON. */
export const INVALID_OUTPUT_ERROR_CODE = 'invalid_output';

function completion(output: JsonValue): OutcomeAction {
  try {
    // undefined (a handler that returns nothing) is stored as null; cycles and BigInt cannot be stored.
    JSON.stringify(output);
    return { write: 'complete', output: output === undefined ? null : output };
  } catch (error) {
    return {
      write: 'failure',
      retryable: false,
      error: { code: INVALID_OUTPUT_ERROR_CODE, message: `output is not JSON: ${(error as Error).message}` },
    };
  }
}

function abortOutcome(kind: AbortKind, timeoutSeconds: number | null): OutcomeAction {
  switch (kind) {
    case 'cancel':
    case 'stale':
    case 'presumed_dead':
      return { write: 'none', reason: kind };
    case 'pause':
    case 'drain':
      return { write: 'release', reason: kind };
    case 'timeout':
      return {
        write: 'failure',
        retryable: true,
        error: {
          code: TIMEOUT_ERROR_CODE,
          message:
            timeoutSeconds === null ? 'attempt timed out' : `attempt exceeded its timeout of ${timeoutSeconds} s`,
        },
      };
  }
}
