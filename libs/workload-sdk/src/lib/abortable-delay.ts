import { WorkloadCancelledError } from './workload-errors';

/**
 * Resolves after `ms` milliseconds, or rejects with {@link WorkloadCancelledError} as soon as
 * `signal` aborts (immediately when it already is). The timer is cleared on abort so an aborted
 * workload leaves nothing scheduled behind.
 */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(cancelledBy(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelledBy(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal.addEventListener('abort', onAbort, { once: true });
  });
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
