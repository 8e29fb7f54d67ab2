/**
 * Waits until `check` resolves truthy and returns that value, polling every `everyMs`; fails after
 * `timeoutMs` naming `what` (and the last error `check` threw, if any: a check that throws is not
 * ready yet, as a server still starting refuses connections). The deadline only bounds a hang: a
 * test waits on the condition, never on a fixed delay, so a slow machine makes it slower, not wrong.
 */
export async function eventually<T>(what: string, check: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
