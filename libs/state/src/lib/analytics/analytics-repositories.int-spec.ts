import { createTestSchema, eventually, type TestSchema } from '@niyanta/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source.factory';
import { runMigrations } from '../migration-runner';
import { AnalyticsQueryRepository, EXPORT_COLUMNS } from './analytics-query.repository';
import { AnalyticsRollupRepository } from './analytics-rollup.repository';

const ROLLUP = { batchSize: 1000, settleMs: 1000 };
const HOUR = 3_600_000;

describe('analytics repositories', () => {
  let schema: TestSchema;
  let dataSource: DataSource;
  let rollups: AnalyticsRollupRepository;
  let queries: AnalyticsQueryRepository;
  let acme: string;
  let globex: string;
  // A fixed UTC hour well inside every retention.
  const base = new Date(Math.floor((Date.now() - 6 * HOUR) / HOUR) * HOUR);
  const at = (ms: number) => new Date(base.getTime() + ms);

  beforeAll(async () => {
    schema = await createTestSchema('analytics_repos');
    dataSource = await createDataSource({ url: schema.url, schema: schema.schema, poolSize: 4 });
    await runMigrations(dataSource);
    rollups = new AnalyticsRollupRepository(dataSource);
    queries = new AnalyticsQueryRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.drop();
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE workloads, workers, audit_events, customers, analytics_rollups, analytics_operator_rollups, analytics_worker_rollups CASCADE`);
    await dataSource.query(`UPDATE analytics_watermarks SET last_event_id = 0`);
    [acme, globex] = await Promise.all(
      [
        ['acme', 'premium'],
        ['globex', 'free'],
      ].map(async ([name, tier]) => {
        const [row] = await dataSource.query(`INSERT INTO customers (name, tier) VALUES ($1, $2) RETURNING id`, [name, tier]);
        return row.id as string;
      }),
    ) as [string, string];
    await dataSource.query(
      `INSERT INTO workers (id, region, capacity, registered_at, last_heartbeat_at) VALUES ('w1', 'eu', 2, $1, now())`,
      [at(-HOUR)],
    );
  });

  /** A workload with its timestamps, plus the audit events its life would have written (occurred `ago` ms back). */
  async function workload(w: {
    customer: string;
    type?: string;
    status: 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'RUNNING';
    createdMs: number;
    startedMs?: number;
    completedMs?: number;
    retries?: number;
    occurredAt?: Date;
  }): Promise<string> {
    const [row] = await dataSource.query(
      `INSERT INTO workloads (customer_id, workload_type, status, priority, max_retries, worker_id, created_at, started_at, completed_at, labels)
       VALUES ($1, $2, $3, 100, 3, 'w1', $4, $5, $6, '{"team":"a, \\"b\\""}') RETURNING id`,
      [
        w.customer,
        w.type ?? 'sleep',
        w.status,
        at(w.createdMs),
        w.startedMs === undefined ? null : at(w.startedMs),
        w.completedMs === undefined ? null : at(w.completedMs),
      ],
    );
    const occurred = w.occurredAt ?? at(w.completedMs ?? w.createdMs);
    const actions = ['workload.submitted', 'workload.scheduled', 'workload.started'];
    for (let i = 0; i < (w.retries ?? 0); i++) actions.push('workload.retry_scheduled');
    if (w.status !== 'RUNNING') actions.push(`workload.${w.status.toLowerCase()}`);
    for (const action of actions) {
      await dataSource.query(
        `INSERT INTO audit_events (customer_id, workload_id, actor_type, action, occurred_at) VALUES ($1, $2, 'worker', $3, $4)`,
        [w.customer, row.id, action, action === 'workload.submitted' ? at(w.createdMs) : occurred],
      );
    }
    return row.id;
  }

  it('aggregates finished workloads once, by bucket, customer, type and tier', async () => {
    for (let i = 0; i < 10; i++) {
      await workload({ customer: acme, status: 'COMPLETED', createdMs: i * 1000, startedMs: i * 1000 + 15, completedMs: i * 1000 + 1500 });
    }
    await workload({ customer: acme, type: 'render', status: 'FAILED', createdMs: 100, startedMs: 150, completedMs: 400, retries: 2 });
    await workload({ customer: globex, status: 'CANCELLED', createdMs: 2 * HOUR });
    await workload({ customer: acme, status: 'RUNNING', createdMs: 500, startedMs: 600 });

    const first = await rollups.rollUp(ROLLUP);
    expect(first.events).toBeGreaterThan(0);
    // A second round finds nothing new: nothing is counted twice.
    expect((await rollups.rollUp(ROLLUP)).events).toBe(0);

    const day = await queries.summary({ from: at(-HOUR), to: at(3 * HOUR), bucket: 'day', customerId: acme });
    const totals = day.reduce(
      (t, r) => ({ submitted: t.submitted + r.submitted, completed: t.completed + r.completed, failed: t.failed + r.failed, retried: t.retried + r.retried, cancelled: t.cancelled + r.cancelled }),
      { submitted: 0, completed: 0, failed: 0, retried: 0, cancelled: 0 },
    );
    expect(totals).toEqual({ submitted: 12, completed: 10, failed: 1, retried: 2, cancelled: 0 });

    const hourly = await queries.summary({ from: at(0), to: at(3 * HOUR), bucket: 'hour', groupBy: ['customer_id', 'workload_type', 'tier'] });
    const acmeSleep = hourly.find((r) => r.customerId === acme && r.workloadType === 'sleep');
    expect(acmeSleep).toMatchObject({ bucketStart: base, tier: 'premium', completed: 10, submitted: 11 });
    // Waits of 15 ms lie in [10, 20); runs of 1485 ms in [1000, 2000).
    expect(acmeSleep?.waitMs.p50).toBeGreaterThanOrEqual(10);
    expect(acmeSleep?.waitMs.p50).toBeLessThan(20);
    expect(acmeSleep?.runMs.p95).toBeGreaterThanOrEqual(1000);
    expect(acmeSleep?.runMs.p95).toBeLessThan(2000);
    const globexRow = hourly.find((r) => r.customerId === globex);
    expect(globexRow).toMatchObject({ bucketStart: at(2 * HOUR), tier: 'free', cancelled: 1, submitted: 1 });
    expect(globexRow?.waitMs.p50).toBeNull();

    const onlyFailed = await queries.summary({ from: at(0), to: at(HOUR), bucket: 'minute', customerId: acme, statuses: ['FAILED'] });
    expect(onlyFailed.reduce((n, r) => n + r.completed, 0)).toBe(0);
    expect(onlyFailed.reduce((n, r) => n + r.failed, 0)).toBe(1);
  });

  it('keeps the operator rollups equal to the per-customer rollups summed over customers', async () => {
    for (let i = 0; i < 6; i++) {
      await workload({ customer: i % 2 ? acme : globex, status: 'COMPLETED', createdMs: i * 60_000, startedMs: i * 60_000 + 5 * (i + 1), completedMs: i * 60_000 + 900 * (i + 1) });
    }
    await workload({ customer: acme, type: 'render', status: 'FAILED', createdMs: 100, startedMs: 150, completedMs: 400, retries: 1 });
    await workload({ customer: globex, type: 'render', status: 'CANCELLED', createdMs: HOUR + 10 });
    // Two rounds, so some buckets are upserted twice (the ON CONFLICT path of both tables).
    await rollups.rollUp({ batchSize: 9, settleMs: 0 });
    await workload({ customer: acme, status: 'COMPLETED', createdMs: 30, startedMs: 40, completedMs: 5000 });
    while ((await rollups.rollUp({ batchSize: 9, settleMs: 0 })).events > 0);

    for (const bucket of ['minute', 'hour', 'day'] as const) {
      for (const statuses of [undefined, ['COMPLETED']]) {
        const range = { from: at(-HOUR), to: at(3 * HOUR), bucket, statuses };
        // Across customers without a customer split: the operator rollups.
        const operator = await queries.summary({ ...range, groupBy: ['workload_type', 'tier'] });
        // The same from the per-customer rollups (a split by customer), summed here.
        const perCustomer = await queries.summary({ ...range, groupBy: ['workload_type', 'tier', 'customer_id'] });
        const summed = new Map<string, (typeof perCustomer)[number]>();
        for (const row of perCustomer) {
          const key = `${row.bucketStart.toISOString()} ${row.workloadType} ${row.tier}`;
          const seen = summed.get(key);
          if (!seen) summed.set(key, { ...row, customerId: null });
          else for (const n of ['submitted', 'completed', 'failed', 'cancelled', 'retried'] as const) seen[n] += row[n];
        }
        expect(operator.map((r) => ({ ...r, waitMs: undefined, runMs: undefined }))).toEqual(
          [...summed.values()].map((r) => ({ ...r, waitMs: undefined, runMs: undefined })),
        );
        // Histograms too: with one customer per type and tier they are the customer's own.
        for (const row of operator) {
          const same = perCustomer.filter((r) => r.bucketStart.getTime() === row.bucketStart.getTime() && r.workloadType === row.workloadType && r.tier === row.tier);
          if (same.length === 1) expect({ wait: row.waitMs, run: row.runMs }).toEqual({ wait: same[0]?.waitMs, run: same[0]?.runMs });
        }
      }
    }
    // Row for row, every count and histogram bucket of the operator rollups is the sum over customers.
    const hist = (column: string) =>
      `SELECT resolution, bucket_start, workload_type, tier, status, array_agg(s ORDER BY i) AS h
         FROM (SELECT r.resolution, r.bucket_start, r.workload_type, r.tier, r.status, u.i, sum(u.v)::int AS s
                 FROM analytics_rollups r, unnest(r.${column}) WITH ORDINALITY AS u(v, i) GROUP BY 1, 2, 3, 4, 5, 6) x
        GROUP BY 1, 2, 3, 4, 5`;
    const [{ n }] = await dataSource.query(
      `WITH expected AS (
         SELECT k.*, wh.h AS wait_hist, rh.h AS run_hist
           FROM (SELECT resolution, bucket_start, workload_type, tier, status, sum(submitted)::int AS submitted,
                        sum(retried)::int AS retried, sum(finished)::int AS finished
                   FROM analytics_rollups GROUP BY 1, 2, 3, 4, 5) k
           JOIN (${hist('wait_hist')}) wh USING (resolution, bucket_start, workload_type, tier, status)
           JOIN (${hist('run_hist')}) rh USING (resolution, bucket_start, workload_type, tier, status)
       ), actual AS (
         SELECT resolution, bucket_start, workload_type, tier, status, submitted, retried, finished, wait_hist, run_hist FROM analytics_operator_rollups
       )
       SELECT ((SELECT count(*) FROM (SELECT * FROM expected EXCEPT SELECT * FROM actual) a)
             + (SELECT count(*) FROM (SELECT * FROM actual EXCEPT SELECT * FROM expected) b))::int AS n`,
    );
    expect(n).toBe(0);
    const [{ total }] = await dataSource.query(`SELECT count(*)::int AS total FROM analytics_operator_rollups`);
    expect(total).toBeGreaterThan(0);
  });

  it('leaves events of transactions begun within the settle time for a later round', async () => {
    await workload({ customer: acme, status: 'COMPLETED', createdMs: 0, startedMs: 10, completedMs: 20 });
    await workload({ customer: acme, status: 'COMPLETED', createdMs: 0, startedMs: 10, completedMs: 20, occurredAt: new Date() });
    await rollups.rollUp({ batchSize: 1000, settleMs: 60_000 });
    const early = await queries.summary({ from: at(0), to: new Date(Date.now() + HOUR), bucket: 'day', customerId: acme });
    expect(early.reduce((n, r) => n + r.completed, 0)).toBe(1);
    await rollups.rollUp({ batchSize: 1000, settleMs: 0 });
    const later = await queries.summary({ from: at(0), to: new Date(Date.now() + HOUR), bucket: 'day', customerId: acme });
    expect(later.reduce((n, r) => n + r.completed, 0)).toBe(2);
  });

  it('moves through a backlog in batches', async () => {
    for (let i = 0; i < 5; i++) await workload({ customer: acme, status: 'COMPLETED', createdMs: i, startedMs: i + 1, completedMs: i + 2 });
    let rounds = 0;
    while ((await rollups.rollUp({ batchSize: 4, settleMs: 0 })).events > 0) rounds++;
    expect(rounds).toBe(5); // 20 events, 4 per round
    const [row] = await queries.summary({ from: at(0), to: at(HOUR), bucket: 'hour', customerId: acme });
    expect(row).toMatchObject({ submitted: 5, completed: 5 });
  });

  it('reports worker utilization from finished and running work, per customer', async () => {
    // Acme keeps one slot busy for 30 minutes, globex for 15; one acme workload runs since 5 minutes.
    await workload({ customer: acme, status: 'COMPLETED', createdMs: 0, startedMs: 0, completedMs: HOUR / 2 });
    await workload({ customer: globex, status: 'COMPLETED', createdMs: 0, startedMs: 0, completedMs: HOUR / 4 });
    await dataSource.query(
      `INSERT INTO workloads (customer_id, workload_type, status, priority, max_retries, worker_id, started_at)
       VALUES ($1, 'sleep', 'RUNNING', 1, 1, 'w1', now() - interval '5 minutes')`,
      [acme],
    );
    await rollups.rollUp(ROLLUP);
    const to = new Date();
    const all = await queries.workerUtilization(at(0), to);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ workerId: 'w1', region: 'eu', capacity: 2 });
    expect(all[0]?.busySlotSeconds).toBeCloseTo(45 * 60 + 5 * 60, -1);
    expect(all[0]?.slotSeconds).toBeCloseTo((2 * (to.getTime() - base.getTime())) / 1000, -2);
    const mine = await queries.workerUtilization(at(0), to, globex);
    expect(mine[0]?.busySlotSeconds).toBeCloseTo(15 * 60, 0);
  });

  it('exports one row per workload of the range, rendered by the database', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push(await workload({ customer: acme, status: 'COMPLETED', createdMs: i * 1000, startedMs: i * 1000 + 40, completedMs: i * 1000 + 540 }));
    }
    await workload({ customer: globex, status: 'CANCELLED', createdMs: 0 });
    const read = async (stream: NodeJS.ReadableStream) => {
      let text = '';
      for await (const chunk of stream) text += chunk.toString();
      return text;
    };
    const json = await read(await queries.exportStream({ from: at(0), to: at(HOUR), customerId: acme }, 'json'));
    const rows = (JSON.parse(`[${json}]`) as Array<Record<string, unknown>>);
    expect(rows.map((r) => r['id']).sort()).toEqual([...ids].sort());
    // Newest first, every column, labels as an object.
    expect(rows[0]).toEqual({
      id: ids[6],
      customer_id: acme,
      workload_type: 'sleep',
      status: 'COMPLETED',
      attempt: 1,
      created_at: at(6000).toISOString(),
      scheduled_at: null,
      started_at: at(6040).toISOString(),
      completed_at: at(6540).toISOString(),
      wait_ms: 40,
      run_ms: 500,
      worker_id: 'w1',
      region: 'eu',
      labels: { team: 'a, "b"' },
    });
    expect(Object.keys(rows[0] ?? {})).toEqual([...EXPORT_COLUMNS]);

    // CSV: the same columns, empty for null, text fields quoted, CRLF line ends.
    const csv = await read(await queries.exportStream({ from: at(0), to: at(HOUR), customerId: acme }, 'csv'));
    expect(csv.split('\r\n')).toHaveLength(8); // 7 lines and the empty rest after the last CRLF
    expect(csv.split('\r\n')[0]).toBe(
      `${ids[6]},${acme},"sleep",COMPLETED,1,${at(6000).toISOString()},,${at(6040).toISOString()},${at(6540).toISOString()},40,500,"w1","eu","{""team"": ""a, \\""b\\""""}"`,
    );

    // Across customers, filtered by status and type (values quoted as SQL literals: COPY takes no parameters).
    const across = await read(await queries.exportStream({ from: at(0), to: at(HOUR), statuses: ['CANCELLED'], workloadTypes: ["sleep", "it's"] }, 'json'));
    expect((JSON.parse(`[${across}]`) as Array<{ customer_id: string }>).map((r) => r.customer_id)).toEqual([globex]);
    expect(await read(await queries.exportStream({ from: at(0), to: at(HOUR), workloadTypes: ["x' OR true --"] }, 'csv'))).toBe('');
  });

  it('closes the connection of an export stopped early, and the pool goes on serving', async () => {
    // More rows than the export's buffers hold (~7 MB of CSV), so the copy is still running when stopped.
    await dataSource.query(
      `INSERT INTO workloads (customer_id, workload_type, status, priority, max_retries, created_at, labels)
       SELECT $1, 'sleep', 'COMPLETED', 100, 3, $2::timestamptz + g * interval '1 ms', '{"team": "a"}' FROM generate_series(1, 30000) g`,
      [acme, at(0)],
    );
    const copyBackends = async (): Promise<number[]> =>
      (await dataSource.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY (SELECT%'`)).map(
        (row: { pid: number }) => row.pid,
      );
    const others = new Set(await copyBackends());
    const ours = async () => (await copyBackends()).filter((pid) => !others.has(pid));
    const stream = await queries.exportStream({ from: at(-HOUR), to: at(HOUR), customerId: acme }, 'csv');
    // The copy's connection is held while nobody reads the stream...
    const held = await eventually('the copy connection to show', async () => {
      const pids = await ours();
      return pids.length > 0 ? pids : null;
    });
    expect(held).toHaveLength(1);
    const pid = held?.[0];
    stream.destroy();
    // ...and closed (not returned to the pool mid-copy) once the stream is destroyed.
    // (Well within the pool's idle timeout, which would close a connection returned to it.)
    await eventually('the copy connection to close', async () => !(await copyBackends()).includes(pid ?? -1), 5_000);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM workloads`);
    expect(n).toBe(30_000);
  });

  it('prunes rollups past retention', async () => {
    await workload({ customer: acme, status: 'COMPLETED', createdMs: 0, startedMs: 1, completedMs: 2 });
    await rollups.rollUp(ROLLUP);
    expect(await rollups.prune(new Date(base.getTime() + 3 * 86_400_000))).toBeGreaterThan(0);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM analytics_rollups WHERE resolution = 'minute'`);
    expect(n).toBe(0);
    const [{ m }] = await dataSource.query(`SELECT count(*)::int AS m FROM analytics_rollups WHERE resolution = 'day'`);
    expect(m).toBeGreaterThan(0);
    const [{ o }] = await dataSource.query(`SELECT count(*) FILTER (WHERE resolution = 'minute')::int AS o FROM analytics_operator_rollups`);
    expect(o).toBe(0);
  });
});
