import { parseDuration } from '@niyanta/config';
import { ChaosCluster, DEFAULT_TIMINGS, SHORT_TIMINGS } from './cluster';
import { settleAndCheck, type InvariantReport } from './invariants';
import { LoadGenerator } from './load';
import { waitFor } from './probes';
import type { ChaosContext } from './scenario';

/** Options of {@link startChaos}. */
export interface ChaosRunOptions {
  profile: 'short' | 'default';
  /** Submissions per second. @default 8 */
  ratePerSecond?: number;
  log?: (line: string) => void;
}

/**
 * Starts a private cluster (2 APIs, 2 leader candidates, 3 workers) with the profile's timings and
 * a steady load of `sleep` workloads, and waits until work completes end to end.
 */
export async function startChaos(options: ChaosRunOptions): Promise<ChaosContext> {
  const log = options.log ?? ((line: string) => process.stdout.write(`[chaos] ${line}\n`));
  const timings = options.profile === 'short' ? SHORT_TIMINGS : DEFAULT_TIMINGS;
  const started = Date.now();
  const cluster = await ChaosCluster.start({ timings, log });
  log(`cluster up in ${Date.now() - started} ms (PostgreSQL ${cluster.databaseUrl.replace(/:[^:@/]+@/, ':***@')}, NATS ${cluster.nats.url})`);
  const load = new LoadGenerator({ apis: () => cluster.apiUrls(), key: cluster.customerKey, ratePerSecond: options.ratePerSecond ?? 8 });
  load.start();
  await waitFor(
    'the first workloads to complete',
    async () => {
      const rows = await cluster.query<{ n: number }>(`SELECT count(*)::int AS n FROM workloads WHERE status = 'COMPLETED'`);
      return (rows[0]?.n ?? 0) >= 5 ? true : undefined;
    },
    60_000,
    200,
  );
  return {
    cluster,
    load,
    log,
    profile: options.profile,
    workerTimeoutMs: parseDuration(timings['WORKER_TIMEOUT'] ?? '15s'),
    drainTimeoutMs: parseDuration(timings['DRAIN_TIMEOUT'] ?? '30s'),
  };
}

/** What a whole run did, checked at its end. */
export interface ChaosSummary {
  invariants: InvariantReport;
  /** Workloads taken back from their worker, by who and why (`actor/reason` → count), from the audit trail. */
  recoveries: Record<string, number>;
}

/** Stops the load, checks every submission of the run, and tears the cluster down. */
export async function finishChaos(ctx: ChaosContext): Promise<ChaosSummary> {
  try {
    await ctx.load.stop();
    const invariants = await settleAndCheck(ctx.cluster, ctx.load, 120_000);
    const rows = await ctx.cluster.query<{ actor_type: string; reason: string | null; n: number }>(
      `SELECT actor_type, details->>'reason' AS reason, count(*)::int AS n
         FROM audit_events WHERE action = 'workload.requeued' GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    const recoveries = Object.fromEntries(rows.map((row) => [`${row.actor_type}/${row.reason ?? 'none'}`, row.n]));
    return { invariants, recoveries };
  } finally {
    await ctx.cluster.stop();
  }
}

/** The tail of every process's output, for a failure report. */
export function processLogs(ctx: ChaosContext, chars = 3_000): string {
  return ctx.cluster
    .all()
    .map(([name, app]) => `--- ${name} ---\n${app.logs().slice(-chars)}`)
    .join('\n');
}
