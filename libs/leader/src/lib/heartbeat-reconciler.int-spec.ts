import { createEnvelope, MessageType, type ControlPayload, type HeartbeatPayload } from '@niyanta/models';
import { ReconciliationRepository } from '@niyanta/state';
import { createLeaderHarness, eventually, type LeaderHarness } from '../testing/leader-harness';
import { HeartbeatReconcilerService } from './heartbeat-reconciler.service';

jest.setTimeout(20_000);

describe(HeartbeatReconcilerService.name, () => {
  let h: LeaderHarness;
  let beats: NodeJS.Timeout | undefined;

  beforeEach(async () => {
    h = await createLeaderHarness('leader_reconcile');
  });

  afterEach(async () => {
    if (beats) clearInterval(beats);
    beats = undefined;
    await h.close();
  });

  /** Keeps `workerId` alive (row and heartbeat message) claiming it runs `running`. */
  function heartbeatEvery(ms: number, workerId: string, running: () => HeartbeatPayload['running']): void {
    beats = setInterval(() => {
      void h.dataSource
        .query(`UPDATE workers SET last_heartbeat_at = now() WHERE id = $1`, [workerId])
        .then(() =>
          h.broker.publish(
            h.subjects.workerHeartbeat(),
            createEnvelope(MessageType.Heartbeat, { worker_id: workerId, running: running(), capacity: 4, draining: false }),
          ),
        )
        .catch(() => undefined);
    }, ms);
  }

  it('aborts what a worker runs that the database gives to no one, and takes back what it no longer runs', async () => {
    await h.insertWorker({ id: 'w1', capacity: 4 });
    const listed = await h.insertWorkload({ status: 'RUNNING', workerId: 'w1', attempt: 1 });
    const forgotten = await h.insertWorkload({ status: 'RUNNING', workerId: 'w1', attempt: 1 });
    const finished = await h.insertWorkload({ status: 'COMPLETED', workerId: 'w1', attempt: 1 });
    const elsewhere = await h.insertWorkload({ status: 'RUNNING', workerId: 'w2', attempt: 3 });
    await h.insertWorker({ id: 'w2', capacity: 4 });
    const controls: ControlPayload[] = [];
    const subscription = await h.broker.subscribe<ControlPayload>(h.subjects.workerControl('w1'), (message) => {
      controls.push(message.payload);
    });
    try {
      await h.startLeader({ orphanAfterHeartbeats: 2, workerTimeoutMs: 60_000 });
      heartbeatEvery(50, 'w1', () => [
        { workload_id: listed, attempt: 1 },
        { workload_id: finished, attempt: 1 },
        { workload_id: elsewhere, attempt: 2 },
      ]);

      await eventually('the forgotten attempt to be taken back', async () => (await h.workload(forgotten)).attempt === 2);
      await eventually('aborts for both stray attempts', () =>
        controls.some((c) => c.workload_id === finished) && controls.some((c) => c.workload_id === elsewhere),
      );

      expect(controls).toContainEqual({ action: 'abort', workload_id: finished, attempt: 1 });
      expect(controls).toContainEqual({ action: 'abort', workload_id: elsewhere, attempt: 2 });
      expect(controls.every((c) => c.action === 'abort' && c.workload_id !== listed)).toBe(true);
      // The listed, consistent attempt is untouched; the stray ones changed nothing in the database.
      expect(await h.workload(listed)).toMatchObject({ status: 'RUNNING', attempt: 1, worker_id: 'w1' });
      expect(await h.workload(finished)).toMatchObject({ status: 'COMPLETED', attempt: 1 });
      expect(await h.workload(elsewhere)).toMatchObject({ status: 'RUNNING', attempt: 3, worker_id: 'w2' });
      const [requeued] = await h.dataSource.query(
        `SELECT before, after, details FROM audit_events WHERE workload_id = $1 AND action = 'workload.requeued'`,
        [forgotten],
      );
      expect(requeued).toMatchObject({
        before: { status: 'RUNNING', attempt: 1, worker_id: 'w1' },
        after: { status: 'PENDING', attempt: 2, worker_id: null },
        details: { reason: 'missing_from_heartbeats' },
      });
      // Requeued means schedulable: the scheduler places it again at once.
      await eventually('the taken-back workload to be scheduled again', async () =>
        (await h.workload(forgotten)).status === 'SCHEDULED',
      );
    } finally {
      await subscription.unsubscribe();
    }
  });

  it('does nothing while every heartbeat lists what the database says', async () => {
    await h.insertWorker({ id: 'w1', capacity: 4 });
    const a = await h.insertWorkload({ status: 'RUNNING', workerId: 'w1', attempt: 2 });
    const controls: ControlPayload[] = [];
    const subscription = await h.broker.subscribe<ControlPayload>(h.subjects.workerControl('w1'), (message) => {
      controls.push(message.payload);
    });
    try {
      const leader = await h.startLeader({ orphanAfterHeartbeats: 1, workerTimeoutMs: 60_000 });
      // Count the rounds that read w1's placements: rounds run one at a time, so once a fourth has
      // begun, three have finished acting on what w1 reported.
      const repository = leader.get(ReconciliationRepository);
      const placements = repository.placements.bind(repository);
      let rounds = 0;
      jest.spyOn(repository, 'placements').mockImplementation((workerIds, listedIds) => {
        if (workerIds.includes('w1')) rounds++;
        return placements(workerIds, listedIds);
      });
      heartbeatEvery(30, 'w1', () => [{ workload_id: a, attempt: 2 }]);
      await eventually('four reconciliation rounds over w1', () => rounds >= 4, 10_000);
      expect(controls).toEqual([]);
      expect(await h.workload(a)).toMatchObject({ status: 'RUNNING', attempt: 2, worker_id: 'w1' });
    } finally {
      await subscription.unsubscribe();
    }
  });
});
