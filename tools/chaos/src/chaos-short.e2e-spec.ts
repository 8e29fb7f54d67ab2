import { finishChaos, processLogs, startChaos } from './chaos-run';
import { natsRestart, postgresRestart } from './dependency-faults';
import { invariantsHold, type InvariantReport } from './invariants';
import { rollingRestartWithFaults } from './message-faults';
import { adminDrain, leaderLoss, workerCrash, workerPause } from './process-faults';
import { resultsTable, type ChaosContext, type ScenarioResult } from './scenario';

/**
 * The fault-injection suite, short version (SPEC §5–§7): its own PostgreSQL and nats-server, two
 * APIs, two leader candidates and three workers as processes under a steady load of `sleep`
 * workloads, short timeouts (WORKER_TIMEOUT 3 s, HEARTBEAT_INTERVAL 500 ms, LEASE_TTL 2 s). One
 * fault at a time; after each, every submitted workload must reach a terminal state, none lost,
 * none committed twice, no attempt assigned twice. The full version with repetitions and default
 * timings: `npx nx run tools-chaos:full`.
 */
describe('fault injection (short)', () => {
  let ctx: ChaosContext;
  const results: ScenarioResult[] = [];

  beforeAll(async () => {
    ctx = await startChaos({ profile: 'short', log: (line) => process.stdout.write(`[chaos] ${line}\n`) });
  }, 180_000);

  afterAll(async () => {
    if (!ctx) return;
    const final = await finishChaos(ctx);
    process.stdout.write(
      `\n${resultsTable(results)}\n\nwhole run: ${JSON.stringify({ checked: final.invariants.checked, ...summary(final.invariants) })}\n` +
        `recoveries: ${JSON.stringify(final.recoveries)}\nload: ${JSON.stringify(ctx.load.stats)}\n`,
    );
    expect(summary(final.invariants)).toMatchObject({ lost: 0, doubleCommitted: 0, duplicateAssignments: 0, failed: 0 });
  }, 180_000);

  /** Runs a scenario, records and prints its result, and checks the invariants (with logs on failure). */
  async function run(scenario: () => Promise<ScenarioResult>): Promise<ScenarioResult> {
    const result = await scenario();
    results.push(result);
    process.stdout.write(`${resultsTable([result])}\nfacts: ${JSON.stringify(result.facts)}\n`);
    if (!invariantsHold(result.invariants)) process.stdout.write(`${JSON.stringify(result.invariants)}\n${processLogs(ctx)}\n`);
    expect(summary(result.invariants)).toEqual({ lost: 0, doubleCommitted: 0, duplicateAssignments: 0, failed: 0 });
    expect(result.invariants.checked).toBeGreaterThan(0);
    return result;
  }

  const ms = (result: ScenarioResult, name: string): number => {
    const measure = result.measures.find((m) => m.name === name);
    if (!measure) throw new Error(`no measure "${name}" in ${result.scenario}`);
    return measure.ms;
  };

  it('leader kill -9: the standby takes the lease within 5 s with a higher generation and resumes scheduling', async () => {
    const result = await run(() => leaderLoss(ctx, 'SIGKILL'));
    expect(ms(result, 'failover (lease taken)')).toBeLessThanOrEqual(5_000);
    expect(ms(result, 'scheduling resumed')).toBeLessThanOrEqual(10_000);
    expect(result.facts['new generation']).toBeGreaterThan(result.facts['old generation'] as number);
    expect(result.facts['is_leader metric']).toBe(1);
    expect(result.facts['generation metric']).toBe(result.facts['new generation']);
  }, 180_000);

  it('worker kill -9: declared DEAD after WORKER_TIMEOUT, its workloads running again elsewhere', async () => {
    const result = await run(() => workerCrash(ctx));
    expect(ms(result, 'failure detected (DEAD)')).toBeLessThanOrEqual(ctx.workerTimeoutMs + 2_000);
    expect(ms(result, 'workloads running again')).toBeLessThanOrEqual(ctx.workerTimeoutMs + 8_000);
  }, 180_000);

  it('worker SIGSTOP until DEAD, then SIGCONT: its stale writes are refused and it rejoins', async () => {
    const result = await run(() => workerPause(ctx));
    expect(ms(result, 'failure detected (DEAD)')).toBeLessThanOrEqual(ctx.workerTimeoutMs + 2_000);
    expect(result.facts['stale writes accepted']).toBe(0);
    expect(result.facts['stale executions aborted (log)']).toBe(true);
  }, 180_000);

  it('admin drain: 202, nothing new placed, running work handed back, the process stays up', async () => {
    const result = await run(() => adminDrain(ctx));
    expect(result.facts).toMatchObject({
      'drain answer': 202,
      'placed on it after the drain': 0,
      'process still up after drain': true,
      '/health after drain': 200,
      '/ready after drain': 503,
      'exit after SIGTERM': '0',
    });
    expect(ms(result, 'drained (STOPPED, nothing running)')).toBeLessThanOrEqual(ctx.drainTimeoutMs);
  }, 180_000);

  it('PostgreSQL restart: every process stays up, is not ready meanwhile, reconnects and carries on', async () => {
    const result = await run(() => postgresRestart(ctx, 3_000));
    expect(result.facts['processes still up']).toBe(`${ctx.cluster.all().length}/${ctx.cluster.all().length}`);
    expect(result.facts['API 503 answers during the outage']).toBeGreaterThan(0);
    expect(result.facts['requests refused by the open circuit']).toBeGreaterThan(0);
    expect(ms(result, 'all processes /ready 200 after restart')).toBeLessThanOrEqual(15_000);
    // The API's circuit breaker closes by itself within one probe period (≤ 2 s + jitter).
    expect(ms(result, 'every API serving requests again')).toBeLessThanOrEqual(10_000);
  }, 180_000);

  it('NATS restart: every process stays up, is not ready meanwhile, reconnects and carries on', async () => {
    const result = await run(() => natsRestart(ctx, 3_000));
    expect(result.facts['processes still up']).toBe(`${ctx.cluster.all().length}/${ctx.cluster.all().length}`);
    expect(ms(result, 'all processes /ready 200 after restart')).toBeLessThanOrEqual(15_000);
  }, 180_000);

  it('rolling SIGTERM restart into dropped and duplicated messages: graceful stops, then nothing lost or doubled', async () => {
    const result = await run(() => rollingRestartWithFaults(ctx, 'drop:0.05,dup:0.05', 15_000));
    for (const [fact, value] of Object.entries(result.facts)) {
      if (fact.endsWith('in-flight batch answer / rows')) expect({ fact, value }).toEqual({ fact, value: '201 / 1000' });
      if (fact.endsWith('SIGTERM while the batch was in flight')) expect({ fact, value }).toEqual({ fact, value: true });
      if (fact.endsWith('exit, then connections refused')) expect({ fact, value }).toEqual({ fact, value: '0, true' });
      if (fact.endsWith('exit')) expect({ fact, value }).toEqual({ fact, value: '0' });
    }
    expect(ms(result, 'leader handover on SIGTERM')).toBeLessThanOrEqual(2_000);
    expect(ms(result, 'slowest worker exit after SIGTERM')).toBeLessThanOrEqual(ctx.drainTimeoutMs + 3_000);
    expect(result.facts['processes injecting faults']).toBe(`${ctx.cluster.all().length}/${ctx.cluster.all().length}`);
  }, 240_000);
});

function summary(report: InvariantReport): { lost: number; doubleCommitted: number; duplicateAssignments: number; failed: number } {
  return {
    lost: report.lost.length,
    doubleCommitted: report.doubleCommitted.length,
    duplicateAssignments: report.duplicateAssignments.length,
    failed: report.failed.length,
  };
}
