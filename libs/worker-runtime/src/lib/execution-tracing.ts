import type { Span, WorkloadTracer } from '@niyanta/observability';
import type { CheckpointTrigger, ExecutionObserver } from './execution-types';

/**
 * The observer of a traced attempt: besides the metrics, each stored checkpoint becomes a span
 * under the attempt's execution span, backdated by the time it took.
 */
export class TracedObserver implements ExecutionObserver {
  constructor(
    private readonly inner: ExecutionObserver,
    private readonly tracer: WorkloadTracer,
    private readonly execution: Span,
  ) {}

  checkpointSaved(
    workloadType: string,
    trigger: CheckpointTrigger,
    seconds: number,
    saved: { sizeBytes: number; storedBytes: number; storage: string },
  ): void {
    this.inner.checkpointSaved(workloadType, trigger, seconds, saved);
    const span = this.tracer.start('workload.checkpoint', this.execution, {
      startTime: Date.now() - seconds * 1000,
      attributes: {
        'niyanta.checkpoint.trigger': trigger,
        'niyanta.checkpoint.storage': saved.storage,
        'niyanta.checkpoint.stored_bytes': saved.storedBytes,
      },
    });
    span.end();
  }

  checkpointRetried(workloadType: string): void {
    this.inner.checkpointRetried(workloadType);
  }

  checkpointFailed(workloadType: string, trigger: CheckpointTrigger): void {
    this.inner.checkpointFailed(workloadType, trigger);
    const span = this.tracer.start('workload.checkpoint', this.execution, { attributes: { 'niyanta.checkpoint.trigger': trigger } });
    this.tracer.end(span, new Error('checkpoint failed'));
  }
}

/** Wraps the completion write of a traced attempt in a `workload.complete` span. */
export function tracedCompletion<A extends unknown[], R>(
  tracer: WorkloadTracer,
  execution: Span,
  complete: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    const span = tracer.start('workload.complete', execution);
    try {
      const result = await complete(...args);
      tracer.end(span);
      return result;
    } catch (error: unknown) {
      tracer.end(span, error);
      throw error;
    }
  };
}
