// Micro-benchmark of the leader's pending queue (not part of the test suite).
// Run: node -r @swc-node/register tools/bench/pending-queue.bench.ts [entries] [customers]
import { PendingEntry, PendingQueue } from '@niyanta/scheduling';

const entries = Number(process.argv[2] ?? 100_000);
const customers = Number(process.argv[3] ?? 1_000);
const T0 = Date.now();

function fill(queue: PendingQueue<null>, n: number): void {
  for (let i = 0; i < n; i++) {
    const entry: PendingEntry<null> = {
      id: `wl-${i}`,
      customerId: `cust-${i % customers}`,
      tierWeight: [0, 50, 100, 200][i % 4],
      priority: (i * 7919) % 1001,
      enqueuedAt: T0 - ((i * 104729) % 3_600_000),
      notBefore: i % 20 === 0 ? T0 + (i % 5000) : null,
      workloadType: i % 10 === 0 ? 'gpu-train' : 'sleep',
      payload: null,
    };
    queue.add(entry);
  }
}

function time<T>(label: string, ops: number, fn: () => T): T {
  const start = process.hrtime.bigint();
  const result = fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ${Math.round((ops / ms) * 1000).toLocaleString('en-US').padStart(12)} ops/s`);
  return result;
}

// Warm-up so the JIT has compiled the hot paths before we measure.
const warm = new PendingQueue<null>();
fill(warm, 20_000);
warm.takeBatch(T0 + 10_000, Infinity);

const queue = new PendingQueue<null>();
time(`add ${entries} entries (${customers} customers)`, entries, () => fill(queue, entries));
time('takeBatch: pop all, one batch', entries, () => queue.takeBatch(T0 + 10_000, Infinity));

fill(queue, entries);
time('takeBatch(now, 1) called repeatedly', entries, () => {
  for (let i = 0; i < entries; i++) queue.takeBatch(T0 + 10_000, 1);
});

fill(queue, entries);
time('pop all, skip-group on every gpu entry', entries, () =>
  queue.takeBatch(T0 + 10_000, Infinity, (e) => (e.workloadType === 'gpu-train' ? 'skip-group' : 'take')),
);
time('pop the 10 % skipped group afterwards', queue.size, () => queue.takeBatch(T0 + 10_000, Infinity));

fill(queue, entries);
const removeIds = Array.from({ length: entries }, (_, i) => `wl-${(i * 7) % entries}`);
time('remove every entry by id', entries, () => removeIds.forEach((id) => queue.remove(id)));

// A full queue admitting newcomers: each admission evicts one of the largest customer's entries
// (what the leader's bounded queue does per workload admitted while full).
fill(queue, entries);
const admissions = Math.min(entries, 20_000);
time(`admit to a full queue (largest customer evicts)`, admissions, () => {
  for (let i = 0; i < admissions; i++) {
    const largest = queue.largestCustomer() as { customerId: string };
    const victim = queue.evictionCandidate(largest.customerId) as PendingEntry<null>;
    queue.remove(victim.id);
    queue.add({ id: `new-${i}`, customerId: `newcomer-${i % 50}`, tierWeight: 0, priority: 500, enqueuedAt: T0, notBefore: null, workloadType: 'sleep', payload: null });
  }
});
queue.clear();

const rss = process.memoryUsage();
fill(queue, entries);
global.gc?.();
console.log(`heap used with ${entries} entries queued: ${Math.round((process.memoryUsage().heapUsed - rss.heapUsed) / 1e6)} MB more than empty`);
