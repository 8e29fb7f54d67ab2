import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { durableStreamName, NatsBroker } from '@niyanta/broker';
import { createEnvelope, EMPTY_AFFINITY, MessageType, type LeaderWakePayload } from '@niyanta/models';
import { WorkloadDependencyRepository, type GraphParentRef, type NewWorkload } from '@niyanta/state';
import { testNatsUrl, uniqueBrokerPrefix } from '@niyanta/testing';
import { createLeaderHarness, eventually, type LeaderHarness } from '../testing/leader-harness';
import { LeaderElectionService } from './leader-election.service';

jest.setTimeout(30_000);

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

async function deleteStream(prefix: string): Promise<void> {
  const nc = await connect({ servers: testNatsUrl() });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(durableStreamName(prefix)).catch(() => false);
  } finally {
    await nc.close();
  }
}

describe('dependencies (leader)', () => {
  let h: LeaderHarness;
  let broker: NatsBroker;
  let prefix: string;
  let graphs: WorkloadDependencyRepository;

  beforeEach(async () => {
    prefix = uniqueBrokerPrefix('leader_deps');
    broker = await NatsBroker.connect({ servers: testNatsUrl(), name: `leader-deps-${prefix}`, prefix, logger: silent });
    h = await createLeaderHarness('leader_deps', { broker, prefix });
    graphs = new WorkloadDependencyRepository(h.dataSource);
  });

  afterEach(async () => {
    await h?.close();
    await broker?.close();
    if (prefix) await deleteStream(prefix);
  });

  function item(name: string): NewWorkload {
    return {
      customerId: h.customerId,
      workloadType: 'sleep',
      priority: 500,
      input: { name },
      affinity: EMPTY_AFFINITY,
      region: null,
      labels: {},
      maxRetries: 0,
      idempotencyKey: null,
      timeoutSeconds: null,
      checkpointPolicy: null,
      actor: { actorType: 'customer', actorId: h.customerId },
    };
  }

  /** Submits `spec` (name → names of its parents) as one graph; returns the ids by name. */
  async function submit(spec: Record<string, string[]>): Promise<Record<string, string>> {
    const names = Object.keys(spec);
    const parents: GraphParentRef[][] = names.map((name) =>
      (spec[name] as string[]).map((parent) => ({ kind: 'item', index: names.indexOf(parent), ref: parent })),
    );
    const results = await graphs.submitGraph({ customerId: h.customerId, items: names.map(item), parents, pathOf: (i) => `items.${i}.` });
    return Object.fromEntries(names.map((name, index) => [name, results[index]?.workload.id as string]));
  }

  async function end(id: string, status: 'COMPLETED' | 'FAILED' | 'CANCELLED', wake = true): Promise<void> {
    await h.dataSource.query(
      `UPDATE workloads SET status = $2, worker_id = NULL, completed_at = now(), output = $3::jsonb WHERE id = $1`,
      [id, status, JSON.stringify(status === 'COMPLETED' ? { from: id } : null)],
    );
    if (wake) {
      await broker.publish(
        h.subjects.leaderWake(),
        createEnvelope<LeaderWakePayload>(MessageType.LeaderWake, { reason: 'slot_freed', worker_id: 'w1', parents_done: [id] }),
      );
    }
  }

  it('keeps dependents out of the scheduler until their last parent completes, then places them on the wake', async () => {
    await h.insertWorker({ id: 'w1', capacity: 10 });
    const log = await h.collectAssignments('w1');
    const ids = await submit({ extract: [], t1: ['extract'], t2: ['extract'], t3: ['extract'], load: ['t1', 't2', 't3'] });
    const leader = await h.startLeader();
    await eventually('leadership', () => leader.get(LeaderElectionService).isLeader);

    await eventually('extract placed', () => log.received.length === 1);
    expect(log.received[0]?.payload.workload_id).toBe(ids['extract']);
    // The worker has nine free slots, yet the dependents wait, saying why.
    for (const name of ['t1', 't2', 't3']) {
      expect(await h.workload(ids[name] as string)).toMatchObject({
        status: 'PENDING',
        pending_reason: 'waiting_for_dependencies: 1 of 1 parents not completed yet',
      });
    }
    expect((await h.workload(ids['load'] as string)).pending_reason).toBe('waiting_for_dependencies: 3 of 3 parents not completed yet');

    await end(ids['extract'] as string, 'COMPLETED');
    await eventually('the three transforms placed', () => log.received.length === 4);
    expect(log.received.slice(1).map((r) => r.payload.workload_id).sort()).toEqual([ids['t1'], ids['t2'], ids['t3']].sort());
    expect((await h.workload(ids['load'] as string)).status).toBe('PENDING');

    await end(ids['t1'] as string, 'COMPLETED');
    await eventually('load counts down', async () => (await h.workload(ids['load'] as string)).pending_reason === 'waiting_for_dependencies: 2 of 3 parents not completed yet');
    await end(ids['t2'] as string, 'COMPLETED');
    await end(ids['t3'] as string, 'COMPLETED');
    await eventually('load placed', () => log.received.length === 5);
    expect(log.received[4]?.payload.workload_id).toBe(ids['load']);
    expect(await h.workload(ids['load'] as string)).toMatchObject({ status: 'SCHEDULED', pending_reason: null });
    expect(await graphs.parentOutputs(ids['load'] as string)).toEqual({
      [ids['t1'] as string]: { from: ids['t1'] },
      [ids['t2'] as string]: { from: ids['t2'] },
      [ids['t3'] as string]: { from: ids['t3'] },
      t1: { from: ids['t1'] },
      t2: { from: ids['t2'] },
      t3: { from: ids['t3'] },
    });
  });

  it('cancels the dependents of a failed parent transitively with dependency_failed, audited, and leaves other branches alone', async () => {
    await h.insertWorker({ id: 'w1', capacity: 10 });
    const ids = await submit({ a: [], ok: [], b: ['a'], c: ['b', 'ok'], d: ['ok'] });
    const leader = await h.startLeader();
    await eventually('leadership', () => leader.get(LeaderElectionService).isLeader);

    await end(ids['a'] as string, 'FAILED');
    await eventually('c cancelled', async () => (await h.workload(ids['c'] as string)).status === 'CANCELLED');
    for (const name of ['b', 'c']) {
      const [row] = await h.dataSource.query(`SELECT status, error FROM workloads WHERE id = $1`, [ids[name]]);
      expect(row).toEqual({ status: 'CANCELLED', error: { code: 'dependency_failed', message: `parent ${ids['a']} ended FAILED` } });
      expect(await h.auditActions(ids[name])).toEqual(['workload.submitted', 'workload.cancelled']);
    }
    const [audit] = await h.dataSource.query(
      `SELECT actor_type, details FROM audit_events WHERE workload_id = $1 AND action = 'workload.cancelled'`,
      [ids['c']],
    );
    expect(audit).toMatchObject({ actor_type: 'coordinator', details: { reason: 'dependency_failed', parent_id: ids['a'], parent_status: 'FAILED' } });
    expect((await h.workload(ids['d'] as string)).status).toBe('PENDING');

    await end(ids['ok'] as string, 'CANCELLED');
    await eventually('d cancelled', async () => (await h.workload(ids['d'] as string)).status === 'CANCELLED');
  });

  it('releases, on taking office, the dependents of parents that completed while no leader ran', async () => {
    await h.insertWorker({ id: 'w1', capacity: 10 });
    const log = await h.collectAssignments('w1');
    const ids = await submit({ p: [], q: ['p'], r: ['q'] });
    await end(ids['p'] as string, 'COMPLETED', false);

    const leader = await h.startLeader();
    await eventually('leadership', () => leader.get(LeaderElectionService).isLeader);
    await eventually('q placed', () => log.received.some((r) => r.payload.workload_id === ids['q']));
    expect((await h.workload(ids['r'] as string)).status).toBe('PENDING');
    expect(log.received.map((r) => r.payload.workload_id)).not.toContain(ids['r']);
  });
});
