import { ReadinessService } from '@niyanta/observability';
import { LeadershipRepository, LeaseLostError, SchedulingRepository, type LeaderFence, type LeaseGrant } from '@niyanta/state';
import { createLeaderHarness, eventually, testLeaderOptions, type LeaderHarness } from '../testing/leader-harness';
import { LeaderDuty, type LeaderTerm } from './leader-duty';
import { LeaderElectionService } from './leader-election.service';
import { LeaderMetrics } from './leader-metrics';
import { resolveLeaderOptions, type LeaderOptions } from './leader-options';


/** A duty that records its terms, so tests see exactly when a replica acts as leader. */
class RecordingDuty extends LeaderDuty {
  readonly name = 'recording';
  readonly events: string[] = [];
  term: LeaderTerm | null = null;

  /** `shared` also receives every event, prefixed with the replica's id, in the order they happened. */
  constructor(
    private readonly id: string,
    private readonly shared: string[],
  ) {
    super();
  }

  async start(term: LeaderTerm): Promise<void> {
    this.term = term;
    this.record(`start:${term.fence.generation}`);
  }

  async stop(): Promise<void> {
    if (this.term) this.record(`stop:${this.term.fence.generation}`);
    this.term = null;
  }

  private record(event: string): void {
    this.events.push(event);
    this.shared.push(`${this.id}:${event}`);
  }
}

/** The lease repository, counting campaign attempts and keeping every lease granted. */
function countingLeases(leases: LeadershipRepository): { leases: LeadershipRepository; attempts: () => number; grants: LeaseGrant[] } {
  let attempts = 0;
  const grants: LeaseGrant[] = [];
  const counted = Object.assign(Object.create(leases) as LeadershipRepository, {
    tryAcquire: async (leaderId: string, ttlMs: number) => {
      attempts++;
      const grant = await leases.tryAcquire(leaderId, ttlMs);
      if (grant) grants.push(grant);
      return grant;
    },
  });
  return { leases: counted, attempts: () => attempts, grants };
}

interface Replica {
  election: LeaderElectionService;
  duty: RecordingDuty;
  metrics: LeaderMetrics;
  readiness: ReadinessService;
  attempts: () => number;
  grants: LeaseGrant[];
}

describe(LeaderElectionService.name, () => {
  let h: LeaderHarness;
  const replicas: Replica[] = [];
  let log: string[] = [];

  beforeEach(async () => {
    h = await createLeaderHarness('leader_elect');
    log = [];
  });

  afterEach(async () => {
    for (const replica of replicas.splice(0)) await replica.election.stop();
    await h.close();
  });

  function replica(id: string, overrides: Partial<LeaderOptions> = {}, repository = new LeadershipRepository(h.dataSource)): Replica {
    const duty = new RecordingDuty(id, log);
    const metrics = LeaderMetrics.detached();
    const readiness = new ReadinessService();
    const { leases, attempts, grants } = countingLeases(repository);
    const election = new LeaderElectionService(
      resolveLeaderOptions(testLeaderOptions({ leaderId: id, ...overrides })),
      leases,
      [duty],
      metrics,
      readiness,
    );
    const created = { election, duty, metrics, readiness, attempts, grants };
    replicas.push(created);
    return created;
  }

  async function gauge(metrics: LeaderMetrics, name: 'isLeader' | 'generation'): Promise<number | undefined> {
    return (await metrics[name].get()).values[0]?.value;
  }

  it('elects exactly one of two replicas and hands over with a new generation on release', async () => {
    // A lease far longer than the test waits: a handover before it lapses can only come from the release.
    const leaseTtlMs = 30_000;
    const a = replica('a', { leaseTtlMs });
    const b = replica('b', { leaseTtlMs });
    a.election.start();
    b.election.start();

    const first = (await eventually('a leader', () => [a, b].find((r) => r.election.isLeader))) as Replica;
    const standby = first === a ? b : a;
    // The standby keeps campaigning and keeps losing while the leader holds the lease.
    const lostSoFar = standby.attempts();
    await eventually('two more campaigns of the standby', () => standby.attempts() >= lostSoFar + 2);
    expect([a, b].filter((r) => r.election.isLeader)).toEqual([first]);
    expect(standby.grants).toEqual([]);
    expect(first.duty.events).toEqual(['start:1']);
    expect(standby.duty.events).toEqual([]);
    expect(await gauge(first.metrics, 'isLeader')).toBe(1);
    expect(await gauge(first.metrics, 'generation')).toBe(1);
    expect(await gauge(standby.metrics, 'isLeader')).toBe(0);
    const report = await first.readiness.report();
    expect(report.details?.['leader']).toEqual({ id: first.election.status().id, is_leader: true, generation: 1 });

    const released = await new LeadershipRepository(h.dataSource).read();
    await first.election.stop();
    expect(first.duty.events).toEqual(['start:1', 'stop:1']);
    await eventually('the standby to take over', () => standby.election.isLeader, 20_000);
    // Released, not expired: by the database clock the standby took the lease before the old one would have lapsed.
    expect(standby.grants).toHaveLength(1);
    expect(standby.grants[0].expiresAt.getTime() - leaseTtlMs).toBeLessThan(released?.expiresAt?.getTime() ?? 0);
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
    b.election.start();
    await eventually('the standby to take over', () => b.election.isLeader, 10_000);
    expect(b.election.fence).toEqual({ leaderId: 'b', generation: 2 });
    // Not before the crashed lease lapsed, by the database clock: the grant starts no earlier than that expiry.
    const ttl = resolveLeaderOptions(testLeaderOptions()).leaseTtlMs;
    expect(b.grants[0].expiresAt.getTime() - ttl).toBeGreaterThanOrEqual(crashed?.expiresAt.getTime() ?? Infinity);

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
    await eventually('stepping down', () => !a.election.isLeader, 10_000);
    await eventually('duties stopped', () => a.duty.events.includes('stop:1'));
    expect(await gauge(a.metrics, 'isLeader')).toBe(0);

    failRenewals = false;
    // It released the lease on the way out, so it can take it again at once, as a new generation.
    await eventually('leading again', () => a.election.isLeader, 10_000);
    expect(a.election.fence?.generation).toBe(2);
    expect(a.duty.events).toEqual(['start:1', 'stop:1', 'start:2']);
  });

  it('steps down before the lease can lapse when renewals hang', async () => {
    const leases = new LeadershipRepository(h.dataSource);
    let hang = false;
    const hanging = Object.assign(Object.create(leases) as LeadershipRepository, {
      renew: (fence: LeaderFence, ttl: number) => (hang ? new Promise<never>(() => undefined) : leases.renew(fence, ttl)),
    });
    const timings = { leaseTtlMs: 3_000, leaseRenewIntervalMs: 200 };
    const a = replica('a', timings, hanging);
    a.election.start();
    await eventually('leadership', () => a.election.isLeader);

    hang = true;
    // A standby takes over as soon as the database lets it: when the hanging leader's lease lapses.
    const b = replica('b', timings);
    b.election.start();
    await eventually('the standby to take over', () => b.election.isLeader, 15_000);
    expect(a.election.isLeader).toBe(false);
    // The old leader's duties had stopped before the new leader's started: never two leaders at once.
    expect(log).toEqual(['a:start:1', 'a:stop:1', 'b:start:2']);
  });

  it('steps down when a duty reports the lease lost', async () => {
    const a = replica('a');
    a.election.start();
    await eventually('leadership', () => a.election.isLeader);
    a.duty.term?.leaseLost(new LeaseLostError({ leaderId: 'a', generation: 1 }));
    await eventually('stepping down', () => a.duty.events.includes('stop:1'), 5_000);
    expect(a.duty.events.slice(0, 2)).toEqual(['start:1', 'stop:1']);
    // Whatever it does next, it no longer acts under the generation it was told is lost.
    expect(a.election.fence?.generation).not.toBe(1);
  });
});
