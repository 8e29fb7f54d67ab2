/**
 * Resolves after `ms` milliseconds, or rejects with the signal's reason as soon as it aborts
 * (at once when it already has). The client also runs in browsers, so this cannot be Node's
 * `timers/promises` `setTimeout`, which is what the server-side libraries use.
 */
export function abortableDelay(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
