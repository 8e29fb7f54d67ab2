import { JsonObject } from '@niyanta/models';
import { abortableDelay } from '../abortable-delay';
import { WorkloadContext, WorkloadDefinition, WorkloadHandler, defineWorkload } from '../workload-handler';
import { numberField } from './sample-input';

/** Checkpoint state of the `sleep` sample. */
export type SleepState = { completed_steps: number };

/** Longest sleep the sample accepts (one hour): a typo should not occupy a slot for a day. */
const MAX_DURATION_MS = 3_600_000;
const MAX_STEPS = 10_000;

class SleepHandler implements WorkloadHandler<SleepState> {
  private completedSteps = 0;
  private resumedFrom: number | null = null;

  init(_ctx: WorkloadContext, checkpoint?: SleepState): void {
    const steps = checkpoint?.completed_steps;
    if (typeof steps === 'number' && Number.isInteger(steps) && steps >= 0) {
      this.completedSteps = steps;
      this.resumedFrom = steps;
    }
  }

  async execute(ctx: WorkloadContext): Promise<JsonObject> {
    const durationMs = numberField(ctx.input, 'duration_ms', { min: 0, max: MAX_DURATION_MS });
    const steps = numberField(ctx.input, 'steps', { integer: true, min: 1, max: MAX_STEPS, fallback: 10 });
    const stepMs = durationMs / steps;
    // A checkpoint from a run with more steps than this input allows is clamped, not trusted blindly.
    this.completedSteps = Math.min(this.completedSteps, steps);
    const firstStep = this.completedSteps;

    while (this.completedSteps < steps) {
      await abortableDelay(stepMs, ctx.signal);
      this.completedSteps++;
      await ctx.reportProgress(this.completedSteps / steps, `step ${this.completedSteps} of ${steps}`);
      // No checkpoint after the last step: the outcome is written next, and should that write be
      // lost the next attempt redoes one step. For short sleeps this checkpoint was the costliest
      // write of the whole lifecycle (one unbatched, compressed row per workload).
      if (this.completedSteps < steps) await ctx.checkpointNow();
    }
    return {
      slept_ms: Math.round((steps - firstStep) * stepMs),
      steps,
      resumed_from_step: this.resumedFrom,
      attempt: ctx.attempt,
    };
  }

  checkpoint(): SleepState {
    return { completed_steps: this.completedSteps };
  }

  close(): void {
    // Nothing to release: the only timer is cleared by abortableDelay.
  }
}

/**
 * Sample type `sleep`. Input `{ duration_ms: number, steps?: integer = 10 }`: sleeps `duration_ms`
 * in `steps` equal steps, reporting progress after each and checkpointing `{ completed_steps }`
 * after each but the last; resumes after the last checkpointed step. Output `{ slept_ms, steps, resumed_from_step, attempt }`
 * where `slept_ms` is what this attempt slept and `resumed_from_step` is null on a fresh start.
 */
export const sleepWorkload: WorkloadDefinition<SleepState> = defineWorkload<SleepState>({
  type: 'sleep',
  description: 'Sleeps for duration_ms in steps, reporting progress after every step and checkpointing after every step but the last.',
  defaults: { priority: 500, maxRetries: 3, timeoutSeconds: 7_200, checkpointIntervalSeconds: null, checkpointProgressStep: null },
  create: () => new SleepHandler(),
});
