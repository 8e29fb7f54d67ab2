import { createEnvelope, MessageType } from '@niyanta/models';
import { createLeaderHarness, eventually, type LeaderHarness } from '../testing/leader-harness';
import { LeaderElectionService } from './leader-election.service';


/** One customer's backlog — however large, however unplaceable — must not keep another's work out (SPEC §5). */
describe('scheduler under a queue flood', () => {
  let h: LeaderHarness;

  beforeEach(async () => {
    h = await createLeaderHarness('leader_flood');
  });

  afterEach(async () => {
    await h.close();
  });

  async function insertMany(count: number, customerId: string, affinity?: { required: Record<string, string> }): Promise<string[]> {
    const rows: Array<{ id: string }> = await h.dataSource.query(
      `INSERT INTO workloads (customer_id, workload_type, status, priority, max_retries, input, affinity)
       SELECT $1, 'sleep', 'PENDING', 1000, 0, '{}', $3::jsonb FROM generate_series(1, $2) RETURNING id`,
      [customerId, count, JSON.stringify({ required: affinity?.required ?? {}, preferred: {}, anti: {} })],
    );
    return rows.map((row) => row.id);
  }

  it('places another customer\'s workload while a full queue holds one customer\'s unplaceable flood', async () => {
    await h.insertWorker({ id: 'w1', capacity: 2 });
    const flooder = await h.createCustomer('enterprise');
    const second = await h.createCustomer('enterprise');
    await insertMany(300, flooder, { required: { gpu: 'yes' } });
    await insertMany(15, second, { required: { gpu: 'yes' } });
    const log = await h.collectAssignments('w1');
    const leader = await h.startLeader({ maxQueuedWorkloads: 40, maxQueuedPerCustomer: 30 });
    await eventually('leadership', () => leader.get(LeaderElectionService).isLeader);
    await eventually('the flood waits with its reason', async () => {
      const [row] = await h.dataSource.query(
        `SELECT count(*)::int AS n FROM workloads WHERE customer_id = $1 AND pending_reason = 'no live worker has gpu=yes'`,
        [flooder],
      );
      return row.n > 0;
    });

    // The queue is full (30 of the flooder's, 10 of the second customer's): a newcomer takes a place.
    const urgent = await h.insertWorkload({ priority: 1 });
    await h.broker.publish(h.subjects.leaderWake(), createEnvelope(MessageType.LeaderWake, { reason: 'submitted', workload_ids: [urgent] }));
    await eventually('the newcomer is assigned', () => log.received.some((r) => r.payload.workload_id === urgent));
    expect(await h.workload(urgent)).toMatchObject({ status: 'SCHEDULED', worker_id: 'w1' });
  });

  it('works through a backlog larger than a customer\'s share of the queue, reading the rest as it drains', async () => {
    await h.insertWorker({ id: 'big', capacity: 500 });
    const busy = await h.createCustomer('enterprise');
    const ids = await insertMany(120, busy);
    const log = await h.collectAssignments('big');
    await h.startLeader({ maxQueuedWorkloads: 1_000, maxQueuedPerCustomer: 10 });
    await eventually('every workload assigned', () => new Set(log.received.map((r) => r.payload.workload_id)).size === ids.length, 20_000);
    const [row] = await h.dataSource.query(`SELECT count(*)::int AS n FROM workloads WHERE customer_id = $1 AND status = 'SCHEDULED'`, [busy]);
    expect(row.n).toBe(ids.length);
  });
});
