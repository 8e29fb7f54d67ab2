import { settleAndCheck } from './invariants';
import { activeLeader, busiestWorker, firstAuditAfter, metrics, metricValue, ready, waitFor, waitResumed } from './probes';
import { SPEC_TARGET_MS, type ChaosContext, type ScenarioResult } from './scenario';

/**
 * The active leader dies (`SIGKILL`, no chance to release the lease) or resigns (`SIGTERM`). The
 * standby must take the lease (failover), rebuild its view and place work again (resume), with a
 * higher generation visible in `/ready` and `/metrics`, and no workload attempt assigned twice.
 */
export async function leaderLoss(ctx: ChaosContext, signal: 'SIGKILL' | 'SIGTERM'): Promise<ScenarioResult> {
  const { cluster, log } = ctx;
  const active = await activeLeader(cluster);
  const standby = [...cluster.leaders].find(([name]) => name !== active.name);
  if (!standby) throw new Error('no standby leader');
  const [standbyName, standbyApp] = standby;

  const t0 = Date.now();
  active.app.kill(signal);
  log(`${signal} to the active leader ${active.name} (generation ${active.generation})`);
  const taken = await waitFor(
    `${standbyName} to take office`,
    async () => {
      const leader = (await ready(standbyApp)).body?.details?.leader;
      return leader?.is_leader ? leader : undefined;
    },
    30_000,
    25,
  );
  const failoverMs = Date.now() - t0;
  const resumedAt = await firstAuditAfter(cluster, 'workload.scheduled', t0, 30_000, standbyName);
  const text = await metrics(standbyApp);
  const exit = await active.app.waitForExit();
  cluster.remove('leader', active.name);
  await cluster.spawn('leader');
  const invariants = await settleAndCheck(cluster, ctx.load);
  return {
    scenario: signal === 'SIGKILL' ? 'leader kill -9' : 'leader SIGTERM',
    measures: [
      { name: 'failover (lease taken)', ms: failoverMs, targetMs: SPEC_TARGET_MS.failover },
      { name: 'scheduling resumed', ms: resumedAt - t0 },
    ],
    facts: {
      'old generation': active.generation,
      'new generation': taken.generation ?? -1,
      'is_leader metric': metricValue(text, 'niyanta_leader_is_leader') ?? -1,
      'generation metric': metricValue(text, 'niyanta_leader_generation') ?? -1,
      'old leader exit': `${exit.code ?? exit.signal}`,
    },
    invariants,
  };
}

/**
 * A worker dies (`SIGKILL`) while running workloads. The leader must declare it DEAD after
 * WORKER_TIMEOUT (detection) and its workloads must run again elsewhere from their checkpoints
 * (resume). A fresh worker replaces it.
 */
export async function workerCrash(ctx: ChaosContext): Promise<ScenarioResult> {
  const { cluster, log } = ctx;
  const victim = await busiestWorker(cluster, 2);
  const t0 = Date.now();
  victim.app.kill('SIGKILL');
  log(`SIGKILL to ${victim.name} running ${victim.running.length} workload(s)`);
  const detectedAt = await waitDead(ctx, victim.name);
  const resumedAt = await waitResumed(cluster, victim.running, ctx.workerTimeoutMs + 30_000);
  await victim.app.waitForExit();
  cluster.remove('worker', victim.name);
  await cluster.spawn('worker');
  const invariants = await settleAndCheck(cluster, ctx.load);
  return {
    scenario: 'worker kill -9',
    measures: [
      { name: 'failure detected (DEAD)', ms: detectedAt - t0, targetMs: ctx.profile === 'default' ? SPEC_TARGET_MS.detection : undefined },
      { name: 'workloads running again', ms: resumedAt - t0, targetMs: ctx.profile === 'default' ? SPEC_TARGET_MS.resume : undefined },
    ],
    facts: { 'workloads on the lost worker': victim.running.length },
    invariants,
  };
}

/**
 * A worker freezes (`SIGSTOP`) until the fleet declares it DEAD and runs its workloads elsewhere,
 * then thaws (`SIGCONT`) with stale attempts in memory. Its writes must be refused (attempt
 * fencing), its executions aborted, and it must register again and take work.
 */
export async function workerPause(ctx: ChaosContext): Promise<ScenarioResult> {
  const { cluster, log } = ctx;
  const victim = await busiestWorker(cluster, 2);
  const t0 = Date.now();
  victim.app.kill('SIGSTOP');
  log(`SIGSTOP to ${victim.name} running ${victim.running.length} workload(s)`);
  const detectedAt = await waitDead(ctx, victim.name);
  const resumedAt = await waitResumed(cluster, victim.running, ctx.workerTimeoutMs + 30_000);
  victim.app.kill('SIGCONT');
  const thawedAt = Date.now();
  log(`SIGCONT to ${victim.name}`);
  const rejoinedAt = await waitFor(
    `${victim.name} to register again`,
    async () => {
      const rows = await cluster.query<{ status: string; registered_at: Date }>(`SELECT status, registered_at FROM workers WHERE id = $1`, [victim.name]);
      const row = rows[0];
      return row && row.status === 'ACTIVE' && new Date(row.registered_at).getTime() > t0 ? Date.now() : undefined;
    },
    30_000,
  );
  const staleCommits = await cluster.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_events
      WHERE action IN ('workload.completed', 'workload.retry_scheduled', 'workload.failed', 'workload.requeued')
        AND actor_id = $1 AND occurred_at > to_timestamp($2::float8 / 1000)
        AND (workload_id, (before->>'attempt')::int) IN (SELECT * FROM unnest($3::uuid[], $4::int[]))`,
    [victim.name, t0, victim.running.map((r) => r.id), victim.running.map((r) => r.attempt)],
  );
  const aborted = victim.app.logs().includes('marked DEAD');
  const invariants = await settleAndCheck(cluster, ctx.load);
  return {
    scenario: 'worker SIGSTOP → DEAD → SIGCONT',
    measures: [
      { name: 'failure detected (DEAD)', ms: detectedAt - t0, targetMs: ctx.profile === 'default' ? SPEC_TARGET_MS.detection : undefined },
      { name: 'workloads running again', ms: resumedAt - t0, targetMs: ctx.profile === 'default' ? SPEC_TARGET_MS.resume : undefined },
      { name: 'thawed worker registered again', ms: rejoinedAt - thawedAt },
    ],
    facts: {
      'workloads on the frozen worker': victim.running.length,
      'stale writes accepted': staleCommits[0]?.n ?? -1,
      'stale executions aborted (log)': aborted,
    },
    invariants,
  };
}

/**
 * An operator drains a worker through the admin API: 202, no new work placed on it, its running
 * workloads checkpointed and handed back, the process still up (not ready). It is then stopped
 * with SIGTERM and replaced.
 */
export async function adminDrain(ctx: ChaosContext): Promise<ScenarioResult> {
  const { cluster, log } = ctx;
  const victim = await busiestWorker(cluster, 1);
  const api = cluster.apiUrls()[0];
  const t0 = Date.now();
  const res = await fetch(`${api}/v1/admin/workers/${victim.name}/drain`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cluster.adminKey}` },
  });
  log(`admin drain of ${victim.name}: ${res.status}`);
  const drainedAt = await waitFor(
    `${victim.name} to finish draining`,
    async () => {
      const rows = await cluster.query<{ status: string; running_count: number }>(`SELECT status, running_count FROM workers WHERE id = $1`, [victim.name]);
      return rows[0]?.status === 'STOPPED' && rows[0].running_count === 0 ? Date.now() : undefined;
    },
    ctx.drainTimeoutMs + 10_000,
  );
  const resumedAt = await waitResumed(cluster, victim.running, 30_000);
  // Long enough for any placement the scheduler might still make on it to show up.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const placedAfter = await cluster.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_events
      WHERE action = 'workload.scheduled' AND after->>'worker_id' = $1 AND occurred_at > to_timestamp($2::float8 / 1000)`,
    [victim.name, t0 + 200],
  );
  const stillUp = victim.app.isRunning();
  const health = (await fetch(`${victim.app.url}/health`).catch(() => null))?.status ?? 0;
  const readiness = (await ready(victim.app)).status;
  const exit = await victim.app.stop();
  cluster.remove('worker', victim.name);
  await cluster.spawn('worker');
  const invariants = await settleAndCheck(cluster, ctx.load);
  return {
    scenario: 'admin drain',
    measures: [
      { name: 'drained (STOPPED, nothing running)', ms: drainedAt - t0, targetMs: ctx.drainTimeoutMs },
      { name: 'handed-back workloads running again', ms: resumedAt - t0 },
    ],
    facts: {
      'drain answer': res.status,
      'workloads handed back': victim.running.length,
      'placed on it after the drain': placedAfter[0]?.n ?? -1,
      'process still up after drain': stillUp,
      '/health after drain': health,
      '/ready after drain': readiness,
      'exit after SIGTERM': `${exit.code ?? exit.signal}`,
    },
    invariants,
  };
}

async function waitDead(ctx: ChaosContext, workerId: string): Promise<number> {
  return waitFor(
    `${workerId} to be declared DEAD`,
    async () => {
      const rows = await ctx.cluster.query<{ status: string }>(`SELECT status FROM workers WHERE id = $1`, [workerId]);
      return rows[0]?.status === 'DEAD' ? Date.now() : undefined;
    },
    ctx.workerTimeoutMs + 30_000,
    25,
  );
}
