import { JsonObject } from '@niyanta/models';
import { abortableDelay } from '../abortable-delay';
import { RetryableWorkloadError } from '../errors';
import { WorkloadContext, WorkloadDefinition, WorkloadHandler, defineWorkload } from '../workload-handler';
import { numberField } from './sample-input';

class FlakyHandler implements WorkloadHandler<null> {
  init(): void {
    // Stateless: every attempt decides from ctx.attempt alone.
  }

  async execute(ctx: WorkloadContext): Promise<JsonObject> {
    const failAttempts = numberField(ctx.input, 'fail_attempts', { integer: true, min: 0, max: 1000 });
    const durationMs = numberField(ctx.input, 'duration_ms', { min: 0, max: 3_600_000, fallback: 0 });
    if (durationMs > 0) await abortableDelay(durationMs, ctx.signal);
    if (ctx.attempt <= failAttempts) {
      throw new RetryableWorkloadError(`attempt ${ctx.attempt} fails on purpose (fail_attempts=${failAttempts})`, {
        code: 'flaky_failure',
      });
    }
    await ctx.reportProgress(1);
    return { attempts: ctx.attempt };
  }

  checkpoint(): null {
    return null;
  }

  close(): void {
    // Nothing to release.
  }
}

/**
 * Sample type `flaky`, for exercising retries. Input `{ fail_attempts: integer, duration_ms?: number }`:
 * waits `duration_ms`, then throws {@link RetryableWorkloadError} while `ctx.attempt <= fail_attempts`,
 * and succeeds afterwards with `{ attempts: ctx.attempt }`.
 */
export const flakyWorkload: WorkloadDefinition<null> = defineWorkload<null>({
  type: 'flaky',
  description: 'Fails with a retryable error on its first fail_attempts attempts, then succeeds.',
  defaults: { priority: 500, maxRetries: 5 },
  create: () => new FlakyHandler(),
});

