import {
  createEnvelope,
  MessageType,
  type HeartbeatPayload,
  type LeaderWakePayload,
  type MessageEnvelope,
  type WorkloadEventPayload,
} from '@niyanta/models';
import { eventually } from '@niyanta/testing';
import { Logger } from '@nestjs/common';
import { first, sleep, WorkerHarness } from '../testing/worker-harness';

function wakeReasons(harness: WorkerHarness): LeaderWakePayload[] {
  return harness.wakes.map((m) => m.payload as LeaderWakePayload);
}

describe('worker runtime lifecycle (PostgreSQL + in-process broker)', () => {
  describe('registration and heartbeat', () => {
    let harness: WorkerHarness;

    beforeAll(async () => {
      harness = await WorkerHarness.create({ label: 'wrt_reg', capacity: 3, tags: { gpu: 'a100' }, region: 'eu-1' });
    });

    afterAll(async () => {
      await harness?.close();
    });

    it('registers as ACTIVE with its tags, region, capacity and types, and seeds their configs', async () => {
      expect(harness.runtime.state).toBe('RUNNING');
      const workers: Array<Record<string, unknown>> = await harness.dataSource.query(
        `SELECT status, tags, region, capacity, workload_types, running_count FROM workers WHERE id = $1`,
        [harness.workerId],
      );
      expect(workers).toEqual([
        {
          status: 'ACTIVE',
          tags: { gpu: 'a100' },
          region: 'eu-1',
          capacity: 3,
          workload_types: ['flaky', 'sleep'],
          running_count: 0,
        },
      ]);
      const configs: Array<Record<string, unknown>> = await harness.dataSource.query(
        `SELECT workload_type, default_priority, max_retries, checkpoint_interval_seconds
           FROM workload_configs ORDER BY workload_type`,
      );
      // flaky leaves the checkpoint interval out (the worker's default of 30 s applies); sleep sets it to null.
      expect(configs).toEqual([
        { workload_type: 'flaky', default_priority: 500, max_retries: 5, checkpoint_interval_seconds: 30 },
        { workload_type: 'sleep', default_priority: 500, max_retries: 3, checkpoint_interval_seconds: null },
      ]);
      const audits: Array<{ actor_id: string }> = await harness.dataSource.query(
        `SELECT actor_id FROM audit_events WHERE action = 'worker.registered'`,
      );
      expect(audits).toEqual([{ actor_id: harness.workerId }]);
      expect(wakeReasons(harness)).toContainEqual({ reason: 'worker_joined', worker_id: harness.workerId });
      const report = await harness.readiness.report();
      expect(report.checks['worker']).toEqual({ ok: true });
      expect(report.details?.['worker']).toEqual({ id: harness.workerId, state: 'RUNNING', running: 0 });
    });

    it('heartbeats into its row and onto the heartbeat subject with what it runs', async () => {
      const beats: Array<MessageEnvelope<HeartbeatPayload>> = [];
      const subscription = await harness.broker.subscribe<HeartbeatPayload>(harness.subjects.workerHeartbeat(), (m) => {
        beats.push(m);
      });
      const id = await harness.insertScheduled('sleep', { duration_ms: 20_000, steps: 2 });
      await harness.assign(id);
      await harness.waitForRunning(1);
      const before: Array<{ last_heartbeat_at: Date }> = await harness.dataSource.query(
        `SELECT last_heartbeat_at FROM workers WHERE id = $1`,
        [harness.workerId],
      );
      // Time passing, not a wait for the code: the next beat's timestamp must be later than this one.
      await sleep(5);
      await harness.runtime.heartbeat();
      const after: Array<{ last_heartbeat_at: Date; running_count: number }> = await harness.dataSource.query(
        `SELECT last_heartbeat_at, running_count FROM workers WHERE id = $1`,
        [harness.workerId],
      );
      expect(first(after).running_count).toBe(1);
      expect(first(after).last_heartbeat_at.getTime()).toBeGreaterThan(first(before).last_heartbeat_at.getTime());
      const beat = await eventually('a heartbeat message naming the running workload', () => beats.find((m) => m.payload.running.length > 0));
      expect(beat.payload).toEqual({
        worker_id: harness.workerId,
        running: [{ workload_id: id, attempt: 1 }],
        capacity: 3,
        draining: false,
      });
      await subscription.unsubscribe();
      expect((await harness.readiness.report()).details?.['worker']).toMatchObject({ running: 1 });

      // Presumed dead: the leader marked the worker DEAD and requeued its workload with attempt + 1.
      await harness.dataSource.query(`UPDATE workers SET status = 'DEAD' WHERE id = $1`, [harness.workerId]);
      await harness.dataSource.query(
        `UPDATE workloads SET status = 'PENDING', attempt = 2, worker_id = NULL WHERE id = $1`,
        [id],
      );
      await harness.runtime.heartbeat();
      expect(harness.runtime.status().running).toBe(0);
      const revived: Array<{ status: string }> = await harness.dataSource.query(
        `SELECT status FROM workers WHERE id = $1`,
        [harness.workerId],
      );
      expect(first(revived).status).toBe('ACTIVE');
      // The aborted attempt wrote nothing over the leader's requeue.
      expect(await harness.workload(id)).toMatchObject({ status: 'PENDING', attempt: 2, worker_id: null });
      expect(await harness.auditActions(id)).toEqual(['workload.started']);
      const registrations: Array<{ n: number }> = await harness.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'worker.registered'`,
      );
      expect(first(registrations).n).toBe(2);
    });

    it('publishes a WorkloadEvent for each workload it hands back when it registers again, and wakes the leader', async () => {
      // Left assigned by an earlier life of this worker id: placed, never started.
      const scheduled = await harness.insertScheduled('sleep', { duration_ms: 10 });
      const eventsBefore = harness.events.length;
      await harness.dataSource.query(`UPDATE workers SET status = 'DEAD' WHERE id = $1`, [harness.workerId]);
      await harness.runtime.heartbeat();
      expect(await harness.workload(scheduled)).toMatchObject({ status: 'PENDING', attempt: 2, worker_id: null });
      await eventually('an event for the requeued workload', () =>
        harness.events.slice(eventsBefore).some((m) => (m.payload as WorkloadEventPayload).workload_id === scheduled),
      );
      const events = harness.events
        .slice(eventsBefore)
        .filter((m) => (m.payload as WorkloadEventPayload).workload_id === scheduled);
      expect(events).toHaveLength(1);
      expect(events[0]?.type).toBe(MessageType.WorkloadEvent);
      expect(events[0]?.payload).toMatchObject({
        workload_id: scheduled,
        customer_id: harness.customerId,
        workload_type: 'sleep',
        status: 'PENDING',
        attempt: 2,
        progress: 0,
        worker_id: null,
      });
      expect(wakeReasons(harness)).toContainEqual({ reason: 'requeued', worker_id: harness.workerId, workload_ids: [scheduled] });
    });

    it('drops malformed assignments without running anything', async () => {
      const warned = jest.spyOn(Logger.prototype, 'warn');
      try {
        const malformed = createEnvelope(MessageType.Assignment, { workload_id: 42 });
        await harness.broker.publishDurable(harness.subjects.workerAssign(harness.workerId), malformed);
        await eventually('the warning about the malformed assignment', () =>
          warned.mock.calls.some(([message]) => String(message).includes(`dropped a malformed assignment (type ${MessageType.Assignment}, id ${malformed.id})`)),
        );
      } finally {
        warned.mockRestore();
      }
      expect(harness.runtime.status().running).toBe(0);
    });
  });

  describe('capacity', () => {
    let harness: WorkerHarness;

    beforeAll(async () => {
      harness = await WorkerHarness.create({ label: 'wrt_cap', capacity: 1 });
    });

    afterAll(async () => {
      await harness?.close();
    });

    it('runs at most capacity attempts at once; an assignment beyond it is redelivered later', async () => {
      const first = await harness.insertScheduled('sleep', { duration_ms: 300, steps: 3 });
      const second = await harness.insertScheduled('sleep', { duration_ms: 300, steps: 3 });
      await harness.assign(first);
      await harness.assign(second);
      let most = 0;
      const sampler = setInterval(() => (most = Math.max(most, harness.runtime.status().running)), 5);
      try {
        await harness.waitFor(first, (row) => row.status === 'COMPLETED');
        await harness.waitFor(second, (row) => row.status === 'COMPLETED');
      } finally {
        clearInterval(sampler);
      }
      expect(most).toBe(1);
    });

    it('starts each attempt of a batch exactly once when one of them waits longer than a slot wait (the batch comes again)', async () => {
      const ids = [
        await harness.insertScheduled('sleep', { duration_ms: 2_500, steps: 1 }),
        await harness.insertScheduled('sleep', { duration_ms: 10, steps: 1 }),
      ];
      await harness.assignBatch(ids);
      for (const id of ids) await harness.waitFor(id, (row) => row.status === 'COMPLETED', 30_000);
      for (const id of ids) expect((await harness.auditActions(id)).filter((action) => action === 'workload.started')).toHaveLength(1);
    });
  });

  describe('drain', () => {
    let harness: WorkerHarness;

    beforeAll(async () => {
      harness = await WorkerHarness.create({ label: 'wrt_drain', capacity: 2, drainTimeoutMs: 5_000 });
    });

    afterAll(async () => {
      await harness?.close();
    });

    it('checkpoints and hands back running workloads as PENDING, then stops taking work', async () => {
      const id = await harness.insertScheduled('sleep', { duration_ms: 60_000, steps: 600 });
      await harness.assign(id);
      const running = await harness.waitFor(id, (row) => (row.last_checkpoint_sequence ?? 0) >= 2);

      const report = await harness.runtime.drain();
      expect(report).toMatchObject({ handedBack: 1, timedOut: false });
      expect(report.durationMs).toBeLessThan(2_000);
      expect(harness.runtime.state).toBe('STOPPED');

      const back = await harness.workload(id);
      expect(back).toMatchObject({ status: 'PENDING', attempt: 2, worker_id: null });
      expect(back.last_checkpoint_sequence).toBeGreaterThan(running.last_checkpoint_sequence ?? Infinity);
      expect(await harness.auditActions(id)).toEqual(['workload.started', 'workload.requeued']);
      expect(wakeReasons(harness)).toContainEqual({
        reason: 'slot_freed',
        worker_id: harness.workerId,
        workload_ids: [id],
      });
      const workers: Array<{ status: string }> = await harness.dataSource.query(
        `SELECT status FROM workers WHERE id = $1`,
        [harness.workerId],
      );
      expect(first(workers).status).toBe('STOPPED');
      expect((await harness.readiness.report()).checks['worker']?.ok).toBe(false);

      // A stopped worker takes no more assignments: the assignment is still waiting, unacknowledged,
      // for whoever consumes the worker's durable next.
      await harness.reschedule(id);
      await harness.assign(id);
      const waiting: string[] = [];
      const consumer = await harness.broker.consumeDurable<{ workload_id: string }>(
        harness.subjects.workerAssign(harness.workerId),
        `worker-${harness.workerId}`,
        async (message) => {
          waiting.push(message.payload.workload_id);
        },
      );
      try {
        await eventually('the waiting assignment to reach the next consumer', () => waiting.includes(id));
      } finally {
        await consumer.unsubscribe();
      }
      expect(await harness.workload(id)).toMatchObject({ status: 'SCHEDULED', attempt: 2 });
      expect(await harness.runtime.drain()).toBe(report);
    });
  });

  describe('drain requested by an operator', () => {
    let harness: WorkerHarness;

    afterEach(async () => {
      await harness?.close();
    });

    it('drains on a drain message on its control subject and stays up', async () => {
      harness = await WorkerHarness.create({ label: 'wrt_drainmsg', capacity: 2, drainTimeoutMs: 5_000 });
      const id = await harness.insertScheduled('sleep', { duration_ms: 60_000, steps: 600 });
      await harness.assign(id);
      await harness.waitFor(id, (row) => row.status === 'RUNNING');
      const warned = jest.spyOn(Logger.prototype, 'warn');
      const drainRequests = () => warned.mock.calls.map(([message]) => String(message)).filter((message) => message.includes('drain requested by'));
      try {
        // Another worker's drain request is not for this one; its own, sent right after on the same
        // subject, is handled after it.
        await harness.broker.publish(
          harness.subjects.workerControl(harness.workerId),
          createEnvelope(MessageType.WorkerDrain, { worker_id: 'someone-else', requested_by: 'other-admin' }),
        );
        await harness.broker.publish(
          harness.subjects.workerControl(harness.workerId),
          createEnvelope(MessageType.WorkerDrain, { worker_id: harness.workerId, requested_by: 'admin' }),
        );
        await eventually('the drain request to be logged', () => drainRequests().length > 0);
        expect(drainRequests()).toEqual([`worker ${harness.workerId}: drain requested by admin`]);
      } finally {
        warned.mockRestore();
      }
      const back = await harness.waitFor(id, (row) => row.status === 'PENDING');
      expect(back).toMatchObject({ attempt: 2, worker_id: null });
      await harness.runtime.drain();
      expect(harness.runtime.state).toBe('STOPPED');
    });

    it('drains when its heartbeat finds its row set to DRAINING (the drain message was lost)', async () => {
      harness = await WorkerHarness.create({ label: 'wrt_drainrow', capacity: 2, drainTimeoutMs: 5_000 });
      const id = await harness.insertScheduled('sleep', { duration_ms: 60_000, steps: 600 });
      await harness.assign(id);
      await harness.waitFor(id, (row) => row.status === 'RUNNING');
      await harness.dataSource.query(`UPDATE workers SET status = 'DRAINING' WHERE id = $1`, [harness.workerId]);

      await harness.runtime.heartbeat();
      const back = await harness.waitFor(id, (row) => row.status === 'PENDING');
      expect(back).toMatchObject({ attempt: 2, worker_id: null });
      const report = await harness.runtime.drain();
      expect(report).toMatchObject({ handedBack: 1, timedOut: false });
      const workers: Array<{ status: string }> = await harness.dataSource.query(
        `SELECT status FROM workers WHERE id = $1`,
        [harness.workerId],
      );
      expect(first(workers).status).toBe('STOPPED');
    });
  });
});
