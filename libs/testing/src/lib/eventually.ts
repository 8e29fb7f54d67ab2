/**
 * Waits until `check` resolves truthy and returns that value, polling every `everyMs`; fails after
 * `timeoutMs` naming `what`. The deadline only bounds a hang: a test waits on the condition, never on
 * a fixed delay, so a slow machine makes it slower, not wrong.
 */
export async function eventually<T>(what: string, check: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
