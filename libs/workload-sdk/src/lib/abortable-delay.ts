import { setTimeout as delay } from 'node:timers/promises';
import { WorkloadCancelledError } from './errors';

/**
 * Resolves after `ms` milliseconds, or rejects with {@link WorkloadCancelledError} as soon as
 * `signal` aborts (immediately when it already is). The timer is cleared on abort so an aborted
 * workload leaves nothing scheduled behind.
 */
export async function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(Math.max(0, ms), undefined, { signal });
  } catch (error) {
    if (signal.aborted) throw cancelledBy(signal);
    throw error;
  }
}

/** Throws {@link WorkloadCancelledError} when `signal` is aborted; a cheap check between work units. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw cancelledBy(signal);
}

function cancelledBy(signal: AbortSignal): WorkloadCancelledError {
  const reason: unknown = signal.reason;
  const text = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
  return new WorkloadCancelledError(`workload attempt was aborted: ${text}`, { cause: reason });
}
