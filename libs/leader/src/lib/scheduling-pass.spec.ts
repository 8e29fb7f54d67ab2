import fc from 'fast-check';
import { evaluateAffinity } from '@niyanta/affinity';
import { DEFAULT_TIERS, EMPTY_AFFINITY, type AffinityRules, type TierDefinition } from '@niyanta/models';
import { PendingQueue, type PendingWorkload, type WorkerSnapshot } from '@niyanta/scheduling';
import { ClusterView } from './cluster-view';
import { CustomerQuota } from './customer-quota';
import { PendingReasons } from './pending-reasons';
import { placementGroup, planPass, toQueueEntry, type QueuedWorkload } from './scheduling-pass';
import { TypeQuota } from './type-quota';

const NOW = Date.parse('2030-01-01T00:00:00Z');
let seq = 0;

function worker(id: string, overrides: Partial<WorkerSnapshot> = {}): WorkerSnapshot {
  return {
    id,
    status: 'ACTIVE',
    tags: {},
    region: null,
    capacity: 2,
    workloadTypes: ['sleep'],
    activeCount: 0,
    heartbeatAgeMs: 0,
    ...overrides,
  };
}

function pending(overrides: Partial<PendingWorkload> = {}): PendingWorkload {
  seq++;
  return {
    id: `w-${String(seq).padStart(4, '0')}`,
    customerId: 'c1',
    customerTier: 'enterprise',
    workloadType: 'sleep',
    priority: 100,
    affinity: EMPTY_AFFINITY,
    region: null,
    attempt: 1,
    pendingReason: null,
    notBefore: null,
    createdAt: new Date(NOW - 60_000 + seq),
    pendingSince: new Date(NOW - 60_000 + seq),
    ...overrides,
  };
}

function setup(workers: WorkerSnapshot[]) {
  const queue = new PendingQueue<QueuedWorkload>();
  const view = new ClusterView(15_000, () => NOW);
  view.replaceAll(workers);
  // The fleet share is tested on its own below; these tests are about the tier's running limit.
  const quota = new CustomerQuota({ ...DEFAULT_TIERS, free: { ...(DEFAULT_TIERS['free'] as TierDefinition), maxFleetShare: 1 } }, 'free');
  const reasons = new PendingReasons();
  const types = new TypeQuota();
  const add = (...items: PendingWorkload[]) => {
    for (const item of items) {
      const entry = toQueueEntry(item, quota);
      queue.upsert(entry);
      reasons.enqueued(entry);
    }
  };
  const plan = (maxPlacements = 1_000) =>
    planPass({ queue, view, quota, types, reasons, now: NOW, maxPlacements, maxOffers: 10_000 });
  return { queue, view, quota, types, reasons, add, plan };
}

describe(planPass.name, () => {
  beforeEach(() => {
    seq = 0;
  });

  it('fills free slots in queue order and never beyond capacity', () => {
    const { queue, view, add, plan } = setup([worker('a', { capacity: 2, activeCount: 1 }), worker('b', { capacity: 1 })]);
    const low = pending({ priority: 1 });
    const high = pending({ priority: 900 });
    const mid = pending({ priority: 500 });
    add(low, high, mid);

    const result = plan();

    expect(result.placements.map((p) => p.entry.id)).toEqual([high.id, mid.id]);
    expect(view.running('a')).toBe(2);
    expect(view.running('b')).toBe(1);
    expect(view.freeSlots()).toBe(0);
    expect(queue.has(low.id)).toBe(true);
    expect(plan().placements).toEqual([]);
  });

  it('places each workload only on a worker that fits it', () => {
    const gpu: AffinityRules = { required: { gpu: 'a100' }, preferred: {}, anti: {} };
    const { add, plan } = setup([
      worker('cpu', { capacity: 5 }),
      worker('gpu', { capacity: 5, tags: { gpu: 'a100' } }),
      worker('other', { capacity: 5, workloadTypes: ['render'] }),
    ]);
    const needsGpu = pending({ affinity: gpu });
    const render = pending({ workloadType: 'render' });
    add(needsGpu, render);

    const byId = new Map(plan().placements.map((p) => [p.entry.id, p.workerId]));
    expect(byId.get(needsGpu.id)).toBe('gpu');
    expect(byId.get(render.id)).toBe('other');
  });

  it('records why a class of workloads cannot be placed, once per change, and keeps them queued', () => {
    const { queue, reasons, add, plan } = setup([worker('a')]);
    const gpuRules: AffinityRules = { required: { gpu: 'a100' }, preferred: {}, anti: {} };
    const first = pending({ affinity: gpuRules });
    const second = pending({ affinity: gpuRules });
    const unknownType = pending({ workloadType: 'train' });
    add(first, second, unknownType);

    const result = plan();
    expect(result.placements).toEqual([]);
    const written = reasons.collect(queue, 100);
    expect(new Map(written.map((w) => [w.id, w.reason]))).toEqual(
      new Map([
        [first.id, 'no live worker has gpu=a100'],
        [second.id, 'no live worker has gpu=a100'],
        [unknownType.id, 'no live worker supports type "train"'],
      ]),
    );
    expect(queue.size).toBe(3);

    plan();
    expect(reasons.collect(queue, 100)).toEqual([]);

    const third = pending({ affinity: gpuRules });
    add(third);
    plan();
    expect(reasons.collect(queue, 100)).toEqual([{ id: third.id, reason: 'no live worker has gpu=a100' }]);
  });

  it('shows "all N fitting workers are full" on workloads that wait for a slot, once, and clears it when placed', () => {
    const { queue, view, reasons, add, plan } = setup([worker('a', { capacity: 1, activeCount: 1 }), worker('idle', { capacity: 1 })]);
    const first = pending();
    const stale = pending({ pendingReason: 'no live worker supports type "sleep"' });
    const waiting = pending();
    add(first, stale, waiting);
    const result = plan();
    expect(result.placements.map((p) => p.entry.id)).toEqual([first.id]);
    expect(result.saturated).toBe(true);
    expect(reasons.collect(queue, 100)).toEqual([
      { id: stale.id, reason: 'all 2 fitting workers are full' },
      { id: waiting.id, reason: 'all 2 fitting workers are full' },
    ]);
    // Still saturated on the next pass: nothing to rewrite.
    plan();
    expect(reasons.collect(queue, 100)).toEqual([]);
    // A newcomer of the same class gets the reason on its own, without a scan of the queue.
    const late = pending();
    add(late);
    plan();
    expect(reasons.collect(queue, 100)).toEqual([{ id: late.id, reason: 'all 2 fitting workers are full' }]);
    // A slot frees: the next in line is placed (the write clears its reason); the rest keep theirs.
    view.apply(worker('idle', { capacity: 1, activeCount: 0 }));
    expect(plan().placements.map((p) => p.entry.id)).toEqual([stale.id]);
    expect(reasons.collect(queue, 100)).toEqual([]);
  });

  it('leaves the reasons of a draining backlog alone when a pass stops at its placement budget', () => {
    // Three slots, five waiting, and a budget of one placement per pass.
    const { queue, view, reasons, add, plan } = setup([worker('a', { capacity: 1, activeCount: 1 }), worker('b', { capacity: 3 })]);
    const workloads = Array.from({ length: 5 }, () => pending());
    add(...workloads);
    view.apply(worker('b', { capacity: 3, activeCount: 3 }));
    plan();
    expect(reasons.collect(queue, 100)).toHaveLength(5);
    view.apply(worker('b', { capacity: 3, activeCount: 0 }));
    // Cut short with slots still free: the rest is placed by the next passes, whose writes clear each
    // reason — nothing is rewritten meanwhile.
    expect(plan(1).placements).toHaveLength(1);
    expect(reasons.collect(queue, 100)).toEqual([]);
    expect(plan(1).placements).toHaveLength(1);
    expect(reasons.collect(queue, 100)).toEqual([]);
    // A pass that empties the queue of what it can place and then runs out of slots: still "full", no write.
    expect(plan().placements).toHaveLength(1);
    expect(reasons.collect(queue, 100)).toEqual([]);
    // A pass that places everything left with slots to spare clears the class's finding.
    view.apply(worker('b', { capacity: 3, activeCount: 0 }));
    expect(plan().placements).toHaveLength(2);
    expect(queue.size).toBe(0);
    const next = pending();
    add(next);
    expect(reasons.collect(queue, 100)).toEqual([]);
  });

  it('tells a workload whose fitting workers are full from one nothing could ever take, on a fleet with free slots elsewhere', () => {
    const gpu: AffinityRules = { required: { gpu: 'a100' }, preferred: {}, anti: {} };
    const { queue, reasons, add, plan } = setup([worker('gpu', { capacity: 1, activeCount: 1, tags: { gpu: 'a100' } }), worker('cpu', { capacity: 5 })]);
    const needsGpu = pending({ affinity: gpu, priority: 900 });
    const needsH100 = pending({ affinity: { required: { gpu: 'h100' }, preferred: {}, anti: {} }, priority: 800 });
    const anywhere = pending();
    add(needsGpu, needsH100, anywhere);
    expect(plan().placements.map((p) => [p.entry.id, p.workerId])).toEqual([[anywhere.id, 'cpu']]);
    expect(new Map(reasons.collect(queue, 100).map((w) => [w.id, w.reason]))).toEqual(
      new Map([
        [needsGpu.id, 'the 1 fitting worker is full'],
        [needsH100.id, 'no live worker has gpu=h100'],
      ]),
    );
  });

  it('rewords a waiting class when the fleet changes under saturation', () => {
    const { queue, view, reasons, add, plan } = setup([worker('a', { capacity: 1, activeCount: 1 })]);
    const h100 = pending({ affinity: { required: { gpu: 'h100' }, preferred: {}, anti: {} }, priority: 900 });
    const plain = pending();
    add(h100, plain);
    plan();
    expect(new Map(reasons.collect(queue, 100).map((w) => [w.id, w.reason])).get(h100.id)).toBe('no live worker has gpu=h100');
    // A busy h100 worker joins: the class now waits for a slot, not for a worker that does not exist.
    view.apply(worker('h', { capacity: 1, activeCount: 1, tags: { gpu: 'h100' } }));
    plan();
    expect(reasons.collect(queue, 100)).toEqual([
      { id: h100.id, reason: 'the 1 fitting worker is full' },
      { id: plain.id, reason: 'all 2 fitting workers are full' },
    ]);
  });

  it('holds a workload type at its concurrency cap, with the cap as the reason, until its count is refreshed', () => {
    const { queue, types, reasons, add, plan } = setup([worker('a', { capacity: 10, workloadTypes: ['sleep', 'etl'] })]);
    types.setLimits(new Map([['etl', 2]]));
    types.refresh(['etl'], new Map([['etl', 1]]));
    const etl = [pending({ workloadType: 'etl', priority: 900 }), pending({ workloadType: 'etl', priority: 800 }), pending({ workloadType: 'etl', priority: 700 })];
    const other = pending();
    add(...etl, other);
    const result = plan();
    expect(result.placements.map((p) => p.entry.id)).toEqual([etl[0]?.id, other.id]);
    expect([...result.cappedTypes]).toEqual(['etl']);
    expect(reasons.collect(queue, 100)).toEqual([
      { id: etl[1]?.id, reason: 'workload type "etl" at its concurrency limit 2' },
      { id: etl[2]?.id, reason: 'workload type "etl" at its concurrency limit 2' },
    ]);
    types.refresh(['etl'], new Map([['etl', 1]]));
    expect(plan().placements.map((p) => p.entry.id)).toEqual([etl[1]?.id]);
  });

  it('reports how each placement met the soft rules', () => {
    const { add, plan } = setup([worker('eu-ssd', { capacity: 1, region: 'eu', tags: { disk: 'ssd' } }), worker('us', { capacity: 1, region: 'us' })]);
    const soft = pending({ affinity: { required: {}, preferred: { disk: 'ssd' }, anti: {} }, region: 'eu', priority: 900 });
    const second = pending({ affinity: { required: {}, preferred: { disk: 'ssd' }, anti: {} }, region: 'eu' });
    add(soft, second);
    const placements = plan().placements.map((p) => [p.entry.id, p.workerId, p.preferredMatches, p.regionMatch]);
    expect(placements).toEqual([
      [soft.id, 'eu-ssd', 1, true],
      [second.id, 'us', 0, false],
    ]);
  });

  it('gives each customer its tier\'s share weight and weight', () => {
    const quota = new CustomerQuota(DEFAULT_TIERS, 'free');
    const entry = toQueueEntry(pending({ customerTier: 'enterprise' }), quota);
    expect([entry.tierWeight, entry.shareWeight]).toEqual([200, 5]);
    const unknown = toQueueEntry(pending({ customerTier: 'gold' }), quota);
    expect([unknown.tierWeight, unknown.shareWeight]).toEqual([0, 1]);
  });

  it('forgets the findings of classes that left the queue', () => {
    const { queue, reasons, add, plan } = setup([]);
    const gone = pending({ workloadType: 'train' });
    add(gone, pending());
    plan();
    expect(reasons.size).toBe(2);
    queue.remove(gone.id);
    reasons.prune(queue);
    expect(reasons.size).toBe(1);
  });

  it('writes reasons in bounded batches and finishes them on later passes', () => {
    const { queue, reasons, add, plan } = setup([]);
    add(...Array.from({ length: 5 }, () => pending()));
    plan();
    expect(reasons.collect(queue, 3)).toHaveLength(3);
    expect(reasons.pending).toBe(true);
    expect(reasons.collect(queue, 3)).toHaveLength(2);
    expect(reasons.pending).toBe(false);
    expect([...queue.values()].every((e) => e.payload.pendingReason === 'no live workers')).toBe(true);
  });

  it('passes over a customer at its tier limit without blocking others', () => {
    const { quota, add, plan } = setup([worker('a', { capacity: 10 })]);
    quota.replaceAll(new Map([['capped', 10]]));
    const blocked = pending({ customerId: 'capped', customerTier: 'free', priority: 1000 });
    const other = pending({ customerId: 'c2', customerTier: 'free', priority: 1 });
    add(blocked, other);

    const result = plan();
    expect(result.placements.map((p) => p.entry.id)).toEqual([other.id]);
    expect([...result.cappedCustomers]).toEqual(['capped']);
    expect(quota.activeCount('c2')).toBe(1);
  });

  it('gives a capped customer\'s workloads the concurrency-limit reason, and clears it once it may run more', () => {
    const { queue, quota, reasons, add, plan } = setup([worker('a', { capacity: 10 })]);
    quota.replaceAll(new Map([['capped', 10]]));
    const waiting = [pending({ customerId: 'capped', customerTier: 'free' }), pending({ customerId: 'capped', customerTier: 'free' })];
    const other = pending({ customerId: 'c2', customerTier: 'free' });
    add(...waiting, other);

    plan();
    expect(reasons.collect(queue, 100)).toEqual(waiting.map((w: PendingWorkload) => ({ id: w.id, reason: 'customer at concurrency limit 10' })));
    // Still capped on the next pass: nothing to write, and no scan due.
    plan();
    expect(reasons.pending).toBe(false);
    expect(reasons.collect(queue, 100)).toEqual([]);
    // A workload re-read from the database without the reason is due for it again.
    const reread = [...queue.values()].find((e) => e.id === waiting[1]?.id);
    if (!reread) throw new Error('missing entry');
    reread.payload.pendingReason = null;
    reasons.enqueued(reread);
    expect(reasons.collect(queue, 100)).toEqual([{ id: reread.id, reason: 'customer at concurrency limit 10' }]);

    quota.replaceAll(new Map([['capped', 9]]));
    const placed = plan();
    expect(placed.placements.map((p) => p.entry.id)).toEqual([waiting[0]?.id]);
    // At the limit again after one placement: the remaining workload keeps its reason, unwritten.
    expect(reasons.collect(queue, 100)).toEqual([]);
    quota.replaceAll(new Map());
    plan();
    expect(queue.size).toBe(0);
  });

  it('clears the limit reason of workloads still queued when the customer is no longer capped', () => {
    const { queue, quota, reasons, add, plan } = setup([worker('a', { capacity: 1, activeCount: 1 }), worker('b', { capacity: 1 })]);
    quota.replaceAll(new Map([['capped', 10]]));
    const first = pending({ customerId: 'capped', customerTier: 'free', priority: 900 });
    add(first);
    plan();
    expect(reasons.collect(queue, 100)).toEqual([{ id: first.id, reason: 'customer at concurrency limit 10' }]);
    // Uncapped, but the only free slot goes to a workload that no worker supports: the reason is cleared.
    quota.replaceAll(new Map([['capped', 1]]));
    const second = pending({ customerId: 'capped', customerTier: 'free', priority: 1000, workloadType: 'train' });
    add(second);
    plan();
    const written = new Map(reasons.collect(queue, 100).map((w) => [w.id, w.reason]));
    expect(written.get(second.id)).toBe('no live worker supports type "train"');
    expect(queue.has(first.id) ? written.get(first.id) : null).toBeNull();
  });

  it('keeps a customer to its tier\'s share of a small fleet, so another customer\'s workload finds a slot', () => {
    const view = new ClusterView(15_000);
    view.replaceAll([worker('a', { capacity: 4 })]);
    const queue = new PendingQueue<QueuedWorkload>();
    const quota = new CustomerQuota(DEFAULT_TIERS, 'free');
    const reasons = new PendingReasons();
    const long = Array.from({ length: 4 }, () => pending({ customerId: 'hog', customerTier: 'free', priority: 500 }));
    for (const w of long) queue.add(toQueueEntry(w, quota));
    const run = () =>
      planPass({ queue, view, quota, types: new TypeQuota(), reasons, now: Date.now(), maxPlacements: 100, maxOffers: 1_000 });

    // Free tier: half of 4 slots, although its running limit is 10.
    expect(run().placements).toHaveLength(2);
    expect(reasons.collect(queue, 100).map((w) => w.reason)).toEqual([
      'customer at its fleet share: 2 of 4 slots',
      'customer at its fleet share: 2 of 4 slots',
    ]);
    const late = pending({ customerId: 'newcomer', customerTier: 'free', priority: 1 });
    queue.add(toQueueEntry(late, quota));
    expect(run().placements.map((p) => p.entry.id)).toEqual([late.id]);
    expect(quota.limit('enterprise')).toBe(10_000);
  });

  it('does not place on draining or silent workers, nor before a retry is due', () => {
    const { add, plan } = setup([
      worker('draining', { status: 'DRAINING' }),
      worker('silent', { heartbeatAgeMs: 20_000 }),
      worker('ok', { capacity: 1 }),
    ]);
    const later = pending({ notBefore: new Date(NOW + 1_000), priority: 1000 });
    const now = pending();
    add(later, now);
    expect(plan().placements.map((p) => [p.entry.id, p.workerId])).toEqual([[now.id, 'ok']]);
  });

  it('stops after maxPlacements', () => {
    const { queue, add, plan } = setup([worker('a', { capacity: 100 })]);
    add(...Array.from({ length: 10 }, () => pending()));
    expect(plan(4).placements).toHaveLength(4);
    expect(queue.size).toBe(6);
  });
});

describe('planPass (properties)', () => {
  const tags = fc.dictionary(fc.constantFrom('gpu', 'zone', 'pool'), fc.constantFrom('a', 'b'), { maxKeys: 2 });
  const arbWorker = fc.record({
    tags,
    region: fc.option(fc.constantFrom('eu', 'us'), { nil: null }),
    capacity: fc.integer({ min: 0, max: 4 }),
    activeCount: fc.integer({ min: 0, max: 4 }),
    workloadTypes: fc.subarray(['sleep', 'etl'], { minLength: 1 }),
    status: fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'DRAINING'),
  });
  const arbWorkload = fc.record({
    customer: fc.integer({ min: 0, max: 3 }),
    type: fc.constantFrom('sleep', 'etl'),
    priority: fc.integer({ min: 0, max: 1000 }),
    affinity: fc.record({ required: tags, preferred: tags, anti: tags }),
    region: fc.option(fc.constantFrom('eu', 'us'), { nil: null }),
  });

  it('never breaks a hard rule: type, required and anti tags, worker capacity, customer and type limits', () => {
    fc.assert(
      fc.property(
        fc.array(arbWorker, { maxLength: 6 }),
        fc.array(arbWorkload, { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 4, maxLength: 4 }),
        fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
        (fleet, workloads, activeByCustomer, etlCap) => {
          seq = 0;
          const snapshots = fleet.map((w, i) => worker(`w${i}`, { ...w, status: w.status as 'ACTIVE' | 'DRAINING' }));
          const { view, quota, types, add, plan } = setup(snapshots);
          quota.replaceAll(new Map(activeByCustomer.map((n, c) => [`c${c}`, n])));
          if (etlCap !== null) {
            types.setLimits(new Map([['etl', etlCap]]));
            types.refresh(['etl'], new Map([['etl', 1]]));
          }
          const before = new Map(snapshots.map((w) => [w.id, w.activeCount]));
          // A customer's tier is its own: free, standard, enterprise, free.
          const tiers = ['free', 'standard', 'enterprise', 'free'];
          add(
            ...workloads.map((w) =>
              pending({ customerId: `c${w.customer}`, customerTier: tiers[w.customer] as string, workloadType: w.type, priority: w.priority, affinity: w.affinity, region: w.region }),
            ),
          );
          const tierOf = new Map(tiers.map((tier, c) => [`c${c}`, tier]));
          const result = plan();
          const perWorker = new Map<string, number>();
          const perCustomer = new Map<string, number>();
          let etl = 0;
          for (const placement of result.placements) {
            const target = snapshots.find((w) => w.id === placement.workerId) as WorkerSnapshot;
            const workload = placement.entry.payload;
            expect(target.status).toBe('ACTIVE');
            expect(target.workloadTypes).toContain(workload.workloadType);
            expect(evaluateAffinity(workload.affinity, target, workload.region).eligible).toBe(true);
            perWorker.set(target.id, (perWorker.get(target.id) ?? 0) + 1);
            perCustomer.set(placement.entry.customerId, (perCustomer.get(placement.entry.customerId) ?? 0) + 1);
            if (workload.workloadType === 'etl') etl++;
          }
          for (const w of snapshots) {
            const added = perWorker.get(w.id) ?? 0;
            if (added > 0) expect((before.get(w.id) ?? 0) + added).toBeLessThanOrEqual(w.capacity);
            expect(view.running(w.id)).toBe((before.get(w.id) ?? 0) + added);
          }
          for (const [customerId, added] of perCustomer) {
            const max = (DEFAULT_TIERS[tierOf.get(customerId) as string] as { maxRunning: number }).maxRunning;
            const had = activeByCustomer[Number(customerId.slice(1))] as number;
            expect(had + added).toBeLessThanOrEqual(Math.max(had, max));
            if (had >= max) expect(added).toBe(0);
          }
          if (etlCap !== null) expect(1 + etl).toBeLessThanOrEqual(Math.max(1, etlCap));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe(placementGroup.name, () => {
  it('ignores key order but not values', () => {
    const a = placementGroup({ workloadType: 't', region: null, affinity: { required: { x: '1', y: '2' }, preferred: {}, anti: {} } });
    const b = placementGroup({ workloadType: 't', region: null, affinity: { required: { y: '2', x: '1' }, preferred: {}, anti: {} } });
    const c = placementGroup({ workloadType: 't', region: 'eu', affinity: { required: { y: '2', x: '1' }, preferred: {}, anti: {} } });
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });
});

describe(CustomerQuota.name, () => {
  it('applies the tier limit, falls back for unknown tiers and refreshes selected customers', () => {
    const quota = new CustomerQuota(DEFAULT_TIERS, 'free');
    expect(quota.tier('nope')).toBe(DEFAULT_TIERS['free']);
    quota.replaceAll(new Map([['c', 9]]));
    expect(quota.atLimit('c', 'free')).toBe(false);
    quota.take('c');
    expect(quota.atLimit('c', 'free')).toBe(true);
    expect(quota.atLimit('c', 'standard')).toBe(false);
    quota.refresh(['c'], new Map());
    expect(quota.activeCount('c')).toBe(0);
    expect(() => new CustomerQuota(DEFAULT_TIERS, 'gold')).toThrow(RangeError);
  });
});

describe(ClusterView.name, () => {
  it('drops workers that are no longer active and releases reservations', () => {
    const view = new ClusterView(15_000, () => NOW);
    view.replaceAll([worker('a'), worker('b', { status: 'DEAD' })]);
    expect(view.size).toBe(1);
    view.reserve('a');
    view.release('a');
    view.release('a');
    expect(view.running('a')).toBe(0);
    view.apply(worker('a', { status: 'STOPPED' }));
    expect(view.has('a')).toBe(false);
  });

  it('asks to re-read a worker whose heartbeat looks old, at most once per interval', () => {
    let now = NOW;
    const view = new ClusterView(10_000, () => now);
    view.replaceAll([worker('fresh'), worker('quiet', { heartbeatAgeMs: 4_000 }), worker('draining', { status: 'DRAINING', heartbeatAgeMs: 9_000 })]);
    expect(view.workersToRecheck(250)).toEqual([]);
    now += 1_100;
    expect(view.workersToRecheck(250)).toEqual(['quiet']);
    view.apply(worker('quiet', { heartbeatAgeMs: 0 }));
    expect(view.workersToRecheck(250)).toEqual([]);
    now += 6_000;
    expect(view.workersToRecheck(250).sort()).toEqual(['fresh', 'quiet']);
    expect(view.slots().filter((s) => s.accepting).map((s) => s.id).sort()).toEqual(['fresh', 'quiet']);
    now += 5_000;
    expect(view.slots().filter((s) => s.accepting)).toEqual([]);
  });
});
