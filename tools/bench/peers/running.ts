/**
 * The "10,000 concurrently RUNNING" target: `total` long sleeps submitted in batches to one
 * customer, held RUNNING on `workers` worker processes at once. Measures the leader's resident
 * memory, the submit latency of a second customer's probes before and while they all run, and
 * checks that every workload completes exactly once (its status, and one `workload.completed`
 * audit event each).
 */
import { summarize } from '../stats';
import { createBenchDatabase, loadAverage, rssMiB } from './host';
import { Niyanta, nowMs } from './systems';

export interface RunningOptions {
  serverUrl: string;
  natsUrl: string;
  total: number;
  workers: number;
  /** Per worker; above total / workers so the probes find a free slot. */
  capacity: number;
  durationMs: number;
  batchSize: number;
  probeRate: number;
  probeSeconds: number;
  timeoutSeconds: number;
}

const PROBE_BODY = JSON.stringify({ workload_type: 'sleep', input: { duration_ms: 0, steps: 1 } });

async function probe(app: Niyanta, key: string, rate: number, seconds: number): Promise<{ p50: number; p95: number; p99: number; n: number }> {
  const latencies: number[] = [];
  const t0 = nowMs();
  await Promise.all(
    Array.from({ length: rate * seconds }, async (_, i) => {
      const wait = t0 + (i * 1000) / rate - nowMs();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const at = nowMs();
      await app.submitOne(key, PROBE_BODY);
      latencies.push(nowMs() - at);
    }),
  );
  return summarize(latencies);
}

export async function runRunning(o: RunningOptions, log: (line: string) => void): Promise<string> {
  const database = await createBenchDatabase(o.serverUrl);
  let app: Niyanta | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    app = await Niyanta.start({
      databaseUrl: database.url,
      schema: 'niyanta',
      natsUrl: o.natsUrl,
      brokerPrefix: `bench_running_${process.pid}`,
      workers: o.workers,
      capacity: o.capacity,
      input: { duration_ms: o.durationMs, steps: 1 },
    });
    const cluster = app;
    const probeKey = await cluster.newCustomerKey();
    const leaderRss = { start: rssMiB(cluster.leader.pid) ?? 0, max: 0 };
    const sample = () => {
      leaderRss.max = Math.max(leaderRss.max, rssMiB(cluster.leader.pid) ?? 0);
      sampler = setTimeout(sample, 500);
    };
    sample();
    const loads: string[] = [`start ${loadAverage()}`];

    // Warm-up: the first requests pay for connection pools and JIT.
    await Promise.all(Array.from({ length: 100 }, () => cluster.submitOne(probeKey, PROBE_BODY)));
    log(`probes before (load ${loadAverage()})`);
    const before = await probe(cluster, probeKey, o.probeRate, o.probeSeconds);
    const probesBefore = 100 + o.probeRate * o.probeSeconds;

    log(`submitting ${o.total} sleeps of ${o.durationMs} ms (load ${loadAverage()})`);
    const t0 = nowMs();
    for (let sent = 0; sent < o.total; sent += o.batchSize) await cluster.submitBatch(Math.min(o.batchSize, o.total - sent));
    const submittedSec = (nowMs() - t0) / 1000;

    // Wait until all are RUNNING at once (or the first of them has finished: then the peak is what it is).
    let peak = 0;
    let allRunningSec: number | undefined;
    const deadline = Date.now() + o.timeoutSeconds * 1000;
    for (;;) {
      const counts = await cluster.countByStatus();
      const running = counts['RUNNING'] ?? 0;
      peak = Math.max(peak, running);
      if (running >= o.total) {
        allRunningSec = (nowMs() - t0) / 1000;
        break;
      }
      if ((counts['COMPLETED'] ?? 0) > probesBefore || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    loads.push(`all running ${loadAverage()}`);
    log(`peak RUNNING ${peak}${allRunningSec ? ` after ${allRunningSec.toFixed(1)} s` : ''}; probes during (load ${loadAverage()})`);
    const during = await probe(cluster, probeKey, o.probeRate, o.probeSeconds);
    const rssWhileRunning = leaderRss.max;

    const expected = o.total + probesBefore + o.probeRate * o.probeSeconds;
    for (;;) {
      const counts = await cluster.countByStatus();
      if ((counts['COMPLETED'] ?? 0) >= expected) break;
      const settled = Object.entries(counts).filter(([s]) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(s)).reduce((a, [, n]) => a + n, 0);
      if (settled >= expected) break;
      if (Date.now() > deadline) {
        log(`timed out: ${JSON.stringify(counts)}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    const finishedSec = (nowMs() - t0) / 1000;
    loads.push(`end ${loadAverage()}`);

    const check = await cluster.client.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE w.status = 'COMPLETED')::int AS completed,
              count(*) FILTER (WHERE coalesce(a.completed, 0) = 1)::int AS once,
              count(*) FILTER (WHERE coalesce(a.completed, 0) > 1)::int AS twice,
              count(*) FILTER (WHERE coalesce(a.started, 0) > 1)::int AS restarted
         FROM niyanta.workloads w
         LEFT JOIN (SELECT workload_id,
                           count(*) FILTER (WHERE action = 'workload.completed') AS completed,
                           count(*) FILTER (WHERE action = 'workload.started') AS started
                      FROM niyanta.audit_events GROUP BY workload_id) a ON a.workload_id = w.id`,
    );
    const r = check.rows[0] as { total: number; completed: number; once: number; twice: number; restarted: number };
    const f = (ms: number) => `${ms.toFixed(1)} ms`;
    return [
      `\n### ${o.total} concurrently RUNNING sleeps — ${new Date().toISOString().slice(0, 16)}Z`,
      `1 coordinator-api, 1 coordinator-leader, ${o.workers} workers (capacity ${o.capacity} each); ${o.total} × \`sleep\` \`{duration_ms: ${o.durationMs}, steps: 1}\` ` +
        `in batches of ${o.batchSize}; probes: another customer's single submits at ${o.probeRate}/s for ${o.probeSeconds} s. Load: ${loads.join(', ')}.`,
      '',
      '| measure | result |',
      '|---|---|',
      `| submitted in | ${submittedSec.toFixed(1)} s (${Math.round(o.total / submittedSec)}/s) |`,
      `| peak RUNNING at once | ${peak}${allRunningSec ? ` (all ${o.total} after ${allRunningSec.toFixed(1)} s)` : ` (not all ${o.total})`} |`,
      `| leader RSS | ${leaderRss.start.toFixed(0)} MiB at start, max ${rssWhileRunning.toFixed(0)} MiB until all ran, max ${leaderRss.max.toFixed(0)} MiB over the whole run |`,
      `| probe submit latency before | p50 ${f(before.p50)}, p95 ${f(before.p95)}, p99 ${f(before.p99)} |`,
      `| probe submit latency while ${peak} RUNNING | p50 ${f(during.p50)}, p95 ${f(during.p95)}, p99 ${f(during.p99)} |`,
      `| all finished after | ${finishedSec.toFixed(0)} s |`,
      `| workloads COMPLETED / total | ${r.completed} / ${r.total} |`,
      `| exactly one \`workload.completed\` audit event | ${r.once} (more than one: ${r.twice}; started more than once: ${r.restarted}) |`,
      '',
    ].join('\n');
  } finally {
    clearTimeout(sampler);
    await app?.stop();
    await database.drop().catch((e: unknown) => log(`dropping ${database.name} failed: ${String(e)}`));
  }
}
