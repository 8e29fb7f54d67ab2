/**
 * The job-queue peers' scenario, run the same way against every {@link QueueSystem}: enqueue → start
 * latency at a fixed offered rate, then N no-op jobs submitted one call each (a fixed number in
 * flight) and N submitted in batches (one batch in flight), each timed from the first call until
 * the queue reports all of them completed. The load average is recorded around every phase.
 */
import { summarize } from '../stats';
import { loadAverage } from './host';
import { nowMs, waitForCompleted, type QueueSystem } from './systems';

export interface ScenarioOptions {
  /** Jobs per throughput phase. */
  total: number;
  /** Single calls in flight. */
  inFlight: number;
  batchSize: number;
  /** Offered rate of the latency phase (jobs/s) and its length. */
  rate: number;
  seconds: number;
  warmup: number;
}

export interface PhaseLoad {
  phase: string;
  before: string;
  after: string;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  n: number;
}

export interface ScenarioResult {
  system: string;
  /** Enqueue → start, ms (from before the enqueue call until the worker began the job). */
  toStart: Percentiles;
  /** The enqueue call's own latency at the offered rate, ms. */
  ack: Percentiles;
  singlePerSec: number;
  batchPerSec: number;
  /** Enqueue rate of the batch phase (the worker running meanwhile). */
  enqueuePerSec: number;
  loads: PhaseLoad[];
}

const percentiles = (samples: number[]): Percentiles => {
  const s = summarize(samples);
  return { p50: s.p50, p95: s.p95, p99: s.p99, n: s.n };
};

export async function runScenario(system: QueueSystem, o: ScenarioOptions, log: (line: string) => void): Promise<ScenarioResult> {
  const loads: PhaseLoad[] = [];
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const before = loadAverage();
    log(`${system.name}: ${name} (load ${before})`);
    const result = await work();
    loads.push({ phase: name, before, after: loadAverage() });
    return result;
  };
  let expected = await system.completedCount();

  await phase('warm-up', async () => {
    await Promise.all(Array.from({ length: o.warmup }, () => system.submitOne()));
    expected += o.warmup;
    await waitForCompleted(system, expected);
  });

  // Open loop: calls are sent on schedule whether or not earlier ones have returned.
  const { toStart, ack } = await phase(`enqueue → start at ${o.rate}/s`, async () => {
    const sent: Array<{ id: string; at: number }> = [];
    const acks: number[] = [];
    const n = o.rate * o.seconds;
    const t0 = nowMs();
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const wait = t0 + (i * 1000) / o.rate - nowMs();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const at = nowMs();
        const id = await system.submitOne();
        acks.push(nowMs() - at);
        sent.push({ id, at });
      }),
    );
    expected += n;
    await waitForCompleted(system, expected);
    const started = await system.startTimes(sent.map((s) => s.id));
    const missing = sent.filter((s) => !started.has(s.id)).length;
    if (missing > 0) throw new Error(`${system.name}: ${missing} jobs have no start time`);
    return { toStart: percentiles(sent.map((s) => (started.get(s.id) as number) - s.at)), ack: percentiles(acks) };
  });

  const singlePerSec = await phase(`${o.total} single calls, ${o.inFlight} in flight`, async () => {
    let next = 0;
    const t0 = nowMs();
    await Promise.all(
      Array.from({ length: o.inFlight }, async () => {
        while (next < o.total) {
          next++;
          await system.submitOne();
        }
      }),
    );
    expected += o.total;
    const done = await waitForCompleted(system, expected);
    return (o.total * 1000) / (done - t0);
  });

  const { batchPerSec, enqueuePerSec } = await phase(`${o.total} in batches of ${o.batchSize}`, async () => {
    const t0 = nowMs();
    for (let sent = 0; sent < o.total; sent += o.batchSize) await system.submitBatch(Math.min(o.batchSize, o.total - sent));
    const enqueued = nowMs();
    expected += o.total;
    const done = await waitForCompleted(system, expected);
    return { batchPerSec: (o.total * 1000) / (done - t0), enqueuePerSec: (o.total * 1000) / (enqueued - t0) };
  });

  return { system: system.name, toStart, ack, singlePerSec, batchPerSec, enqueuePerSec, loads };
}
