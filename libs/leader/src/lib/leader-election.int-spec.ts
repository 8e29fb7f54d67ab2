import { ReadinessService } from '@niyanta/observability';
import { LeadershipRepository, LeaseLostError, SchedulingRepository, type LeaderFence } from '@niyanta/state';
import { createLeaderHarness, eventually, testLeaderOptions, type LeaderHarness } from '../testing/leader-harness';
import { LeaderDuty, type LeaderTerm } from './leader-duty';
import { LeaderElectionService } from './leader-election.service';
import { LeaderMetrics } from './leader-metrics';
import { resolveLeaderOptions, type LeaderOptions } from './leader-options';

jest.setTimeout(20_000);

/** A duty that records its terms, so tests see exactly when a replica acts as leader. */
class RecordingDuty extends LeaderDuty {
  readonly name = 'recording';
  readonly events: string[] = [];
  term: LeaderTerm | null = null;

  async start(term: LeaderTerm): Promise<void> {
    this.term = term;
    this.events.push(`start:${term.fence.generation}`);
  }

  async stop(): Promise<void> {
    if (this.term) this.events.push(`stop:${this.term.fence.generation}`);
    this.term = null;
  }
}

interface Replica {
  election: LeaderElectionService;
  duty: RecordingDuty;
  metrics: LeaderMetrics;
  readiness: ReadinessService;
}

describe(LeaderElectionService.name, () => {
  let h: LeaderHarness;
  const replicas: Replica[] = [];

  beforeEach(async () => {
    h = await createLeaderHarness('leader_elect');
  });

  afterEach(async () => {
    for (const replica of replicas.splice(0)) await replica.election.stop();
    await h.close();
  });

  function replica(id: string, overrides: Partial<LeaderOptions> = {}, leases = new LeadershipRepository(h.dataSource)): Replica {
    const duty = new RecordingDuty();
    const metrics = LeaderMetrics.detached();
    const readiness = new ReadinessService();
    const election = new LeaderElectionService(
      resolveLeaderOptions(testLeaderOptions({ leaderId: id, ...overrides })),
      leases,
      [duty],
      metrics,
      readiness,
    );
    const created = { election, duty, metrics, readiness };
    replicas.push(created);
    return created;
  }

  async function gauge(metrics: LeaderMetrics, name: 'isLeader' | 'generation'): Promise<number | undefined> {
    return (await metrics[name].get()).values[0]?.value;
  }

  it('elects exactly one of two replicas and hands over with a new generation on release', async () => {
    const a = replica('a');
    const b = replica('b');
    a.election.start();
    b.election.start();

    const first = (await eventually('a leader', () => [a, b].find((r) => r.election.isLeader))) as Replica;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect([a, b].filter((r) => r.election.isLeader)).toEqual([first]);
    const standby = first === a ? b : a;
    expect(first.duty.events).toEqual(['start:1']);
    expect(standby.duty.events).toEqual([]);
    expect(await gauge(first.metrics, 'isLeader')).toBe(1);
    expect(await gauge(first.metrics, 'generation')).toBe(1);
    expect(await gauge(standby.metrics, 'isLeader')).toBe(0);
    const report = await first.readiness.report();
    expect(report.details?.['leader']).toEqual({ id: first.election.status().id, is_leader: true, generation: 1 });

    const handoverStarted = Date.now();
    await first.election.stop();
    expect(first.duty.events).toEqual(['start:1', 'stop:1']);
    await eventually('the standby to take over', () => standby.election.isLeader);
    // Released, not expired: the standby needs at most one retry interval, not a whole lease TTL.
    expect(Date.now() - handoverStarted).toBeLessThan(700);
    expect(standby.election.status()).toMatchObject({ is_leader: true, generation: 2 });
    expect(standby.duty.events).toEqual(['start:2']);
    expect(await h.auditActions()).toEqual(['leader.elected', 'leader.elected']);
  });

  it('takes over after a crashed leader’s lease expires, and the old generation can write nothing', async () => {
    await h.insertWorker({ id: 'w1' });
    const workloadId = await h.insertWorkload();
    const leases = new LeadershipRepository(h.dataSource);
    // A "crash": the old leader took the lease and then vanished without renewing or releasing.
    const crashed = await leases.tryAcquire('crashed', 1_000);
    expect(crashed?.generation).toBe(1);
    const oldFence: LeaderFence = { leaderId: 'crashed', generation: 1 };

    const b = replica('b');
    const started = Date.now();
    b.election.start();
    await eventually('the standby to take over', () => b.election.isLeader, 5_000);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThan(700);
    expect(waited).toBeLessThan(1_600);
    expect(b.election.fence).toEqual({ leaderId: 'b', generation: 2 });

    const scheduling = new SchedulingRepository(h.dataSource);
    await expect(scheduling.schedule(oldFence, [{ workloadId, workerId: 'w1' }])).rejects.toBeInstanceOf(LeaseLostError);
    expect(await h.workload(workloadId)).toMatchObject({ status: 'PENDING', worker_id: null });
    const [newFence] = [b.election.fence as LeaderFence];
    expect(await scheduling.schedule(newFence, [{ workloadId, workerId: 'w1' }])).toHaveLength(1);
  });

  it('steps down at once when a renewal errors, and campaigns again afterwards', async () => {
    const leases = new LeadershipRepository(h.dataSource);
    let failRenewals = false;
    const flaky = Object.assign(Object.create(leases) as LeadershipRepository, {
      renew: (fence: LeaderFence, ttl: number) =>
        failRenewals ? Promise.reject(new Error('connection reset')) : leases.renew(fence, ttl),
    });
    const a = replica('a', {}, flaky);
    a.election.start();
    await eventually('leadership', () => a.election.isLeader);

    failRenewals = true;
    await eventually('stepping down', () => !a.election.isLeader, 1_000);
    await eventually('duties stopped', () => a.duty.events.includes('stop:1'));
    expect(await gauge(a.metrics, 'isLeader')).toBe(0);

    failRenewals = false;
    // It released the lease on the way out, so it can take it again at once, as a new generation.
    await eventually('leading again', () => a.election.isLeader, 2_000);
    expect(a.election.fence?.generation).toBe(2);
    expect(a.duty.events).toEqual(['start:1', 'stop:1', 'start:2']);
  });

  it('steps down before the lease can lapse when renewals hang', async () => {
    const leases = new LeadershipRepository(h.dataSource);
    let hang = false;
    const hanging = Object.assign(Object.create(leases) as LeadershipRepository, {
      renew: (fence: LeaderFence, ttl: number) => (hang ? new Promise<never>(() => undefined) : leases.renew(fence, ttl)),
    });
    const a = replica('a', { leaseTtlMs: 1_000, leaseRenewIntervalMs: 200 }, hanging);
    a.election.start();
    await eventually('leadership', () => a.election.isLeader);
    const lease = await leases.read();

    hang = true;
    await eventually('stepping down', () => !a.election.isLeader, 2_000);
    const steppedDownAt = Date.now();
    // The database still had it as leader at that moment: it left before anyone could take over.
    expect(steppedDownAt).toBeLessThan((lease?.expiresAt?.getTime() ?? 0) + 1_000);
    expect(a.duty.events).toContain('stop:1');
  });

  it('steps down when a duty reports the lease lost', async () => {
    const a = replica('a');
    a.election.start();
    await eventually('leadership', () => a.election.isLeader);
    a.duty.term?.leaseLost(new LeaseLostError({ leaderId: 'a', generation: 1 }));
    await eventually('stepping down', () => a.duty.events.includes('stop:1'), 1_000);
  });
});
