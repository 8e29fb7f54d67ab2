// Placement simulator (not part of the test suite): the leader's in-memory placement path — the
// PendingQueue ordering (priority + tier weight + aging, weighted fair shares), the tier running
// limits (skip-customer), placement classes (skip-group), and worker choice — driven over a
// simulated fleet until a backlog is placed. Timing covers only the placement path.
// Run: npx nx run tools-bench:placement   (or node -r @swc-node/register tools/bench/placement-simulator.bench.ts)
// Options: --workloads=100000 --customers=1000 --workers=1000 --capacity=8 --naive-sample=5000 --seed=42
import { DEFAULT_TIERS, type AffinityRules, type TierDefinition } from '@niyanta/models';
import {
  PendingQueue,
  PlacementIndex,
  chooseWorker,
  isPlaced,
  placementClassKey,
  tierShareWeight,
  type PlacementDecision,
  type PlacementRequest,
  type WorkerSlots,
} from '@niyanta/scheduling';
import os from 'node:os';
import { percentile } from './stats';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const num = (name: string, fallback: number) => Number(args.get(name) ?? fallback);
const WORKLOADS = num('workloads', 100_000);
const CUSTOMERS = num('customers', 1_000);
const WORKERS = num('workers', 1_000);
const CAPACITY = num('capacity', 8);
const NAIVE_SAMPLE = num('naive-sample', 5_000);
const MAX_PER_PASS = 1_000;
let seed = num('seed', 42);

/** Deterministic PRNG (mulberry32) so runs are comparable. */
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

// ---- the fleet: mixed types, tags and regions ----
const REGIONS = ['eu', 'us', 'ap'] as const;
function makeWorkers(): WorkerSlots[] {
  return Array.from({ length: WORKERS }, (_, i) => {
    const gpu = i % 10 === 0 ? 'a100' : i % 25 === 1 ? 'h100' : 'none';
    return {
      id: `w${String(i).padStart(5, '0')}`,
      tags: { gpu, disk: i % 2 === 0 ? 'ssd' : 'hdd', zone: `z${i % 3}`, pool: i % 5 === 0 ? 'spot' : 'reserved' },
      region: REGIONS[i % 3] as string,
      capacity: CAPACITY,
      running: 0,
      workloadTypes: gpu === 'none' ? ['sleep', 'etl'] : ['sleep', 'etl', 'train'],
      accepting: true,
    };
  });
}

// ---- customers across tiers, workloads with a mix of affinity ----
const TIER_MIX: Array<[string, number]> = [['free', 0.4], ['standard', 0.3], ['premium', 0.2], ['enterprise', 0.1]];
interface Customer {
  id: string;
  tier: TierDefinition;
  share: number;
}
function makeCustomers(): Customer[] {
  const customers: Customer[] = [];
  let index = 0;
  for (const [name, fraction] of TIER_MIX) {
    const tier = DEFAULT_TIERS[name] as TierDefinition;
    for (let i = 0; i < Math.round(CUSTOMERS * fraction); i++) customers.push({ id: `c${index++}`, tier, share: tierShareWeight(tier) });
  }
  return customers;
}

interface Job extends PlacementRequest {
  customer: Customer;
  durationMs: number;
  soft: boolean;
}
const EMPTY: AffinityRules = { required: {}, preferred: {}, anti: {} };
function makeJob(customer: Customer): Job {
  const roll = random();
  const durationMs = 5_000 + Math.floor(random() * 55_000);
  if (roll < 0.6) return { workloadType: pick(['sleep', 'etl']), affinity: EMPTY, region: null, customer, durationMs, soft: false };
  if (roll < 0.8) {
    // Soft rules only: a disk and a region preference.
    return { workloadType: 'etl', affinity: { required: {}, preferred: { disk: 'ssd' }, anti: {} }, region: pick(REGIONS), customer, durationMs, soft: true };
  }
  if (roll < 0.9) return { workloadType: 'sleep', affinity: { required: {}, preferred: {}, anti: { pool: 'spot' } }, region: null, customer, durationMs, soft: false };
  if (roll < 0.97) {
    return { workloadType: 'train', affinity: { required: { gpu: 'a100' }, preferred: { zone: pick(['z0', 'z1', 'z2']) }, anti: {} }, region: null, customer, durationMs, soft: true };
  }
  return { workloadType: 'train', affinity: { required: { gpu: 'h100' }, preferred: {}, anti: {} }, region: null, customer, durationMs, soft: false };
}

// ---- the simulation ----
interface Result {
  decisions: number;
  placementSeconds: number;
  /** CPU time of the placement path (robust to other processes taking the cores). */
  placementCpuSeconds: number;
  decisionNs: number[];
  passMs: number[];
  softPlaced: number;
  softSatisfied: number;
  softSatisfiable: number;
  softSatisfiedWhenSatisfiable: number;
  fairnessWindow: number;
  takesInWindow: Map<string, number>;
  simulatedMinutes: number;
}

/** Completions ordered by time (binary min-heap). */
class Completions {
  private readonly items: Array<{ at: number; workerId: string; customerId: string }> = [];
  get size(): number {
    return this.items.length;
  }
  peek(): { at: number; workerId: string; customerId: string } | undefined {
    return this.items[0];
  }
  push(item: { at: number; workerId: string; customerId: string }): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if ((a[p] as { at: number }).at <= item.at) break;
      a[i] = a[p] as typeof item;
      i = p;
      a[i] = item;
    }
  }
  pop(): { at: number; workerId: string; customerId: string } | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && (a[r] as { at: number }).at < (a[l] as { at: number }).at ? r : l;
        if ((a[c] as { at: number }).at >= last.at) break;
        a[i] = a[c] as typeof last;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/** Simulated time between scheduling passes: completions within one tick are handled by one pass. */
const TICK_MS = 250;

function simulate(jobs: Map<string, Job>, queue: PendingQueue<Job>, fleet: PlacementIndex): Result {
  const running = new Map<string, number>();
  const remaining = new Map<string, number>();
  for (const job of jobs.values()) remaining.set(job.customer.id, (remaining.get(job.customer.id) ?? 0) + 1);
  const completions = new Completions();
  const result: Result = {
    decisions: 0, placementSeconds: 0, placementCpuSeconds: 0, decisionNs: [], passMs: [], softPlaced: 0, softSatisfied: 0,
    softSatisfiable: 0, softSatisfiedWhenSatisfiable: 0, fairnessWindow: 0, takesInWindow: new Map(), simulatedMinutes: 0,
  };
  let windowOpen = true;
  const T0 = Date.UTC(2030, 0, 1);
  let now = T0;
  let free = fleet.workers().reduce((sum, w) => sum + w.capacity - w.running, 0);
  const checkEvery = 50;
  while (queue.size > 0) {
    // Free the slots of workloads that finished by `now`.
    for (let next = completions.peek(); next && next.at <= now; next = completions.peek()) {
      completions.pop();
      fleet.release(next.workerId);
      running.set(next.customerId, (running.get(next.customerId) ?? 1) - 1);
      free++;
    }
    const placed: Array<{ job: Job; decision: PlacementDecision }> = [];
    const cpuStart = process.cpuUsage();
    let last = process.hrtime.bigint();
    const passStart = last;
    queue.takeBatch(now, MAX_PER_PASS, (entry) => {
      if (free <= 0) return 'stop';
      const job = entry.payload;
      if ((running.get(job.customer.id) ?? 0) >= job.customer.tier.maxRunning) return 'skip-customer';
      const decision = fleet.choose(job, entry.group);
      if (!isPlaced(decision)) return 'skip-group';
      fleet.reserve(decision.workerId);
      running.set(job.customer.id, (running.get(job.customer.id) ?? 0) + 1);
      free--;
      placed.push({ job, decision });
      const t = process.hrtime.bigint();
      result.decisionNs.push(Number(t - last));
      last = t;
      return 'take';
    }, { maxOffers: MAX_PER_PASS * 10 });
    const passNs = Number(process.hrtime.bigint() - passStart);
    const cpu = process.cpuUsage(cpuStart);
    result.placementSeconds += passNs / 1e9;
    result.placementCpuSeconds += (cpu.user + cpu.system) / 1e6;
    if (placed.length > 0) result.passMs.push(passNs / 1e6);

    // Bookkeeping outside the timed path: outcomes, fairness window, completions.
    for (const { job, decision } of placed) {
      if (!isPlaced(decision)) continue;
      result.decisions++;
      const left = (remaining.get(job.customer.id) ?? 1) - 1;
      remaining.set(job.customer.id, left);
      if (windowOpen) {
        result.takesInWindow.set(job.customer.id, (result.takesInWindow.get(job.customer.id) ?? 0) + 1);
        result.fairnessWindow++;
        if (left === 0) windowOpen = false;
      }
      if (job.soft) {
        const wanted = Object.keys(job.affinity.preferred ?? {}).length + (job.region ? 1 : 0);
        const met = decision.preferredMatches + (job.region && decision.regionMatch ? 1 : 0);
        result.softPlaced++;
        if (met === wanted) result.softSatisfied++;
        // Sampled, slow: could a fully satisfying worker with a free slot have been chosen?
        if (result.softPlaced % checkEvery === 0) {
          const freeSatisfying = fleet.workers().some((w) => {
            const d = chooseWorker(job, [{ ...w, running: w.running - (w.id === decision.workerId ? 1 : 0) }]);
            return isPlaced(d) && d.preferredMatches + (job.region && d.regionMatch ? 1 : 0) === wanted;
          });
          if (freeSatisfying) {
            result.softSatisfiable++;
            if (met === wanted) result.softSatisfiedWhenSatisfiable++;
          }
        }
      }
      completions.push({ at: now + job.durationMs, workerId: decision.workerId, customerId: job.customer.id });
    }
    // The next pass: at the next tick with a completion (a pass that placed its maximum goes on at once).
    if (placed.length < MAX_PER_PASS || free <= 0) {
      const next = completions.peek();
      now = next ? Math.max(now + TICK_MS, next.at) : now + TICK_MS;
    }
  }
  result.simulatedMinutes = (now - T0) / 60_000;
  return result;
}

function build(): { customers: Customer[]; jobs: Map<string, Job>; queue: PendingQueue<Job>; fleet: PlacementIndex } {
  const customers = makeCustomers();
  const jobs = new Map<string, Job>();
  const queue = new PendingQueue<Job>();
  const T0 = Date.UTC(2030, 0, 1);
  for (let i = 0; i < WORKLOADS; i++) {
    const customer = customers[i % customers.length] as Customer;
    const job = makeJob(customer);
    const id = `j${i}`;
    jobs.set(id, job);
    queue.add({
      id,
      customerId: customer.id,
      tierWeight: customer.tier.schedulingWeight,
      shareWeight: customer.share,
      priority: 100,
      enqueuedAt: T0 - 60_000 + (i % 1000),
      notBefore: null,
      workloadType: job.workloadType,
      group: placementClassKey(job),
      payload: job,
    });
  }
  const fleet = new PlacementIndex();
  fleet.replaceAll(makeWorkers());
  return { customers, jobs, queue, fleet };
}

/** chooseWorker over the whole fleet per decision: the path before the index, for comparison. */
function naiveRate(customers: Customer[]): number {
  const workers = makeWorkers();
  const requests = Array.from({ length: NAIVE_SAMPLE }, (_, i) => makeJob(customers[i % customers.length] as Customer));
  const start = process.hrtime.bigint();
  for (const request of requests) {
    const decision = chooseWorker(request, workers);
    if (isPlaced(decision)) {
      const w = workers.find((x) => x.id === decision.workerId) as WorkerSlots;
      w.running = w.running + 1 >= w.capacity ? 0 : w.running + 1;
    }
  }
  return NAIVE_SAMPLE / (Number(process.hrtime.bigint() - start) / 1e9);
}

function jain(values: number[]): number {
  const sum = values.reduce((a, b) => a + b, 0);
  const squares = values.reduce((a, b) => a + b * b, 0);
  return values.length === 0 || squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}

function main(): void {
  const warm = build();
  simulate(warm.jobs, warm.queue, warm.fleet);
  global.gc?.();

  const { customers, jobs, queue, fleet } = build();
  const r = simulate(jobs, queue, fleet);
  const naive = naiveRate(customers);
  const sortedNs = [...r.decisionNs].sort((a, b) => a - b);
  const sortedPass = [...r.passMs].sort((a, b) => a - b);
  const byCustomer = customers.map((c) => ({ c, x: (r.takesInWindow.get(c.id) ?? 0) / c.share }));
  const perTier = new Map<string, { takes: number; customers: number; share: number }>();
  for (const { c } of byCustomer) {
    const t = perTier.get(c.tier.name) ?? { takes: 0, customers: 0, share: c.share };
    t.takes += r.takesInWindow.get(c.id) ?? 0;
    t.customers++;
    perTier.set(c.tier.name, t);
  }
  const totalWeight = customers.reduce((a, c) => a + c.share, 0);

  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}`);
  console.log(`setup: ${WORKLOADS} pending workloads, ${customers.length} customers (40/30/20/10 % free/standard/premium/enterprise), ${WORKERS} workers × ${CAPACITY} slots, ${MAX_PER_PASS} placements per pass`);
  console.log(`placed ${r.decisions} in ${r.placementSeconds.toFixed(2)} s of placement time → ${Math.round(r.decisions / r.placementSeconds).toLocaleString('en-US')} decisions/s wall clock, ${Math.round(r.decisions / r.placementCpuSeconds).toLocaleString('en-US')} per CPU second (${r.passMs.length} passes, ${r.simulatedMinutes.toFixed(0)} simulated minutes)`);
  console.log(`decision latency: p50 ${(percentile(sortedNs, 50) / 1000).toFixed(1)} µs, p99 ${(percentile(sortedNs, 99) / 1000).toFixed(1)} µs, max ${((sortedNs[sortedNs.length - 1] ?? 0) / 1000).toFixed(0)} µs; pass p99 ${percentile(sortedPass, 99).toFixed(2)} ms`);
  console.log(`chooseWorker over the whole fleet instead: ${Math.round(naive).toLocaleString('en-US')} decisions/s (${NAIVE_SAMPLE} decisions)`);
  console.log(`soft affinity: ${((100 * r.softSatisfied) / r.softPlaced).toFixed(1)} % of ${r.softPlaced} placements fully satisfied; ${((100 * r.softSatisfiedWhenSatisfiable) / Math.max(1, r.softSatisfiable)).toFixed(1)} % when a satisfying worker had a free slot (sampled ${r.softSatisfiable})`);
  console.log(`fairness over the first ${r.fairnessWindow} placements (until a customer ran out): Jain's index of takes/weight = ${jain(byCustomer.map((b) => b.x)).toFixed(4)}`);
  for (const [name, t] of perTier) {
    const expected = (r.fairnessWindow * t.share * t.customers) / totalWeight;
    console.log(`  ${name.padEnd(10)} weight ${t.share}: ${t.takes} takes (${(t.takes / t.customers).toFixed(1)}/customer), weighted share ${expected.toFixed(0)}`);
  }
}

main();
