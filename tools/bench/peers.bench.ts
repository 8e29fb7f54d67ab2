/**
 * Niyanta side by side with the job-queue peers, and its per-workload budget. Run on demand (not
 * part of the test suite); see tools/bench/README.md.
 *
 *   node -r @swc-node/register tools/bench/peers.bench.ts [--total 20000] [--seconds 10] [--rate 200]
 *     [--systems niyanta,pg-boss,bullmq] [--standalone] [--write]
 *   node -r @swc-node/register tools/bench/peers.bench.ts --budget [--total 2000] [--batch] [--write]
 *   node -r @swc-node/register tools/bench/peers.bench.ts --running [--total 10000] [--workers 10]
 *     [--duration-ms 120000] [--write]
 *
 * Side by side: the peers' own scenario (no-op work, a worker of concurrency 50, a producer with
 * 16 single calls or one batch of 500 in flight) against Niyanta (1 coordinator-api,
 * 1 coordinator-leader, 1 worker of capacity 50, as processes, on PostgreSQL and NATS), pg-boss
 * (on the same PostgreSQL, a schema of its own) and BullMQ (on a private redis-server), one after
 * the other in one run, with the load average around every phase. pg-boss and BullMQ are
 * dependencies of tools/bench/package.json only, installed here on first use.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, spawnApp, testDatabaseUrl, type SpawnedApp } from '@niyanta/testing';
import { summarize } from './stats';
import { runBudget } from './peers/budget';
import { createBenchDatabase, loadAverage, machineLine, startRedis, type BenchDatabase, type PrivateServer } from './peers/host';
import { runRunning } from './peers/running';
import { runScenario, type ScenarioResult } from './peers/scenario';
import { ADMIN_KEY, BullMq, issueEnterpriseKey, Niyanta, nowMs, PgBoss, resent, send, type QueueSystem } from './peers/systems';

const { values: args } = parseArgs({
  options: {
    total: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    'in-flight': { type: 'string', default: '16' },
    'batch-size': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '50' },
    'pgboss-notify': { type: 'boolean', default: false },
    systems: { type: 'string', default: 'niyanta,pg-boss,bullmq' },
    standalone: { type: 'boolean', default: false },
    'standalone-total': { type: 'string', default: '1000' },
    'standalone-in-flight': { type: 'string', default: '32' },
    budget: { type: 'boolean', default: false },
    batch: { type: 'boolean', default: false },
    'idle-seconds': { type: 'string', default: '12' },
    running: { type: 'boolean', default: false },
    workers: { type: 'string', default: '10' },
    'duration-ms': { type: 'string', default: '120000' },
    'probe-rate': { type: 'string', default: '20' },
    'timeout-seconds': { type: 'string', default: '900' },
    write: { type: 'boolean', default: false },
  },
});

const BENCH_DIR = __dirname;
const serverUrl = testDatabaseUrl();
const natsUrl = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

function output(markdown: string): void {
  console.log(markdown);
  if (args.write) appendFileSync(resolve(BENCH_DIR, '..', '..', 'docs', 'benchmarks.md'), markdown);
}

/** The peers are the benchmark's own dependencies (tools/bench/package.json), installed on first use. */
function ensurePeersInstalled(): void {
  if (existsSync(join(BENCH_DIR, 'node_modules', 'pg-boss')) && existsSync(join(BENCH_DIR, 'node_modules', 'bullmq'))) return;
  log('installing pg-boss and BullMQ into tools/bench/node_modules (npm ci --prefix tools/bench)');
  execFileSync('npm', ['ci', '--prefix', BENCH_DIR, '--no-audit', '--no-fund'], { stdio: 'inherit' });
}

const ms = (v: number) => (v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`);
const rate = (v: number) => `${Math.round(v).toLocaleString('en-US')}/s`;

/** Niyanta's figure over the peer's: above 1 is Niyanta ahead for throughput, behind for latency. */
const ratio = (niyanta: number | undefined, peer: number | undefined) =>
  niyanta === undefined || peer === undefined || peer === 0
    ? '—'
    : `${(niyanta / peer).toFixed(niyanta / peer >= 10 ? 0 : niyanta / peer < 0.1 ? 3 : 2)}×`;

function sideBySideTable(results: ScenarioResult[], o: { total: number; inFlight: number; batchSize: number; rate: number; seconds: number }): string {
  const niyanta = results.find((r) => r.system === 'Niyanta');
  const peers = results.filter((r) => r !== niyanta);
  const header = `| measure | ${results.map((r) => r.system).join(' | ')} |${peers.map((p) => ` Niyanta ÷ ${p.system} |`).join('')}`;
  const rows: Array<[string, (r: ScenarioResult) => number, (v: number) => string]> = [
    [`single submit calls (${o.inFlight} in flight) → all completed`, (r) => r.singlePerSec, rate],
    [`batch submit calls (${o.batchSize}, one in flight) → all completed`, (r) => r.batchPerSec, rate],
    ['enqueue alone, batches (worker running)', (r) => r.enqueuePerSec, rate],
    [`enqueue → start at ${o.rate}/s offered, p50`, (r) => r.toStart.p50, ms],
    ['enqueue → start, p95', (r) => r.toStart.p95, ms],
    ['enqueue → start, p99', (r) => r.toStart.p99, ms],
    [`enqueue call (submit) latency at ${o.rate}/s, p50`, (r) => r.ack.p50, ms],
    ['enqueue call (submit) latency, p95', (r) => r.ack.p95, ms],
  ];
  return [
    header,
    `|---|${results.map(() => '---|').join('')}${peers.map(() => '---|').join('')}`,
    ...rows.map(
      ([label, pick, format]) =>
        `| ${label} | ${results.map((r) => format(pick(r))).join(' | ')} |${peers.map((p) => ` ${ratio(niyanta && pick(niyanta), pick(p))} |`).join('')}`,
    ),
  ].join('\n');
}

async function standalone(total: number, inFlight: number): Promise<string> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'niyanta-standalone-bench-'));
  // As root, embedded PostgreSQL runs as the postgres user, which must be able to enter the directory.
  chmodSync(dataDir, 0o755);
  const before = loadAverage();
  let app: SpawnedApp | undefined;
  try {
    app = await spawnApp(
      'standalone',
      { DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(await freePort()), DATABASE_URL: undefined, NATS_URL: undefined, NIYANTA_ADMIN_API_KEY: ADMIN_KEY },
      { viaNpmStart: true, timeoutMs: 120_000 },
    );
    // An enterprise customer, as for the cluster: the seeded development customer's tier (standard,
    // 100 requests/s) would throttle the run.
    const url = app.url;
    const key = await issueEnterpriseKey(url);
    const body = JSON.stringify({ workload_type: 'sleep', input: { duration_ms: 0, steps: 1 } });
    const submit = async () => {
      const res = await send(`${url}/v1/workloads`, key, body);
      if (res.status !== 201) throw new Error(`standalone submit failed: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    await Promise.all(Array.from({ length: 50 }, submit)); // warm-up
    const latencies: number[] = [];
    let next = 0;
    const t0 = nowMs();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < total) {
          next++;
          const at = nowMs();
          await submit();
          latencies.push(nowMs() - at);
        }
      }),
    );
    const elapsed = nowMs() - t0;
    const s = summarize(latencies);
    return (
      `| standalone (\`npm start\`, embedded PostgreSQL, in-process broker, an enterprise customer): ${total} submissions, ${inFlight} in flight | ` +
      `p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}; ${rate((total * 1000) / elapsed)}; load ${before} → ${loadAverage()} |`
    );
  } finally {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function sideBySide(): Promise<void> {
  const o = {
    total: Number(args.total ?? '20000'),
    inFlight: Number(args['in-flight']),
    batchSize: Number(args['batch-size']),
    rate: Number(args.rate),
    seconds: Number(args.seconds),
    warmup: 200,
  };
  const concurrency = Number(args.concurrency);
  const wanted = new Set(args.systems.split(',').map((s) => s.trim()));
  if (wanted.has('pg-boss') || wanted.has('bullmq')) ensurePeersInstalled();
  const results: ScenarioResult[] = [];
  const started = new Date();
  const loadAtStart = loadAverage();

  const run = async (start: () => Promise<QueueSystem>, cleanup: () => Promise<void> = async () => undefined) => {
    let system: QueueSystem | undefined;
    try {
      system = await start();
      const result = await runScenario(system, o, log);
      log(JSON.stringify(result));
      results.push(result);
    } finally {
      await system?.stop();
      await cleanup();
    }
  };

  if (wanted.has('niyanta')) {
    const database: BenchDatabase = await createBenchDatabase(serverUrl);
    await run(
      () =>
        Niyanta.start({
          databaseUrl: database.url,
          schema: 'niyanta',
          natsUrl,
          brokerPrefix: `bench_peers_${process.pid}`,
          workers: 1,
          capacity: concurrency,
        }),
      () => database.drop(),
    );
  }
  if (wanted.has('pg-boss')) {
    const database = await createBenchDatabase(serverUrl);
    await run(() => PgBoss.start(database.url, 'pgboss', concurrency, args['pgboss-notify']), () => database.drop());
  }
  if (wanted.has('bullmq')) {
    let redis: PrivateServer | undefined;
    await run(
      async () => {
        redis = await startRedis();
        return BullMq.start(redis.url, concurrency);
      },
      async () => redis?.stop(),
    );
  }
  const standaloneRow = args.standalone
    ? await standalone(Number(args['standalone-total']), Number(args['standalone-in-flight'])).catch(
        (error: unknown) => `| standalone | failed: ${String(error).split('\n')[0]} |`,
      )
    : undefined;

  output(
    [
      `\n### Side by side — ${started.toISOString().slice(0, 16)}Z`,
      `Machine: ${machineLine()}; load average ${loadAtStart} at the start (1 / 5 / 15 min). Each system in turn on the same machine: ` +
        `no-op jobs, a worker of concurrency ${concurrency}, ${o.total.toLocaleString('en-US')} jobs per throughput phase. Niyanta: 1 coordinator-api, ` +
        `1 coordinator-leader, 1 worker of capacity ${concurrency} on PostgreSQL and NATS JetStream, \`sleep\` \`{duration_ms: 0, steps: 1}\`; ` +
        `pg-boss on the same PostgreSQL (batches of up to ${concurrency} jobs fetched and run at once, polling every 0.5 s, LISTEN/NOTIFY ${args['pgboss-notify'] ? 'on' : 'off'}); BullMQ on a private redis-server.`,
      '',
      sideBySideTable(results, o),
      '',
      '| system | phase | load before | load after |',
      '|---|---|---|---|',
      ...results.flatMap((r) => r.loads.map((l) => `| ${r.system} | ${l.phase} | ${l.before} | ${l.after} |`)),
      ...(standaloneRow ? ['', '| measure | result |', '|---|---|', standaloneRow] : []),
      ...(resent.count > 0 ? ['', `${resent.count} requests were sent again after the server closed their kept-alive connection.`] : []),
      '',
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  if (args.budget) {
    output(
      await runBudget(
        {
          serverUrl,
          total: Number(args.total ?? '2000'),
          mode: args.batch ? 'batch' : 'single',
          inFlight: Number(args['in-flight']),
          batchSize: Number(args['batch-size']),
          idleSeconds: Number(args['idle-seconds']),
        },
        log,
      ),
    );
  } else if (args.running) {
    const total = Number(args.total ?? '10000');
    const workers = Number(args.workers);
    output(
      await runRunning(
        {
          serverUrl,
          natsUrl,
          total,
          workers,
          capacity: Math.ceil(total / workers) + 10,
          durationMs: Number(args['duration-ms']),
          batchSize: Number(args['batch-size']),
          probeRate: Number(args['probe-rate']),
          probeSeconds: Number(args.seconds),
          timeoutSeconds: Number(args['timeout-seconds']),
        },
        log,
      ),
    );
  } else if (args.standalone && args.systems === '') {
    output(`\n${await standalone(Number(args['standalone-total']), Number(args['standalone-in-flight']))}\n`);
  } else {
    await sideBySide();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
