import { createLeaderHarness, eventually, type LeaderHarness } from '../testing/leader-harness';
import { AssignmentWatchdogService } from './assignment-watchdog.service';
import { HealthMonitorService } from './health-monitor.service';
import { LeaderElectionService } from './leader-election.service';

jest.setTimeout(20_000);

describe('leader recovery duties', () => {
  let h: LeaderHarness;

  beforeEach(async () => {
    h = await createLeaderHarness('leader_recovery');
  });

  afterEach(async () => {
    await h.close();
  });

  async function heartbeat(workerId: string): Promise<void> {
    await h.dataSource.query(`UPDATE workers SET last_heartbeat_at = now() WHERE id = $1`, [workerId]);
  }

  describe(HealthMonitorService.name, () => {
    it('declares a silent worker dead and reschedules its workloads elsewhere with attempt + 1', async () => {
      await h.insertWorker({ id: 'doomed', capacity: 4 });
      await h.insertWorker({ id: 'survivor', capacity: 4 });
      const running = await h.insertWorkload({ status: 'RUNNING', workerId: 'doomed', attempt: 1 });
      const scheduled = await h.insertWorkload({ status: 'SCHEDULED', workerId: 'doomed', attempt: 3, scheduledAgoMs: 0 });
      const pausing = await h.insertWorkload({ status: 'PAUSING', workerId: 'doomed' });
      const log = await h.collectAssignments('survivor');
      const beats = setInterval(() => void heartbeat('survivor').catch(() => undefined), 100);
      try {
        await h.startLeader({ workerTimeoutMs: 600 });

        await eventually('both workloads to run again on the survivor', () => log.received.length === 2, 10_000);
        // Not before its heartbeat was worker_timeout old, by the database clock.
        const [timing] = await h.dataSource.query(
          `SELECT (SELECT occurred_at FROM audit_events WHERE action = 'worker.dead') - last_heartbeat_at >= interval '600 milliseconds' AS after_timeout
             FROM workers WHERE id = 'doomed'`,
        );
        expect(timing.after_timeout).toBe(true);
        expect(new Map(log.received.map((r) => [r.payload.workload_id, r.payload.attempt]))).toEqual(
          new Map([
            [running, 2],
            [scheduled, 4],
          ]),
        );
        expect(await h.workload(running)).toMatchObject({ status: 'SCHEDULED', attempt: 2, worker_id: 'survivor' });
        expect(await h.workload(pausing)).toMatchObject({ status: 'PAUSED', attempt: 1, worker_id: null });
        expect((await h.dataSource.query(`SELECT status FROM workers WHERE id = 'doomed'`))[0].status).toBe('DEAD');
        expect((await h.dataSource.query(`SELECT status FROM workers WHERE id = 'survivor'`))[0].status).toBe('ACTIVE');
        expect(await h.auditActions(running)).toEqual(['workload.requeued', 'workload.scheduled']);
        const [dead] = await h.dataSource.query(`SELECT actor_type, details FROM audit_events WHERE action = 'worker.dead'`);
        expect(dead).toMatchObject({ actor_type: 'coordinator', details: { worker_id: 'doomed', generation: 1 } });
      } finally {
        clearInterval(beats);
      }
    });
  });

  describe(AssignmentWatchdogService.name, () => {
    it('re-sends an unacknowledged assignment with the same attempt, then reclaims it with attempt + 1', async () => {
      await h.insertWorker({ id: 'deaf', capacity: 1 });
      const beats = setInterval(() => void heartbeat('deaf').catch(() => undefined), 100);
      try {
        const id = await h.insertWorkload();
        const log = await h.collectAssignments('deaf');
        await h.startLeader({ assignmentAckTimeoutMs: 300, assignmentResends: 2 });

        // First assignment, re-sends one ack timeout apart, then the reclaimed workload is placed
        // again (the only worker is the deaf one) as attempt 2. A watchdog round that runs late
        // catches up with one re-send for the ones it missed (triageOverdue), so a loaded machine
        // may see one re-send instead of two; never more, and never the same message twice.
        await eventually('the reassignment as attempt 2', () => log.received.some((r) => r.payload.attempt === 2), 15_000);
        const firstAttempt = log.received.filter((r) => r.payload.attempt === 1);
        expect(firstAttempt.length).toBeGreaterThanOrEqual(2);
        expect(firstAttempt.length).toBeLessThanOrEqual(3);
        expect(new Set(firstAttempt.map((r) => r.envelopeId)).size).toBe(firstAttempt.length);
        const actions = await h.auditActions(id);
        expect(actions.slice(0, 3)).toEqual(['workload.scheduled', 'workload.requeued', 'workload.scheduled']);
        const [requeued] = await h.dataSource.query(
          `SELECT before, after, details FROM audit_events WHERE workload_id = $1 AND action = 'workload.requeued'`,
          [id],
        );
        expect(requeued).toMatchObject({
          before: { status: 'SCHEDULED', attempt: 1, worker_id: 'deaf' },
          after: { status: 'PENDING', attempt: 2, worker_id: null },
          details: { reason: 'assignment_unacknowledged' },
        });
      } finally {
        clearInterval(beats);
      }
    });

    it('leaves an acknowledged assignment alone', async () => {
      await h.insertWorker({ id: 'w1' });
      const id = await h.insertWorkload();
      const log = await h.collectAssignments('w1');
      // Another worker never starts what it is given, so the watchdog keeps re-sending (and in the
      // end reclaiming and re-placing) that one: each new message proves a watchdog round ran.
      await h.insertWorker({ id: 'idle', types: ['idle-only'] });
      await h.insertWorkload({ type: 'idle-only' });
      const idleLog = await h.collectAssignments('idle');
      const leader = await h.startLeader({ assignmentAckTimeoutMs: 200 });
      await eventually('leadership', () => leader.get(LeaderElectionService).isLeader);
      await eventually('the assignment', () => log.received.length === 1);
      // The worker starts it, as its fenced start write would.
      await h.dataSource.query(`UPDATE workloads SET status = 'RUNNING', started_at = now() WHERE id = $1`, [id]);
      // Two more messages to the idle worker: the second comes from a round that began after the start.
      const sent = idleLog.received.length;
      await eventually('two more watchdog rounds', () => idleLog.received.length >= sent + 2);
      expect(log.received).toHaveLength(1);
      expect(await h.workload(id)).toMatchObject({ status: 'RUNNING', attempt: 1 });
    });
  });
});
