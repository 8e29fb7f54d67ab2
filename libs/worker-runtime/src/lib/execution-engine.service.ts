import { Inject, Injectable, Logger } from '@nestjs/common';
import { Broker, type DurableDelivery, type Subscription } from '@niyanta/broker';
import {
  createEnvelope,
  isTerminal,
  MessageType,
  Subjects,
  type AssignmentPayload,
  type ControlPayload,
  type LeaderWakePayload,
  type MessageEnvelope,
  type Workload,
} from '@niyanta/models';
import { retryDelayMs } from '@niyanta/scheduling';
import { ExecutionRepository, type ExecutionStart } from '@niyanta/state';
import type { AttemptFence, JsonValue } from '@niyanta/models';
import type { WorkloadDefinition } from '@niyanta/workload-sdk';
import type { AbortKind } from './execution-outcome';
import { CheckpointPersistence } from './checkpoint-persistence.service';
import { EarlyControls } from './early-controls';
import { LeaderWakes } from './leader-wakes';
import { MicroBatcher } from './micro-batcher';
import { attemptKey, SlotReservations } from './slot-reservations';
import { parseAssignments, parseControl, workloadEvent } from './worker-messages';
import { UNKNOWN_TIER, WorkerMetrics } from './worker-metrics';
import { TracedObserver, tracedCompletion } from './execution-tracing';
import { SpanKind, workloadTracer } from '@niyanta/observability';
import { WORKER_RUNTIME_OPTIONS, type ResolvedWorkerRuntimeOptions } from './worker-runtime.options';
import { createWorkloadLogger } from './workload-logger';
import { WorkloadExecution, type ExecutionResult } from './workload-execution';

/** Thrown to hand an assignment back to the broker for redelivery when every slot is taken. */
export class WorkerAtCapacityError extends Error {
  constructor(capacity: number) {
    super(`all ${capacity} slots are busy; the assignment will be redelivered`);
    this.name = 'WorkerAtCapacityError';
  }
}

/** One running attempt as reported in heartbeats. */
export interface RunningAttempt {
  workload_id: string;
  attempt: number;
}

/**
 * How long an assignment that finds every slot busy waits for one before it is handed back to the
 * broker. The leader never over-assigns on purpose, but its view can count a slot free a moment
 * before this worker has let go of the attempt that held it.
 */
const SLOT_WAIT_MS = 2_000;

/**
 * Runs the assignments of this worker: consumes its durable assignment subject, starts each
 * attempt with a fenced write, runs at most `capacity` at once, applies cancel and pause commands,
 * and publishes `leader.wake` and workload events when an attempt ends.
 */
@Injectable()
export class ExecutionEngine {
  private readonly logger = new Logger(ExecutionEngine.name);
  private readonly running = new Map<string, WorkloadExecution>();
  private readonly slots: SlotReservations;
  private readonly earlyControls = new EarlyControls();
  private readonly leaderWakes: LeaderWakes;
  private readonly idleWaiters = new Set<() => void>();
  private readonly changeListeners = new Set<(running: number) => void>();
  private consumer: Subscription | null = null;
  // Start and completion writes of concurrent attempts share statements: one round trip per batch.
  private readonly starts: MicroBatcher<AttemptFence, ExecutionStart | null>;
  private readonly completions: MicroBatcher<{ fence: AttemptFence; output: JsonValue | undefined }, Workload | null>;
  private readonly progress: MicroBatcher<{ fence: AttemptFence; progress: number; message: string | null }, boolean>;

  constructor(
    @Inject(WORKER_RUNTIME_OPTIONS) private readonly options: ResolvedWorkerRuntimeOptions,
    private readonly broker: Broker,
    private readonly subjects: Subjects,
    private readonly executions: ExecutionRepository,
    private readonly checkpoints: CheckpointPersistence,
    private readonly metrics: WorkerMetrics,
  ) {
    this.slots = new SlotReservations(options.capacity, this.running, (count) => this.metrics.setWaitingForSlot(count));
    this.leaderWakes = new LeaderWakes(broker, subjects, options.workerId);
    this.starts = new MicroBatcher((fences) => this.executions.startMany(fences));
    this.completions = new MicroBatcher((items) => this.executions.completeMany(items));
    this.progress = new MicroBatcher((items) => this.writeProgress(items));
  }

  /**
   * Writes a batch of progress reports, leaving out those of attempts already being recorded as
   * completed: a short workload's last report lands in the same turn as its completion, and
   * writing it cost PostgreSQL a row update per workload that the completion overwrites at once.
   */
  private async writeProgress(
    items: Array<{ fence: AttemptFence; progress: number; message: string | null }>,
  ): Promise<boolean[]> {
    const superseded = items.map(
      (item) => this.running.get(attemptKey(item.fence.workloadId, item.fence.attempt))?.supersedesProgress === true,
    );
    const sent = items.filter((_, i) => !superseded[i]);
    const written = sent.length > 0 ? await this.executions.reportProgressMany(sent) : [];
    let next = 0;
    // A superseded report counts as held: the attempt is this worker's until its completion says otherwise.
    return superseded.map((skip) => (skip ? true : (written[next++] ?? false)));
  }

  /** Attempts running now. */
  get runningCount(): number {
    return this.running.size;
  }

  /** Assignments held until a slot frees (the worker is at capacity). */
  get assignmentsWaitingForSlot(): number {
    return this.slots.waiting;
  }

  /** The attempts running now, for heartbeats. */
  runningAttempts(): RunningAttempt[] {
    return [...this.running.values()].map((e) => ({ workload_id: e.fence.workloadId, attempt: e.fence.attempt }));
  }

  /** Calls `listener` with the running count whenever an attempt starts or ends. */
  onRunningChange(listener: (running: number) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Starts taking assignments (idempotent). */
  async startConsuming(): Promise<void> {
    this.slots.accepting = true;
    if (this.consumer !== null) return;
    const id = this.options.workerId;
    this.consumer = await this.broker.consumeDurable<unknown>(
      this.subjects.workerAssign(id),
      `worker-${id}`,
      (message, delivery) => this.onAssignment(message, delivery),
      { concurrency: this.options.capacity },
    );
  }

  /** Stops taking assignments; those that still arrive are handed back. */
  async stopConsuming(): Promise<void> {
    this.slots.accepting = false;
    // Assignments waiting for a slot re-check and hand themselves back, so the unsubscribe below
    // (which waits for running handlers) does not wait for them.
    this.slots.wakeWaiters();
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.unsubscribe();
  }

  /**
   * Handles one assignment message (single or batch). Resolving acknowledges it: a malformed,
   * duplicate or stale assignment is acknowledged and ignored; a draining worker hands the attempt
   * back. Throwing (no free slot, database unreachable) has the broker redeliver the message later;
   * the attempts of a redelivered batch that did start are recognised and not started twice.
   */
  async onAssignment(message: MessageEnvelope<unknown>, delivery?: DurableDelivery): Promise<void> {
    const parsed = parseAssignments(message);
    if (parsed === null || parsed.malformed > 0) {
      const count = parsed?.malformed ?? 1;
      this.logger.warn(`dropped ${count === 1 ? 'a malformed assignment' : `${count} malformed assignments`} (type ${message.type}, id ${message.id})`);
    }
    if (parsed === null || parsed.assignments.length === 0) return;
    if (parsed.assignments.length === 1) return this.onOneAssignment(parsed.assignments[0] as AssignmentPayload, message, delivery);
    const results = await Promise.allSettled(parsed.assignments.map((assignment) => this.onOneAssignment(assignment, message, delivery)));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async onOneAssignment(assignment: AssignmentPayload, message: MessageEnvelope<unknown>, delivery?: DurableDelivery): Promise<void> {
    const key = attemptKey(assignment.workload_id, assignment.attempt);
    const fence: AttemptFence = {
      workloadId: assignment.workload_id,
      attempt: assignment.attempt,
      workerId: this.options.workerId,
    };
    const definition = this.options.registry.get(assignment.workload_type);
    if (definition === undefined) {
      await this.handBackAssignment(fence, 'unsupported_type', message);
      return;
    }
    const slot = await this.slots.reserve(key, SLOT_WAIT_MS);
    if (slot === 'duplicate') return;
    if (slot === 'not_accepting') {
      await this.handBackAssignment(fence, 'draining', message);
      return;
    }
    if (slot === 'timeout') throw new WorkerAtCapacityError(this.options.capacity);
    let started: ExecutionStart | null = null;
    try {
      const older = this.find(assignment.workload_id);
      if (older !== undefined && older.fence.attempt > assignment.attempt) return;
      // A newer attempt of the same workload was assigned here: the one running is superseded.
      older?.abort('stale');
      started = await this.starts.submit(fence);
    } finally {
      this.slots.started(key);
      if (!this.slots.isStarting(assignment.workload_id) && started === null) this.earlyControls.drop(assignment.workload_id);
    }
    if (started === null) {
      this.logger.log(
        `ignored assignment of ${assignment.workload_id} attempt ${assignment.attempt}: no longer this worker's` +
          (delivery?.redelivered ? ' (redelivered)' : ''),
      );
      return;
    }
    const execution = this.launch(
      started,
      definition,
      message.type === MessageType.Assignment ? message.correlation_id : assignment.workload_id,
      assignment.tier ?? UNKNOWN_TIER,
      assignment.trace,
    );
    const early = this.earlyControls.take(assignment.workload_id);
    if (early !== undefined) this.applyControl(execution, early);
    if (!this.slots.accepting) void execution.handBack('drain');
  }

  /** Applies a cancel, pause or abort command to the attempt it names. */
  onControl(message: MessageEnvelope<unknown>): void {
    const control = parseControl(message);
    if (control === null) {
      this.logger.warn(`dropped a malformed control message (type ${message.type}, id ${message.id})`);
      return;
    }
    const execution = this.find(control.workload_id);
    if (execution === undefined) {
      // The command can overtake the start-write of its attempt: apply it once the attempt runs.
      if (this.slots.isStarting(control.workload_id)) this.earlyControls.hold(control);
      return;
    }
    this.applyControl(execution, control);
  }

  private applyControl(execution: WorkloadExecution, control: ControlPayload): void {
    if (control.action === 'cancel') {
      // Every attempt of a cancelled workload is over, whatever attempt the command names.
      execution.abort('cancel');
    } else if (execution.fence.attempt !== control.attempt) {
      // Pause and abort name one attempt: a newer attempt of the workload here is not concerned.
      return;
    } else if (control.action === 'pause') {
      void execution.handBack('pause');
    } else {
      // The leader found the database giving this attempt to someone else (or ending it): stop
      // without writing, as for any stale attempt.
      execution.abort('stale');
    }
  }

  /** Aborts every running attempt for `kind` (no checkpoint). */
  abortAll(kind: AbortKind): void {
    for (const execution of this.running.values()) execution.abort(kind);
  }

  /** Checkpoints and hands back every running attempt (drain). Resolves when each was aborted. */
  async handBackAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((execution) => execution.handBack('drain')));
  }

  /** Resolves true once nothing runs, or false after `timeoutMs`. */
  waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.running.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean): void => {
        clearTimeout(timer);
        this.idleWaiters.delete(onIdle);
        resolve(idle);
      };
      const onIdle = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.add(onIdle);
    });
  }

  private notify(waiters: Set<() => void>): void {
    for (const waiter of [...waiters]) waiter();
  }

  private find(workloadId: string): WorkloadExecution | undefined {
    for (const execution of this.running.values()) {
      if (execution.fence.workloadId === workloadId) return execution;
    }
    return undefined;
  }

  private launch(
    started: ExecutionStart,
    definition: WorkloadDefinition,
    correlationId: string,
    tier: string,
    trace: string | undefined,
  ): WorkloadExecution {
    const { workload } = started;
    this.metrics.attemptStarted(tier, workload.workloadType, workload.createdAt, workload.startedAt);
    const startedAt = performance.now();
    // Tracing off, or an untraced workload: one null check and the plain dependencies.
    const tracer = trace === undefined ? null : workloadTracer();
    const span =
      tracer && trace
        ? tracer.start('workload.execute', trace, {
            kind: SpanKind.CONSUMER,
            attributes: {
              'niyanta.workload_id': workload.id,
              'niyanta.workload_type': workload.workloadType,
              'niyanta.attempt': workload.attempt,
              'niyanta.worker_id': this.options.workerId,
            },
          })
        : null;
    const complete = (fence: AttemptFence, output: JsonValue) => this.completions.submit({ fence, output });
    const execution = new WorkloadExecution(started, definition, this.options.workerId, {
      executions: {
        reportProgress: (fence, progress, message) => this.progress.submit({ fence, progress, message }),
        complete: tracer && span ? tracedCompletion(tracer, span, complete) : complete,
        recordFailure: (fence, error, options) => this.executions.recordFailure(fence, error, options),
        release: (fence, reason) => this.executions.release(fence, reason),
        parentOutputs: (workloadId) => this.executions.parentOutputs(workloadId),
      },
      checkpoints: this.checkpoints,
      checkpointStoreTries: this.options.checkpointStoreTries,
      retryDelayMs: (failureCount) =>
        retryDelayMs(failureCount, { baseMs: this.options.retryBaseDelayMs, maxMs: this.options.retryMaxDelayMs }),
      progressThrottleMs: this.options.progressThrottleMs,
      defaultTimeoutSeconds: this.options.defaultTimeoutSeconds,
      compression: this.options.checkpointCompression,
      observer: tracer && span ? new TracedObserver(this.metrics, tracer, span) : this.metrics,
      logger: createWorkloadLogger({
        workload_id: workload.id,
        workload_type: workload.workloadType,
        attempt: workload.attempt,
        worker_id: this.options.workerId,
      }),
    });
    const key = attemptKey(workload.id, workload.attempt);
    this.running.set(key, execution);
    this.runningChanged();
    this.publishEvent(workload, correlationId);
    void execution
      .run()
      .catch((error: unknown): ExecutionResult => {
        this.logger.error(`execution of ${workload.id} failed unexpectedly: ${String(error)}`);
        return { outcome: 'write_failed', workload: null };
      })
      .then((result) => {
        this.metrics.attemptEnded(tier, workload.workloadType, result.outcome, (performance.now() - startedAt) / 1000, result.workload);
        if (tracer && span) {
          span.setAttribute('niyanta.outcome', result.outcome);
          tracer.end(span);
        }
        this.finished(key, execution, result, correlationId);
      });
    return execution;
  }

  private finished(key: string, execution: WorkloadExecution, result: ExecutionResult, correlationId: string): void {
    if (this.running.get(key) === execution) this.running.delete(key);
    const { workload } = execution;
    this.metrics.executionFinished(workload.workloadType, result.outcome);
    this.runningChanged();
    if (result.workload !== null) this.publishEvent(result.workload, correlationId);
    // Only a workload that has dependents adds anything to the wake (SPEC §8).
    const endedParent = result.workload?.hasDependents === true && isTerminal(result.workload.status) ? workload.id : null;
    this.leaderWakes.slotFreed(result.workload?.status === 'PENDING' ? workload.id : null, correlationId, endedParent);
    this.slots.wakeWaiters();
    if (this.running.size === 0) this.notify(this.idleWaiters);
  }

  private async handBackAssignment(
    fence: AttemptFence,
    reason: string,
    message: MessageEnvelope<unknown>,
  ): Promise<void> {
    const record = await this.executions.release(fence, reason);
    if (record === null) return;
    this.logger.log(`handed back ${fence.workloadId} attempt ${fence.attempt} (${reason})`);
    this.publishEvent(record.workload, message.correlation_id);
    this.leaderWakes.wake(
      { reason: 'requeued', worker_id: this.options.workerId, workload_ids: [fence.workloadId] },
      message.correlation_id,
    );
  }

  private runningChanged(): void {
    this.metrics.setRunning(this.running.size);
    for (const listener of this.changeListeners) listener(this.running.size);
  }

  private publishEvent(workload: Workload, correlationId: string): void {
    const envelope = createEnvelope(MessageType.WorkloadEvent, workloadEvent(workload), { correlationId });
    this.broker.publish(this.subjects.customerEvents(workload.customerId), envelope).catch((error: unknown) => {
      this.logger.warn(`publishing the event of ${workload.id} failed: ${String(error)}`);
    });
  }

  /** Publishes a wake-up for the leader (used by the runtime for joins and hand-backs). */
  notifyLeader(payload: LeaderWakePayload): void {
    this.leaderWakes.wake(payload);
  }
}
