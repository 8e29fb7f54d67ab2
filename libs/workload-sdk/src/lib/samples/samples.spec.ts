import { JsonObject } from '@niyanta/models';
import { FakeWorkloadContext } from '../../testing/fake-workload-context';
import { NonRetryableWorkloadError, RetryableWorkloadError, WorkloadCancelledError, classifyWorkloadError } from '../errors';
import { WorkloadDefinition } from '../workload-handler';
import { flakyWorkload } from './flaky.workload';
import { SleepState, sleepWorkload } from './sleep.workload';
import { SAMPLE_WORKLOADS } from './sample-workloads';

/** Runs one attempt the way the worker does: init, execute, close (always). */
async function runAttempt<S extends SleepState | null>(
  definition: WorkloadDefinition<S>,
  ctx: FakeWorkloadContext,
  checkpoint?: S,
): Promise<unknown> {
  const handler = definition.create();
  ctx.attach(handler);
  await handler.init(ctx, checkpoint);
  try {
    return await handler.execute(ctx);
  } finally {
    await handler.close();
  }
}

describe('sleep sample', () => {
  it('sleeps in steps, reporting progress after each and checkpointing after each but the last', async () => {
    const ctx = new FakeWorkloadContext({ workloadType: 'sleep', input: { duration_ms: 40, steps: 4 } });
    const output = await runAttempt(sleepWorkload, ctx);
    expect(output).toEqual({ slept_ms: 40, steps: 4, resumed_from_step: null, attempt: 1 });
    expect(ctx.progress.map((p) => p.progress)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(ctx.progress[3].message).toBe('step 4 of 4');
    expect(ctx.checkpoints).toEqual([1, 2, 3].map((completed_steps) => ({ completed_steps })));
  });

  it('defaults to 10 steps', async () => {
    const ctx = new FakeWorkloadContext({ input: { duration_ms: 10 } });
    expect(await runAttempt(sleepWorkload, ctx)).toMatchObject({ steps: 10 });
    expect(ctx.checkpoints).toHaveLength(9);
  });

  it('stops promptly on abort with WorkloadCancelledError, and resumes from its last checkpoint', async () => {
    const first = new FakeWorkloadContext({ input: { duration_ms: 10_000, steps: 100 } });
    // Paused once it has checkpointed a step (the other 99 steps would take most of 10 s): the
    // signal is the context's own checkpointNow() returning.
    const checkpointed = new Promise<void>((resolve) => {
      const checkpointNow = first.checkpointNow.bind(first);
      first.checkpointNow = async () => {
        await checkpointNow();
        resolve();
      };
    });
    const running = runAttempt(sleepWorkload, first).catch((e: unknown) => e);
    await checkpointed;
    first.abort('pause');
    const error = await running;
    expect(error).toBeInstanceOf(WorkloadCancelledError);
    expect(classifyWorkloadError(error).kind).toBe('cancelled');

    const saved = first.lastCheckpoint as SleepState;
    expect(saved.completed_steps).toBeGreaterThanOrEqual(1);
    expect(saved.completed_steps).toBeLessThan(100);

    const second = new FakeWorkloadContext({ attempt: 2, input: { duration_ms: 100, steps: 10 } });
    const resumed = { completed_steps: 7 };
    const output = (await runAttempt(sleepWorkload, second, resumed)) as JsonObject;
    expect(output).toEqual({ slept_ms: 30, steps: 10, resumed_from_step: 7, attempt: 2 });
    expect(second.progress.map((p) => p.progress)).toEqual([0.8, 0.9, 1]);
  });

  it('clamps a checkpoint beyond the input and finishes at once', async () => {
    const ctx = new FakeWorkloadContext({ input: { duration_ms: 1000, steps: 5 } });
    expect(await runAttempt(sleepWorkload, ctx, { completed_steps: 9 })).toEqual({ slept_ms: 0, steps: 5, resumed_from_step: 9, attempt: 1 });
  });

  it('fails without retry on malformed input', async () => {
    const inputs: JsonObject[] = [{}, { duration_ms: -1 }, { duration_ms: 'x' }, { duration_ms: 10, steps: 0 }, { duration_ms: 10, steps: 1.5 }];
    for (const input of inputs) {
      const error = await runAttempt(sleepWorkload, new FakeWorkloadContext({ input })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NonRetryableWorkloadError);
      expect((error as NonRetryableWorkloadError).code).toBe('invalid_input');
    }
  });
});

describe('flaky sample', () => {
  it('fails retryably while attempt <= fail_attempts, then succeeds', async () => {
    for (const attempt of [1, 2]) {
      const error = await runAttempt(flakyWorkload, new FakeWorkloadContext({ attempt, input: { fail_attempts: 2 } })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetryableWorkloadError);
      expect(classifyWorkloadError(error)).toMatchObject({ kind: 'retryable', code: 'flaky_failure' });
    }
    const ctx = new FakeWorkloadContext({ attempt: 3, input: { fail_attempts: 2, duration_ms: 5 } });
    expect(await runAttempt(flakyWorkload, ctx)).toEqual({ attempts: 3 });
    expect(ctx.progress).toEqual([{ progress: 1, message: undefined }]);
  });

  it('honours abort while waiting', async () => {
    const ctx = new FakeWorkloadContext({ input: { fail_attempts: 0, duration_ms: 10_000 } });
    setTimeout(() => ctx.abort(), 10);
    await expect(runAttempt(flakyWorkload, ctx)).rejects.toThrow(WorkloadCancelledError);
  });

  it('ships both samples', () => {
    expect(SAMPLE_WORKLOADS.map((d) => d.type)).toEqual(['sleep', 'flaky']);
  });
});
