import { isEnvelope, type LeaderWakePayload, type WorkloadEventPayload } from '@niyanta/models';
import { Logger } from '@nestjs/common';
import { eventually } from '@niyanta/testing';
import { WorkerHarness } from '../testing/worker-harness';

describe('worker execution (PostgreSQL + in-process broker)', () => {
  let harness: WorkerHarness;

  beforeAll(async () => {
    // Every checkpoint is kept so the tests can see which attempt wrote which (retention has its own tests).
    harness = await WorkerHarness.create({ label: 'wrt_exec', capacity: 4, checkpointRetain: 1_000 });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('runs a sleep assignment to COMPLETED with output, progress 1, ordered checkpoints and one completed event', async () => {
    const id = await harness.insertScheduled('sleep', { duration_ms: 200, steps: 4 });
    await harness.assign(id);
    const done = await harness.waitFor(id, (row) => row.status === 'COMPLETED');

    expect(done.progress).toBe(1);
    expect(done.output).toEqual({ slept_ms: 200, steps: 4, resumed_from_step: null, attempt: 1 });
    expect(done.worker_id).toBe(harness.workerId);
    expect(await harness.auditActions(id)).toEqual(['workload.started', 'workload.completed']);
    const checkpoints = await harness.checkpointSequences(id);
    // After each step but the last: the outcome is written right after it.
    expect(checkpoints.map((c) => c.sequence)).toEqual([1, 2, 3]);
    expect(done.last_checkpoint_sequence).toBe(3);

    const events = harness.events
      .map((m) => m.payload as WorkloadEventPayload)
      .filter((event) => event.workload_id === id)
      .map((event) => event.status);
    expect(events).toEqual(['RUNNING', 'COMPLETED']);
    const wake = harness.wakes.find((m) => isEnvelope(m) && (m.payload as LeaderWakePayload).reason === 'slot_freed')
      ?.payload as LeaderWakePayload | undefined;
    expect(wake?.worker_id).toBe(harness.workerId);
  });

  it('aborts an attempt the database moved on, and resumes the next attempt from its checkpoint', async () => {
    const id = await harness.insertScheduled('sleep', { duration_ms: 2_000, steps: 20 });
    await harness.assign(id);
    await harness.waitFor(id, (row) => (row.last_checkpoint_sequence ?? 0) >= 3);

    // The leader presumed the attempt lost and placed attempt 2 (here: on the same worker).
    await harness.dataSource.query(
      `UPDATE workloads SET attempt = 2, status = 'SCHEDULED', scheduled_at = now() WHERE id = $1`,
      [id],
    );
    await harness.waitForRunning(0, 2_000);
    const stale = await harness.workload(id);
    expect(stale).toMatchObject({ status: 'SCHEDULED', attempt: 2 });
    const resumedFrom = stale.last_checkpoint_sequence ?? 0;
    expect(resumedFrom).toBeGreaterThanOrEqual(3);

    await harness.assign(id);
    const done = await harness.waitFor(id, (row) => row.status === 'COMPLETED');
    const output = done.output as { resumed_from_step: number; attempt: number; slept_ms: number };
    expect(output.attempt).toBe(2);
    expect(output.resumed_from_step).toBe(resumedFrom);
    expect(output.slept_ms).toBe((20 - resumedFrom) * 100);
    const checkpoints = await harness.checkpointSequences(id);
    // One per step but the last (the completion follows it).
    expect(checkpoints.map((c) => c.sequence)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    expect(checkpoints.slice(0, resumedFrom).every((c) => c.attempt === 1)).toBe(true);
    expect(checkpoints.slice(resumedFrom).every((c) => c.attempt === 2)).toBe(true);
    expect((await harness.auditActions(id)).filter((a) => a === 'workload.completed')).toHaveLength(1);
  });

  it('acknowledges and ignores an assignment whose attempt is stale, changing nothing', async () => {
    const id = await harness.insertScheduled('sleep', { duration_ms: 50, steps: 1 }, { attempt: 3 });
    const before = await harness.workload(id);
    const logged = jest.spyOn(Logger.prototype, 'log');
    try {
      await harness.assign(id, 2);
      // The worker says when it has decided: from then on nothing may have changed.
      const ignored = `ignored assignment of ${id} attempt 2: no longer this worker's`;
      await eventually('the worker to ignore the assignment', () => logged.mock.calls.some(([message]) => String(message).startsWith(ignored)));
    } finally {
      logged.mockRestore();
    }
    expect(await harness.workload(id)).toEqual(before);
    expect(await harness.auditActions(id)).toEqual([]);
    expect(harness.runtime.status().running).toBe(0);
  });

  it('schedules a retry of a flaky failure with backoff, then fails once max_retries is used up', async () => {
    const id = await harness.insertScheduled('flaky', { fail_attempts: 5 }, { maxRetries: 1 });
    await harness.assign(id);
    const retry = await harness.waitFor(id, (row) => row.status === 'PENDING');
    expect(retry).toMatchObject({ attempt: 2, failure_count: 1, worker_id: null });
    // Backoff is 30 s ± 20 % jitter in this harness.
    expect(retry.not_before?.getTime()).toBeGreaterThan(Date.now() + 20_000);

    await harness.reschedule(id);
    await harness.assign(id);
    const failed = await harness.waitFor(id, (row) => row.status === 'FAILED');
    expect(failed).toMatchObject({ attempt: 2, failure_count: 2 });
    expect(failed.error).toMatchObject({ code: 'flaky_failure' });
    expect(await harness.auditActions(id)).toEqual([
      'workload.started',
      'workload.retry_scheduled',
      'workload.started',
      'workload.failed',
    ]);
  });

  it('completes a flaky workload once its failing attempts are behind it', async () => {
    const id = await harness.insertScheduled('flaky', { fail_attempts: 1 }, { maxRetries: 3 });
    await harness.assign(id);
    await harness.waitFor(id, (row) => row.status === 'PENDING');
    await harness.reschedule(id);
    await harness.assign(id);
    const done = await harness.waitFor(id, (row) => row.status === 'COMPLETED');
    expect(done.output).toEqual({ attempts: 2 });
  });

  it('aborts a running sleep promptly on cancel and writes nothing over CANCELLED', async () => {
    const id = await harness.insertScheduled('sleep', { duration_ms: 30_000, steps: 10 });
    await harness.assign(id);
    await harness.waitFor(id, (row) => row.status === 'RUNNING');
    await harness.waitForRunning(1);

    // The API's part: CANCELLED in the database, then the command to the worker.
    await harness.dataSource.query(`UPDATE workloads SET status = 'CANCELLED' WHERE id = $1`, [id]);
    await harness.control('cancel', id, 1);
    // The sleep has 27 s to go: stopping within the wait means it was aborted, not finished.
    await harness.waitForRunning(0, 15_000);
    expect(await harness.workload(id)).toMatchObject({ status: 'CANCELLED', attempt: 1 });
    expect(await harness.auditActions(id)).toEqual(['workload.started']);
  });

  it('pauses a running sleep: checkpoint, then PAUSED with the attempt unchanged', async () => {
    const id = await harness.insertScheduled('sleep', { duration_ms: 30_000, steps: 1 });
    await harness.assign(id);
    await harness.waitFor(id, (row) => row.status === 'RUNNING');
    await harness.waitForRunning(1);

    await harness.dataSource.query(`UPDATE workloads SET status = 'PAUSING' WHERE id = $1`, [id]);
    await harness.control('pause', id, 1);
    const paused = await harness.waitFor(id, (row) => row.status === 'PAUSED', 3_000);
    expect(paused).toMatchObject({ attempt: 1, worker_id: null, last_checkpoint_sequence: 1 });
    expect(await harness.auditActions(id)).toEqual(['workload.started', 'workload.paused']);
  });

  it('fails an attempt that exceeds its timeout as a retryable timeout', async () => {
    const id = await harness.insertScheduled('sleep', { duration_ms: 30_000, steps: 3 }, { timeoutSeconds: 1 });
    await harness.assign(id);
    const retried = await harness.waitFor(id, (row) => row.status === 'PENDING', 5_000);
    expect(retried).toMatchObject({ attempt: 2, failure_count: 1 });
    const rows: Array<{ details: { error: { code: string } } }> = await harness.dataSource.query(
      `SELECT details FROM audit_events WHERE workload_id = $1 AND action = 'workload.retry_scheduled'`,
      [id],
    );
    expect(rows[0]?.details.error.code).toBe('timeout');
  });

  it('hands back an assignment for a type this worker does not run', async () => {
    await harness.dataSource.query(
      `INSERT INTO workload_configs (workload_type, default_priority, max_retries) VALUES ('gpu-train', 100, 3)
       ON CONFLICT DO NOTHING`,
    );
    const id = await harness.insertScheduled('gpu-train', {});
    await harness.assign(id);
    const back = await harness.waitFor(id, (row) => row.status === 'PENDING');
    expect(back).toMatchObject({ attempt: 2, worker_id: null });
    expect(await harness.auditActions(id)).toEqual(['workload.requeued']);
  });
});
