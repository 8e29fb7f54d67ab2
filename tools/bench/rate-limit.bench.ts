/**
 * Cost of the shared rate limit (SPEC §3–§4) on the real PostgreSQL:
 *
 *   node -r @swc-node/register tools/bench/rate-limit.bench.ts [--n 2000] [--concurrency 64]
 *
 * (1) latency of one token take against a `SELECT 1` round trip on the same pool, sequentially —
 * the latency a request pays for rate limiting; (2) takes per second on ONE customer's bucket with
 * `concurrency` in flight — the hot-row ceiling of a single customer; (3) the same spread over 100
 * customers; (4) one customer's requests decided in groups, as the API does under load.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createDataSource, RateLimitRepository, runMigrations, TierRepository } from '@niyanta/state';
import { createTestSchema } from '@niyanta/testing';
import { summarize } from './stats';

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

const { values: args } = parseArgs({
  options: { n: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '64' } },
});
const n = Number(args.n);
const concurrency = Number(args.concurrency);

async function timed(count: number, op: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await op();
    samples.push(performance.now() - start);
  }
  return samples;
}

async function throughput(count: number, inFlight: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await op(next++);
    }),
  );
  return (count * 1000) / (performance.now() - start);
}

async function main(): Promise<void> {
  const schema = await createTestSchema('bench_rate_limit');
  const dataSource = await createDataSource({ url: schema.url, schema: schema.schema, poolSize: 10 });
  try {
    await runMigrations(dataSource);
    // A bucket that never runs dry, so every take does the full write.
    await new TierRepository(dataSource).upsert(
      { name: 'unbounded', requestsPerSecond: 1_000_000, burst: 1_000_000, maxRunning: 1, schedulingWeight: 0, maxPriority: 1000, maxPending: 1000, maxFleetShare: 1, maxSchedules: 10 },
      { actorType: 'system', actorId: null },
    );
    const limits = new RateLimitRepository(dataSource);
    await timed(200, () => limits.take('customer:warm', 'unbounded', 'free'));
    await timed(200, () => dataSource.query('SELECT 1'));

    const baseline = summarize(await timed(n, () => dataSource.query('SELECT 1')));
    const take = summarize(await timed(n, () => limits.take('customer:seq', 'unbounded', 'free')));
    const hot = await throughput(n * 2, concurrency, () => limits.take('customer:hot', 'unbounded', 'free'));
    const spread = await throughput(n * 2, concurrency, (i) => limits.take(`customer:${i % 100}`, 'unbounded', 'free'));
    // The API groups a customer's concurrent requests: one statement decides up to `concurrency`.
    const groups = Math.ceil((n * 2) / concurrency);
    const grouped = (await throughput(groups, 1, () => limits.takeMany('customer:grouped', concurrency, 'unbounded', 'free'))) * concurrency;

    console.log(`| measure (${n} samples, pool of 10) | result |`);
    console.log('|---|---|');
    console.log(`| \`SELECT 1\` round trip | p50 ${fmt(baseline.p50)}, p95 ${fmt(baseline.p95)}, p99 ${fmt(baseline.p99)} |`);
    console.log(`| one token take | p50 ${fmt(take.p50)}, p95 ${fmt(take.p95)}, p99 ${fmt(take.p99)} |`);
    console.log(`| takes/s on one customer, ${concurrency} in flight | ${Math.round(hot)}/s |`);
    console.log(`| takes/s over 100 customers, ${concurrency} in flight | ${Math.round(spread)}/s |`);
    console.log(`| requests/s decided on one customer in groups of ${concurrency} (as the API groups them) | ${Math.round(grouped)}/s |`);
  } finally {
    await dataSource.destroy();
    await schema.drop();
  }
}

void main();
