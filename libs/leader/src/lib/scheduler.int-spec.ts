import { createEnvelope, MessageType, type LeaderWakePayload } from '@niyanta/models';
import { createLeaderHarness, eventually, type LeaderHarness } from '../testing/leader-harness';
import { LeaderElectionService } from './leader-election.service';
import { SchedulerService } from './scheduler.service';

jest.setTimeout(20_000);

describe(SchedulerService.name, () => {
  let h: LeaderHarness;

  beforeEach(async () => {
    h = await createLeaderHarness('leader_sched');
  });

  afterEach(async () => {
    await h.close();
  });

  async function statuses(ids: string[]): Promise<Map<string, string>> {
    const rows: Array<{ id: string; status: string }> = await h.dataSource.query(
      `SELECT id, status FROM workloads WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.status]));
  }

  async function wake(payload: LeaderWakePayload): Promise<void> {
    await h.broker.publish(h.subjects.leaderWake(), createEnvelope(MessageType.LeaderWake, payload));
  }

  it('places the backlog found on taking office on fitting workers only, within capacity, and sends the assignments', async () => {
    await h.insertWorker({ id: 'cpu-1', capacity: 2 });
    await h.insertWorker({ id: 'gpu-1', capacity: 1, tags: { gpu: 'a100' } });
    await h.insertWorker({ id: 'render-1', capacity: 3, types: ['render'] });
    const gpuJob = await h.insertWorkload({ affinity: { required: { gpu: 'a100' } }, priority: 900 });
    const sleeps: string[] = [];
    for (let i = 0; i < 5; i++) sleeps.push(await h.insertWorkload({ priority: 100 - i }));
    const unknown = await h.insertWorkload({ type: 'train' });
    const cpuLog = await h.collectAssignments('cpu-1');
    const gpuLog = await h.collectAssignments('gpu-1');
    const renderLog = await h.collectAssignments('render-1');

    await h.startLeader();

    await eventually('three assignments', () => cpuLog.received.length + gpuLog.received.length === 3);
    expect(await h.workload(gpuJob)).toMatchObject({ status: 'SCHEDULED', worker_id: 'gpu-1', attempt: 1 });
    // gpu-1 is full after the GPU job, so the two best sleeps take cpu-1's two slots.
    const placed = await statuses(sleeps);
    expect(sleeps.filter((id) => placed.get(id) === 'SCHEDULED')).toEqual(sleeps.slice(0, 2));
    expect(cpuLog.received.map((r) => r.payload.workload_id).sort()).toEqual(sleeps.slice(0, 2).sort());
    expect(gpuLog.received[0]?.payload).toMatchObject({
      workload_id: gpuJob,
      customer_id: h.customerId,
      workload_type: 'sleep',
      attempt: 1,
      input: { duration_ms: 5 },
      generation: 1,
    });
    expect(renderLog.received).toEqual([]);
    await eventually('the reason on the unplaceable workload', async () => (await h.workload(unknown)).pending_reason);
    expect((await h.workload(unknown)).pending_reason).toBe('no live worker supports type "train"');
    // Waiting for a slot is a reason too: cpu-1 and gpu-1 would take it, and both are full.
    await eventually('the reason on a workload waiting for a slot', async () => (await h.workload(sleeps[4] as string)).pending_reason);
    expect((await h.workload(sleeps[4] as string)).pending_reason).toBe('all 2 fitting workers are full');
    expect(await h.auditActions(gpuJob)).toEqual(['workload.scheduled']);
  });

  it('reacts to a submission wake and to a freed slot without waiting for the sweep', async () => {
    await h.insertWorker({ id: 'w1', capacity: 1 });
    const log = await h.collectAssignments('w1');
    const leader = await h.startLeader();
    await eventually('leadership', () => leader.get(LeaderElectionService).isLeader);

    const first = await h.insertWorkload();
    const second = await h.insertWorkload();
    // The sweep runs once a minute here: an assignment within the wait comes from the wake.
    await wake({ reason: 'submitted', workload_ids: [first, second] });
    await eventually('first assignment', () => log.received.length === 1);
    expect(log.received[0]?.payload.workload_id).toBe(first);
    expect((await h.workload(second)).status).toBe('PENDING');

    await h.dataSource.query(`UPDATE workloads SET status = 'COMPLETED' WHERE id = $1`, [first]);
    await wake({ reason: 'slot_freed', worker_id: 'w1' });
    await eventually('second assignment', () => log.received.length === 2);
    expect(log.received[1]?.payload.workload_id).toBe(second);
  });

  it('schedules a retry when its not_before comes, without any message', async () => {
    await h.insertWorker({ id: 'w1' });
    const log = await h.collectAssignments('w1');
    const retry = await h.insertWorkload({ notBeforeInMs: 400, attempt: 2 });
    await h.startLeader();

    await eventually('the retry to be placed', () => log.received.length === 1, 10_000);
    expect(log.received[0]?.payload).toMatchObject({ workload_id: retry, attempt: 2 });
    // Not early, by the database clock.
    const [placed] = await h.dataSource.query(`SELECT scheduled_at >= not_before AS on_time FROM workloads WHERE id = $1`, [retry]);
    expect(placed.on_time).toBe(true);
  });

  it('finds work whose wake was lost at the next sweep', async () => {
    await h.insertWorker({ id: 'w1' });
    const log = await h.collectAssignments('w1');
    const leader = await h.startLeader({ sweepIntervalMs: 300 });
    await eventually('leadership', () => leader.get(LeaderElectionService).isLeader);
    const silent = await h.insertWorkload();
    await eventually('the sweep to place it', () => log.received.length === 1, 3_000);
    expect(log.received[0]?.payload.workload_id).toBe(silent);
  });

  it('holds a customer at its tier limit while another customer is served', async () => {
    await h.insertWorker({ id: 'w1', capacity: 50 });
    const free = await h.createCustomer('free');
    for (let i = 0; i < 10; i++) await h.insertWorkload({ customerId: free, status: 'RUNNING', workerId: 'w1' });
    const blocked = await h.insertWorkload({ customerId: free, priority: 1000 });
    const other = await h.insertWorkload({ priority: 0 });
    const log = await h.collectAssignments('w1');
    await h.startLeader();

    await eventually('the other customer placed', () => log.received.length === 1);
    expect(log.received[0]?.payload.workload_id).toBe(other);
    expect((await h.workload(blocked)).status).toBe('PENDING');

    await h.dataSource.query(`UPDATE workloads SET status = 'COMPLETED' WHERE customer_id = $1 AND status = 'RUNNING'`, [free]);
    await wake({ reason: 'slot_freed', worker_id: 'w1' });
    await eventually('the capped customer placed once a slot freed', () => log.received.length === 2);
    expect(log.received[1]?.payload.workload_id).toBe(blocked);
  });

  it('keeps a workload type to its max_concurrent across the fleet, and explains the wait', async () => {
    await h.insertWorker({ id: 'w1', capacity: 10 });
    await h.insertWorker({ id: 'w2', capacity: 10 });
    await h.dataSource.query(
      `INSERT INTO workload_configs (workload_type, default_priority, max_retries, max_concurrent) VALUES ('sleep', 100, 3, 3)
       ON CONFLICT (workload_type) DO UPDATE SET max_concurrent = 3`,
    );
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await h.insertWorkload({ priority: 500 - i }));
    await h.startLeader();
    await eventually('the capped ones explained', async () => (await h.workload(ids[4] as string)).pending_reason);
    const placed = await statuses(ids);
    expect(ids.filter((id) => placed.get(id) === 'SCHEDULED')).toEqual(ids.slice(0, 3));
    expect((await h.workload(ids[3] as string)).pending_reason).toBe('workload type "sleep" at its concurrency limit 3');

    await h.dataSource.query(`UPDATE workloads SET status = 'COMPLETED' WHERE id = $1`, [ids[0]]);
    await wake({ reason: 'slot_freed', worker_id: 'w1' });
    await eventually('one more placed once one finished', async () => (await h.workload(ids[3] as string)).status === 'SCHEDULED');
    expect((await h.workload(ids[4] as string)).status).toBe('PENDING');
  });

  it('keeps an unsatisfiable workload PENDING with its reason, and places it (reason cleared) when a fitting worker joins', async () => {
    await h.insertWorker({ id: 'cpu', capacity: 5, tags: { pool: 'spot' } });
    const leader = await h.startLeader();
    await eventually('leadership', () => leader.get(LeaderElectionService).isLeader);
    const gpu = await h.insertWorkload({ affinity: { required: { gpu: 'h100' } } });
    const notSpot = await h.insertWorkload({ affinity: { anti: { pool: 'spot' } } });
    await wake({ reason: 'submitted', workload_ids: [gpu, notSpot] });
    await eventually('both reasons', async () => (await h.workload(gpu)).pending_reason && (await h.workload(notSpot)).pending_reason);
    expect(await h.workload(gpu)).toMatchObject({ status: 'PENDING', pending_reason: 'no live worker has gpu=h100' });
    expect(await h.workload(notSpot)).toMatchObject({
      status: 'PENDING',
      pending_reason: 'every live worker for type "sleep" has pool=spot (anti-affinity)',
    });

    const log = await h.collectAssignments('gpu-box');
    await h.insertWorker({ id: 'gpu-box', capacity: 2, tags: { gpu: 'h100', pool: 'reserved' } });
    await wake({ reason: 'worker_joined', worker_id: 'gpu-box' });
    await eventually('both placed on the new worker', () => log.received.length === 2);
    for (const id of [gpu, notSpot]) expect(await h.workload(id)).toMatchObject({ status: 'SCHEDULED', worker_id: 'gpu-box', pending_reason: null });
  });

  it('drops queued workloads that were cancelled meanwhile instead of scheduling them', async () => {
    const leader = await h.startLeader({ sweepIntervalMs: 200 });
    await eventually('leadership', () => leader.get(LeaderElectionService).isLeader);
    const cancelled = await h.insertWorkload();
    await wake({ reason: 'submitted', workload_ids: [cancelled] });
    await eventually('queued', () => leader.get(SchedulerService).queueSize === 1);
    await h.dataSource.query(`UPDATE workloads SET status = 'CANCELLED' WHERE id = $1`, [cancelled]);
    await eventually('removed at the sweep', () => leader.get(SchedulerService).queueSize === 0, 3_000);

    const log = await h.collectAssignments('late');
    await h.insertWorker({ id: 'late' });
    await wake({ reason: 'worker_joined', worker_id: 'late' });
    // A workload submitted after it is placed on the new worker: the scheduler has run with a free
    // worker and the cancelled one gone from its queue, and placed only the live one.
    const live = await h.insertWorkload();
    await wake({ reason: 'submitted', workload_ids: [live] });
    await eventually('the live workload placed', () => log.received.length > 0);
    expect(log.received.map((r) => r.payload.workload_id)).toEqual([live]);
    expect((await h.workload(cancelled)).status).toBe('CANCELLED');
  });
});
