import { settleAndCheck } from './invariants';
import { activeLeader, ready, waitFor } from './probes';
import type { ChaosContext, ScenarioResult } from './scenario';

/**
 * Every process is replaced, one at a time with SIGTERM, by one that loses and duplicates broker
 * messages (`BROKER_FAULTS`), then the load runs on the faulty cluster for `soakMs`. Along the way:
 * an API finishes the request in flight when it gets SIGTERM and refuses new connections; the
 * standby leader takes over near-immediately when the active one resigns; each worker drains
 * (checkpoints, hands back) and exits within DRAIN_TIMEOUT.
 */
export async function rollingRestartWithFaults(ctx: ChaosContext, faults: string, soakMs: number): Promise<ScenarioResult> {
  const { cluster, load, log } = ctx;
  cluster.brokerFaults = faults;
  const facts: ScenarioResult['facts'] = { 'broker faults': faults };
  const measures: ScenarioResult['measures'] = [];

  // APIs: a replacement first, then SIGTERM to the old one with a batch submission in flight.
  for (const name of [...cluster.apis.keys()]) {
    await cluster.spawn('api');
    const old = cluster.remove('api', name);
    const label = `inflight-${name}`;
    const items = Array.from({ length: 1_000 }, () => ({ workload_type: 'sleep', input: { duration_ms: 1, steps: 1 }, labels: { batch: label } }));
    let answeredAt = 0;
    const request = fetch(`${old.url}/v1/workloads/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cluster.customerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items }),
    }).then(
      (res) => {
        answeredAt = Date.now();
        return res.status;
      },
      () => 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 15));
    const signalledAt = Date.now();
    old.kill('SIGTERM');
    const status = await request;
    const exit = await old.waitForExit();
    const refused = await fetch(`${old.url}/health`).then(
      () => false,
      () => true,
    );
    const rows = await cluster.query<{ n: number }>(`SELECT count(*)::int AS n FROM workloads WHERE labels->>'batch' = $1`, [label]);
    facts[`${name}: in-flight batch answer / rows`] = `${status} / ${rows[0]?.n ?? -1}`;
    facts[`${name}: SIGTERM while the batch was in flight`] = answeredAt > signalledAt;
    facts[`${name}: exit, then connections refused`] = `${exit.code ?? exit.signal}, ${refused}`;
  }

  // Leaders: the standby first (nothing changes), then the active one (graceful handover).
  const leaderNames = [...cluster.leaders.keys()];
  const active = await activeLeader(cluster);
  for (const name of [...leaderNames.filter((n) => n !== active.name), active.name]) {
    if (name === active.name) {
      const t0 = Date.now();
      active.app.kill('SIGTERM');
      await waitFor(
        'a replacement leader to take office',
        async () => {
          for (const [other, app] of cluster.leaders) {
            if (other !== name && (await ready(app)).body?.details?.leader?.is_leader) return true;
          }
          return undefined;
        },
        30_000,
        25,
      );
      measures.push({ name: 'leader handover on SIGTERM', ms: Date.now() - t0 });
      const exit = await active.app.waitForExit();
      facts['resigned leader exit'] = `${exit.code ?? exit.signal}`;
      cluster.remove('leader', name);
      await cluster.spawn('leader');
    } else {
      const exit = await cluster.remove('leader', name).stop();
      facts[`standby ${name} exit`] = `${exit.code ?? exit.signal}`;
      await cluster.spawn('leader');
    }
  }

  // Workers: a replacement first (capacity stays), then SIGTERM: drain, hand back, exit.
  let slowestExit = 0;
  let handedBack = 0;
  for (const name of [...cluster.workers.keys()]) {
    await cluster.spawn('worker');
    const old = cluster.remove('worker', name);
    const t0 = Date.now();
    old.kill('SIGTERM');
    const exit = await old.waitForExit();
    slowestExit = Math.max(slowestExit, Date.now() - t0);
    const rows = await cluster.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events
        WHERE action = 'workload.requeued' AND actor_id = $1 AND occurred_at > to_timestamp($2::float8 / 1000)`,
      [name, t0],
    );
    handedBack += rows[0]?.n ?? 0;
    facts[`${name} exit`] = `${exit.code ?? exit.signal}`;
  }
  measures.push({ name: 'slowest worker exit after SIGTERM', ms: slowestExit, targetMs: ctx.drainTimeoutMs });
  facts['workloads handed back by draining workers'] = handedBack;
  log(`every process replaced; soaking under faults for ${soakMs} ms`);
  await new Promise((resolve) => setTimeout(resolve, soakMs));
  const faulty = cluster.all().filter(([, app]) => app.logs().includes('injecting broker faults')).length;
  facts['processes injecting faults'] = `${faulty}/${cluster.all().length}`;
  const invariants = await settleAndCheck(cluster, load);
  return { scenario: 'rolling SIGTERM restart, then dropped/duplicated messages', measures, facts, invariants };
}
