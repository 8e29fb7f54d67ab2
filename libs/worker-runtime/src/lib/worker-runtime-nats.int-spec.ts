import type { WorkloadEventPayload } from '@niyanta/models';
import { eventually } from '@niyanta/testing';
import { WorkerHarness } from '../testing/worker-harness';

describe('worker runtime over NATS (JetStream assignments, own prefix)', () => {
  let harness: WorkerHarness;

  beforeAll(async () => {
    harness = await WorkerHarness.create({ label: 'wrt_nats', broker: 'nats', capacity: 2 });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('runs a durable assignment to COMPLETED and publishes its events', async () => {
    const id = await harness.insertScheduled('sleep', { duration_ms: 100, steps: 2 });
    await harness.assign(id);
    const done = await harness.waitFor(id, (row) => row.status === 'COMPLETED');
    expect(done.output).toEqual({ slept_ms: 100, steps: 2, resumed_from_step: null, attempt: 1 });
    expect(await harness.auditActions(id)).toEqual(['workload.started', 'workload.completed']);
    const statuses = (): string[] =>
      harness.events
        .map((m) => m.payload as WorkloadEventPayload)
        .filter((e) => e.workload_id === id)
        .map((e) => e.status);
    await eventually('both events of the workload', () => statuses().length >= 2);
    expect(statuses()).toEqual(['RUNNING', 'COMPLETED']);
  });

  it('cancels over the control subject and hands back on drain', async () => {
    const cancelled = await harness.insertScheduled('sleep', { duration_ms: 30_000, steps: 30 });
    const drained = await harness.insertScheduled('sleep', { duration_ms: 30_000, steps: 300 });
    await harness.assign(cancelled);
    await harness.assign(drained);
    await harness.waitForRunning(2);
    await harness.dataSource.query(`UPDATE workloads SET status = 'CANCELLED' WHERE id = $1`, [cancelled]);
    await harness.control('cancel', cancelled, 1);
    await harness.waitForRunning(1, 2_000);

    await harness.waitFor(drained, (row) => (row.last_checkpoint_sequence ?? 0) >= 1);
    const report = await harness.runtime.drain();
    expect(report).toMatchObject({ handedBack: 1, timedOut: false });
    expect(await harness.workload(cancelled)).toMatchObject({ status: 'CANCELLED' });
    expect(await harness.workload(drained)).toMatchObject({ status: 'PENDING', attempt: 2, worker_id: null });
  });
});
