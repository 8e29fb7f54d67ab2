/**
 * The fault-injection suite, full version (`npx nx run tools-chaos:full`):
 *
 *   node -r @swc-node/register tools/chaos/src/chaos-full.ts [--rounds 3] [--soak 60s] [--skip-short] [--skip-default]
 *     [--only leader-kill,leader-term,worker-kill,worker-pause,admin-drain,postgres,nats,faults]
 *
 * 1. short timings (WORKER_TIMEOUT 3 s, HEARTBEAT_INTERVAL 500 ms, LEASE_TTL 2 s): every fault of the
 *    short suite `rounds` times, PostgreSQL and NATS outages of 3 s and 10 s, a longer soak under
 *    dropped and duplicated messages;
 * 2. the product's default timings (WORKER_TIMEOUT 15 s, HEARTBEAT_INTERVAL 5 s, LEASE_TTL 5 s),
 *    measured against SPEC §7: leader failover ≤ 5 s, detection ≤ 15 s, resume ≤ 20 s.
 *
 * Prints a Markdown table per profile and writes everything as JSON to tmp/chaos/.
 * Exits 1 when any invariant (none lost, none committed twice, no attempt assigned twice) broke.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from '@niyanta/config';
import { workspaceRoot } from '@niyanta/testing';
import { finishChaos, processLogs, startChaos, type ChaosSummary } from './chaos-run';
import { natsRestart, postgresRestart } from './dependency-faults';
import { invariantsHold } from './invariants';
import { rollingRestartWithFaults } from './message-faults';
import { adminDrain, leaderLoss, workerCrash, workerPause } from './process-faults';
import { resultsTable, type ChaosContext, type Scenario, type ScenarioResult } from './scenario';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    soak: { type: 'string', default: '60s' },
    'skip-default': { type: 'boolean', default: false },
    'skip-short': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
/** `--only leader-kill,worker-kill`: run just these scenario kinds (every kind when absent). */
const only = args.only === undefined ? null : new Set(args.only.split(',').map((kind) => kind.trim()));
const rounds = Number(args.rounds);
const soakMs = parseDuration(args.soak);

interface ProfileRun {
  profile: 'short' | 'default';
  results: ScenarioResult[];
  summary: ChaosSummary;
  load: ChaosContext['load']['stats'];
  failure?: string;
}

/** Scenario kinds, for `--only`. */
type Kind = 'leader-kill' | 'leader-term' | 'worker-kill' | 'worker-pause' | 'admin-drain' | 'postgres' | 'nats' | 'faults';

function times(n: number, kind: Kind, scenario: Scenario): Scenario[] {
  return only === null || only.has(kind) ? Array.from({ length: n }, () => scenario) : [];
}

async function runProfile(profile: 'short' | 'default', scenarios: Scenario[]): Promise<ProfileRun> {
  const ctx = await startChaos({ profile });
  const results: ScenarioResult[] = [];
  let failure: string | undefined;
  try {
    for (const scenario of scenarios) {
      const result = await scenario(ctx);
      results.push(result);
      process.stdout.write(`${resultsTable([result])}\nfacts: ${JSON.stringify(result.facts)}\n`);
      if (!invariantsHold(result.invariants)) process.stdout.write(`INVARIANTS BROKEN: ${JSON.stringify(result.invariants)}\n`);
    }
  } catch (error: unknown) {
    // A scenario that could not finish still leaves the run's results and final check worth having.
    failure = error instanceof Error ? error.message : String(error);
    const logs = join(workspaceRoot(), 'tmp', 'chaos', `failure-${profile}-${Date.now()}.log`);
    mkdirSync(dirname(logs), { recursive: true });
    writeFileSync(logs, processLogs(ctx, 200_000));
    process.stdout.write(`SCENARIO FAILED: ${failure} (process logs in ${logs})\n`);
  }
  const load = { ...ctx.load.stats };
  const summary = await finishChaos(ctx);
  return { profile, results, summary, load, failure };
}

async function main(): Promise<void> {
  const runs: ProfileRun[] = [];
  if (!args['skip-short']) {
    runs.push(
      await runProfile('short', [
        ...times(rounds, 'leader-kill', (ctx) => leaderLoss(ctx, 'SIGKILL')),
        ...times(rounds, 'leader-term', (ctx) => leaderLoss(ctx, 'SIGTERM')),
        ...times(rounds, 'worker-kill', workerCrash),
        ...times(rounds, 'worker-pause', workerPause),
        ...times(1, 'admin-drain', adminDrain),
        ...times(1, 'postgres', (ctx) => postgresRestart(ctx, 3_000)),
        ...times(1, 'postgres', (ctx) => postgresRestart(ctx, 10_000)),
        ...times(1, 'nats', (ctx) => natsRestart(ctx, 3_000)),
        ...times(1, 'nats', (ctx) => natsRestart(ctx, 10_000)),
        ...times(1, 'faults', (ctx) => rollingRestartWithFaults(ctx, 'drop:0.05,dup:0.05', soakMs)),
      ]),
    );
  }
  if (!args['skip-default']) {
    runs.push(
      await runProfile('default', [
        ...times(rounds, 'leader-kill', (ctx) => leaderLoss(ctx, 'SIGKILL')),
        ...times(1, 'leader-term', (ctx) => leaderLoss(ctx, 'SIGTERM')),
        ...times(rounds, 'worker-kill', workerCrash),
        ...times(1, 'worker-pause', workerPause),
        ...times(1, 'postgres', (ctx) => postgresRestart(ctx, 5_000)),
        ...times(1, 'nats', (ctx) => natsRestart(ctx, 5_000)),
      ]),
    );
  }

  const dir = join(workspaceRoot(), 'tmp', 'chaos');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `chaos-full-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(runs, null, 2));
  let broken = false;
  for (const run of runs) {
    const { invariants, recoveries } = run.summary;
    broken ||= run.failure !== undefined || !invariantsHold(invariants) || run.results.some((result) => !invariantsHold(result.invariants));
    process.stdout.write(
      `\n## ${run.profile} timings\n\n${resultsTable(run.results)}\n\n` +
        `whole run: ${invariants.checked} workloads checked, ${invariants.lost.length} lost, ` +
        `${invariants.doubleCommitted.length} committed twice, ${invariants.duplicateAssignments.length} attempts assigned twice\n` +
        `recoveries: ${JSON.stringify(recoveries)}\nload: ${JSON.stringify(run.load)}\n`,
    );
  }
  process.stdout.write(`\nresults written to ${file}\n`);
  process.exit(broken ? 1 : 0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
