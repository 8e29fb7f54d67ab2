import { InProcessBroker } from '@niyanta/broker';
import { createEnvelope, MessageType, Subjects, type AttemptFence, type LeaderWakePayload, type Workload } from '@niyanta/models';
import type { ExecutionRepository, ExecutionStart, ReleaseRecord } from '@niyanta/state';
import { eventually } from '@niyanta/testing';
import { WorkloadCancelledError, type WorkloadDefinition } from '@niyanta/workload-sdk';
import type { CheckpointPersistence } from './checkpoint-persistence.service';
import { ExecutionEngine } from './execution-engine.service';
import type { WorkerMetrics } from './worker-metrics';
import { resolveWorkerRuntimeOptions } from './worker-runtime.options';

const ID_A = '0b7f6f9e-2c1a-4d3e-9f00-123456789abc';
const ID_B = '1c8e7a0f-3d2b-4e4f-8a11-23456789abcd';
const ID_C = '3e0a9c2b-5f4d-4a6b-8c33-456789abcdef';
const CUSTOMER = '2d9f8b1a-4e3c-4f5a-9b22-3456789abcde';

function workload(id: string, attempt: number): Workload {
  const now = new Date();
  return {
    id,
    customerId: CUSTOMER,
    workloadType: 'wait',
    status: 'RUNNING',
    priority: 100,
    input: {},
    output: null,
    error: null,
    progress: 0,
    progressMessage: null,
    affinity: { required: {}, preferred: {}, anti: {} },
    region: null,
    maxRetries: 3,
    attempt,
    failureCount: 0,
    workerId: 'w1',
    idempotencyKey: null,
    scheduleId: null,
    labels: {},
    pendingReason: null,
    lastCheckpoint: null,
    timeoutSeconds: null,
    notBefore: null,
    createdAt: now,
    scheduledAt: now,
    startedAt: now,
    completedAt: null,
    updatedAt: now,
  };
}

/** A type whose attempts wait until aborted (or `finish` is called). */
function waitingType(): { definition: WorkloadDefinition; finish: () => void } {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    finish,
    definition: {
      type: 'wait',
      create: () => ({
        init: () => undefined,
        execute: async (ctx) => {
          const aborted = new Promise<never>((_, reject) =>
            ctx.signal.addEventListener('abort', () => reject(new WorkloadCancelledError()), { once: true }),
          );
          await Promise.race([done, aborted]);
          return 'done';
        },
        checkpoint: () => null,
        close: () => undefined,
      }),
    },
  };
}

describe(ExecutionEngine.name, () => {
  let broker: InProcessBroker;
  const subjects = new Subjects('unit');
  let startGate: Promise<void>;
  let openStartGate: () => void;
  let startCalls: AttemptFence[][];
  let completed: string[];
  /** Every value the engine gave the gauge of assignments waiting for a slot. */
  let waitingGauge: number[];
  let progressWritten: number[];

  async function engine(definition: WorkloadDefinition, capacity = 2): Promise<ExecutionEngine> {
    const executions: Partial<ExecutionRepository> = {
      startMany: async (fences: readonly AttemptFence[]): Promise<Array<ExecutionStart | null>> => {
        startCalls.push([...fences]);
        await startGate;
        return fences.map((f) => ({
          workload: workload(f.workloadId, f.attempt),
          checkpointPolicy: { intervalSeconds: null, progressStep: null },
          timeoutSeconds: null,
        }));
      },
      completeMany: async (items) =>
        items.map((item) => {
          completed.push(item.fence.workloadId);
          return { ...workload(item.fence.workloadId, item.fence.attempt), status: 'COMPLETED' as const };
        }),
      reportProgressMany: async (items) => {
        progressWritten.push(...items.map((item) => item.progress));
        return items.map(() => true);
      },
      release: async (fence): Promise<ReleaseRecord> => ({
        kind: 'requeued',
        workload: { ...workload(fence.workloadId, fence.attempt + 1), status: 'PENDING' },
      }),
    };
    const metrics: Partial<WorkerMetrics> = {
      setRunning: () => undefined,
      setWaitingForSlot: (count) => waitingGauge.push(count),
      executionFinished: () => undefined,
      attemptStarted: () => undefined,
      attemptEnded: () => undefined,
      checkpointSaved: () => undefined,
      checkpointFailed: () => undefined,
    };
    const options = resolveWorkerRuntimeOptions({
      workerId: 'w1',
      tags: {},
      region: null,
      capacity,
      heartbeatIntervalMs: 1_000,
      drainTimeoutMs: 1_000,
      definitions: [definition],
    });
    const created = new ExecutionEngine(
      options,
      broker,
      subjects,
      executions as ExecutionRepository,
      {} as CheckpointPersistence,
      metrics as WorkerMetrics,
    );
    await created.startConsuming();
    return created;
  }

  function assignment(id: string, attempt = 1) {
    return createEnvelope(MessageType.Assignment, {
      workload_id: id,
      customer_id: CUSTOMER,
      workload_type: 'wait',
      attempt,
      input: {},
      generation: 1,
    });
  }

  beforeEach(() => {
    broker = new InProcessBroker({ prefix: 'unit' });
    startCalls = [];
    waitingGauge = [];
    completed = [];
    progressWritten = [];
    startGate = new Promise<void>((resolve) => (openStartGate = resolve));
  });

  afterEach(async () => {
    await broker.close();
  });

  it('applies a cancel that arrives while the attempt is still being started', async () => {
    const engineUnderTest = await engine(waitingType().definition);
    const handling = engineUnderTest.onAssignment(assignment(ID_A));
    await eventually('the start-write to begin', () => startCalls.length === 1, 10_000, 2);
    engineUnderTest.onControl(createEnvelope(MessageType.Control, { action: 'cancel', workload_id: ID_A, attempt: 1 }));
    openStartGate();
    await handling;
    expect(await engineUnderTest.waitIdle(1_000)).toBe(true);
    expect(completed).toEqual([]);
  });

  it('starts concurrent assignments in one batch and ignores a duplicate', async () => {
    const type = waitingType();
    const engineUnderTest = await engine(type.definition);
    openStartGate();
    await Promise.all([
      engineUnderTest.onAssignment(assignment(ID_A)),
      engineUnderTest.onAssignment(assignment(ID_B)),
      engineUnderTest.onAssignment(assignment(ID_A)),
    ]);
    expect(startCalls.map((batch) => batch.map((f) => f.workloadId))).toEqual([[ID_A, ID_B]]);
    expect(engineUnderTest.runningAttempts()).toEqual([
      { workload_id: ID_A, attempt: 1 },
      { workload_id: ID_B, attempt: 1 },
    ]);
    type.finish();
    expect(await engineUnderTest.waitIdle(1_000)).toBe(true);
    expect(completed.sort()).toEqual([ID_A, ID_B].sort());
  });

  it('wakes the leader once for attempts that end together, naming the worker', async () => {
    const wakes: LeaderWakePayload[] = [];
    await broker.subscribe<LeaderWakePayload>(subjects.leaderWake(), (message) => {
      wakes.push(message.payload);
    });
    const type = waitingType();
    const engineUnderTest = await engine(type.definition);
    openStartGate();
    await Promise.all([engineUnderTest.onAssignment(assignment(ID_A)), engineUnderTest.onAssignment(assignment(ID_B))]);
    type.finish();
    expect(await engineUnderTest.waitIdle(1_000)).toBe(true);
    // Both completions share one statement; their wake is sent on the next turn of the event loop.
    await eventually('the wake for the freed slots', () => wakes.length > 0, 10_000, 2);
    expect(completed.sort()).toEqual([ID_A, ID_B].sort());
    // A later attempt's wake is a marker: the broker delivers in order, so a second wake for A and B
    // would arrive before it.
    await engineUnderTest.onAssignment(assignment(ID_C));
    await eventually("the later attempt's wake", () => wakes.length > 1 && completed.includes(ID_C), 10_000, 2);
    expect(wakes).toEqual([
      { reason: 'slot_freed', worker_id: 'w1' },
      { reason: 'slot_freed', worker_id: 'w1' },
    ]);
  });

  it('leaves out the progress write of an attempt whose completion supersedes it, and writes the others', async () => {
    const release = waitingType();
    const definition: WorkloadDefinition = {
      type: 'wait',
      create: () => ({
        init: () => undefined,
        execute: async (ctx) => {
          await ctx.reportProgress(ctx.workloadId === ID_A ? 0.25 : 0.5);
          // A long-running attempt reports once more while it still runs; a short one ends at once.
          if (ctx.workloadId === ID_B) await release.definition.create().execute(ctx);
          await ctx.reportProgress(1);
          return 'done';
        },
        checkpoint: () => null,
        close: () => undefined,
      }),
    };
    const engineUnderTest = await engine(definition);
    openStartGate();
    await Promise.all([engineUnderTest.onAssignment(assignment(ID_A)), engineUnderTest.onAssignment(assignment(ID_B))]);
    // Once A's completion is written, its superseded report can no longer be: wait for that write and B's report.
    await eventually("A's completion write and B's report", () => completed.length > 0 && progressWritten.length > 0, 10_000, 2);
    // A completed at once: its report (0.25) is left out. B is still running: its report (0.5) is written.
    expect(completed).toEqual([ID_A]);
    expect(progressWritten).toEqual([0.5]);
    release.finish();
    expect(await engineUnderTest.waitIdle(1_000)).toBe(true);
    expect(completed.sort()).toEqual([ID_A, ID_B].sort());
  });

  it('supersedes a running attempt when a newer attempt of the same workload is assigned', async () => {
    const engineUnderTest = await engine(waitingType().definition);
    openStartGate();
    await engineUnderTest.onAssignment(assignment(ID_A, 1));
    await engineUnderTest.onAssignment(assignment(ID_A, 2));
    await eventually('attempt 1 to stop', () => engineUnderTest.runningAttempts().length === 1, 10_000, 2);
    expect(engineUnderTest.runningAttempts()).toEqual([{ workload_id: ID_A, attempt: 2 }]);
    // An older assignment arriving late is ignored.
    await engineUnderTest.onAssignment(assignment(ID_A, 1));
    expect(startCalls).toHaveLength(2);
    engineUnderTest.abortAll('drain');
    await engineUnderTest.waitIdle(1_000);
  });

  it('aborts exactly the attempt an abort names, without writing, and leaves a newer one running', async () => {
    const type = waitingType();
    const engineUnderTest = await engine(type.definition);
    openStartGate();
    await engineUnderTest.onAssignment(assignment(ID_A, 2));
    await engineUnderTest.onAssignment(assignment(ID_B, 1));
    // A reconciliation abort for an older attempt of A does not touch attempt 2.
    engineUnderTest.onControl(createEnvelope(MessageType.Control, { action: 'abort', workload_id: ID_A, attempt: 1 }));
    engineUnderTest.onControl(createEnvelope(MessageType.Control, { action: 'abort', workload_id: ID_B, attempt: 1 }));
    await eventually('B to stop', () => engineUnderTest.runningAttempts().length === 1, 10_000, 2);
    expect(engineUnderTest.runningAttempts()).toEqual([{ workload_id: ID_A, attempt: 2 }]);
    type.finish();
    expect(await engineUnderTest.waitIdle(1_000)).toBe(true);
    // B was aborted as stale: no completion (or any other outcome) was written for it.
    expect(completed).toEqual([ID_A]);
  });

  it('holds an assignment beyond capacity until a slot frees', async () => {
    const type = waitingType();
    const engineUnderTest = await engine(type.definition, 1);
    openStartGate();
    await engineUnderTest.onAssignment(assignment(ID_A));
    const waiting = engineUnderTest.onAssignment(assignment(ID_B));
    await eventually('B to wait for a slot', () => engineUnderTest.assignmentsWaitingForSlot === 1, 10_000, 2);
    expect(waitingGauge.at(-1)).toBe(1);
    expect(engineUnderTest.runningCount).toBe(1);
    expect(startCalls).toHaveLength(1);
    type.finish();
    await waiting;
    expect(waitingGauge.at(-1)).toBe(0);
    expect(startCalls.map((batch) => batch.map((f) => f.workloadId))).toEqual([[ID_A], [ID_B]]);
    await engineUnderTest.waitIdle(1_000);
  });
});
