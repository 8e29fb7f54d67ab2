import { settleAndCheck } from './invariants';
import { firstAuditAfter, metrics, waitAllReady, waitApisServing } from './probes';
import type { ChaosContext, ScenarioResult } from './scenario';

/** Sum of every sample of `name` in Prometheus text (0 when absent). */
function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(match[1]);
  return sum;
}

/**
 * PostgreSQL goes down (fast shutdown: every connection cut) for `downMs` under load, then comes
 * back on the same port. Every process must stay up, answer `/ready` 503 while it is down, and
 * reconnect on its own; the API answers 503 (its circuit breaker opens rather than hammering the
 * dead server) and never half-applies a write; work carries on.
 */
export async function postgresRestart(ctx: ChaosContext, downMs: number): Promise<ScenarioResult> {
  const { cluster, load, log } = ctx;
  const before = { ...load.stats };
  const t0 = Date.now();
  await cluster.stopPostgres();
  log(`PostgreSQL stopped for ${downMs} ms`);
  const notReadyAt = await waitAllReady(cluster, 503, downMs + 10_000);
  const left = downMs - (Date.now() - t0);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  const survivors = cluster.all().filter(([, app]) => app.isRunning()).length;
  const breakerRejections = (await Promise.all([...cluster.apis.values()].map(metrics))).reduce(
    (sum, text) => sum + metricSum(text, 'niyanta_api_database_circuit_rejected_total'),
    0,
  );
  const t1 = Date.now();
  await cluster.startPostgres();
  log(`PostgreSQL back after ${t1 - t0} ms`);
  const readyAt = await waitAllReady(cluster, 200, 60_000);
  const servingAt = await waitApisServing(cluster, 60_000);
  const completedAt = await firstAuditAfter(cluster, 'workload.completed', t1, 60_000);
  const invariants = await settleAndCheck(cluster, load);
  return {
    scenario: `PostgreSQL restart (${Math.round((t1 - t0) / 100) / 10} s down)`,
    measures: [
      { name: 'all processes /ready 503', ms: notReadyAt - t0 },
      { name: 'all processes /ready 200 after restart', ms: readyAt - t1 },
      { name: 'every API serving requests again', ms: servingAt - t1 },
      { name: 'completions resumed after restart', ms: completedAt - t1 },
    ],
    facts: {
      'processes still up': `${survivors}/${cluster.all().length}`,
      'API 503 answers during the outage': load.stats.unavailable - before.unavailable,
      'requests refused by the open circuit': breakerRejections,
    },
    invariants,
  };
}

/**
 * nats-server is killed (SIGKILL; its JetStream store survives) for `downMs` under load, then
 * restarted on the same port. Every process must stay up, answer `/ready` 503 while it is down and
 * reconnect (with backoff and jitter); stored assignments are delivered after the restart.
 */
export async function natsRestart(ctx: ChaosContext, downMs: number): Promise<ScenarioResult> {
  const { cluster, load, log } = ctx;
  const t0 = Date.now();
  await cluster.nats.kill('SIGKILL');
  log(`nats-server killed for ${downMs} ms`);
  const notReadyAt = await waitAllReady(cluster, 503, downMs + 15_000);
  const left = downMs - (Date.now() - t0);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  const survivors = cluster.all().filter(([, app]) => app.isRunning()).length;
  const t1 = Date.now();
  await cluster.nats.restart();
  log(`nats-server back after ${t1 - t0} ms`);
  const readyAt = await waitAllReady(cluster, 200, 60_000);
  const startedAt = await firstAuditAfter(cluster, 'workload.started', t1, 60_000);
  const invariants = await settleAndCheck(cluster, load);
  return {
    scenario: `NATS restart (${Math.round((t1 - t0) / 100) / 10} s down)`,
    measures: [
      { name: 'all processes /ready 503', ms: notReadyAt - t0 },
      { name: 'all processes /ready 200 after restart', ms: readyAt - t1 },
      { name: 'workloads starting again after restart', ms: startedAt - t1 },
    ],
    facts: { 'processes still up': `${survivors}/${cluster.all().length}` },
    invariants,
  };
}
