import { register } from 'prom-client';
import { createLeaderHarness, eventually, type LeaderHarness } from '../testing/leader-harness';
import { AUDIT_EVENTS_DELETED_METRIC, AuditRetentionService } from './audit-retention.service';
import { LeaderMetrics } from './leader-metrics';
import { TENANT_RUNNING_METRIC } from './tenant-metrics.service';

jest.setTimeout(20_000);

describe('leader tenancy duties', () => {
  let h: LeaderHarness;

  beforeEach(async () => {
    h = await createLeaderHarness('leader_tenancy');
  });

  afterEach(async () => {
    await h.close();
  });

  it('holds a customer at its tier\'s running limit (read from the tiers table) with a reason, while others run', async () => {
    // The operator's definition in the database, not the configured default (free: 10).
    await h.dataSource.query(`UPDATE tiers SET max_running = 2 WHERE name = 'free'`);
    const capped = await h.createCustomer('free');
    await h.insertWorker({ id: 'w1', capacity: 10 });
    const cappedIds: string[] = [];
    for (let i = 0; i < 5; i++) cappedIds.push(await h.insertWorkload({ customerId: capped, priority: 900 }));
    const others: string[] = [];
    for (let i = 0; i < 3; i++) others.push(await h.insertWorkload({ priority: 1 }));
    await h.collectAssignments('w1');

    await h.startLeader({ sweepIntervalMs: 200 });

    const states = async (ids: string[]) =>
      (await h.dataSource.query(`SELECT status, pending_reason FROM workloads WHERE id = ANY($1::uuid[])`, [ids])) as Array<{
        status: string;
        pending_reason: string | null;
      }>;
    await eventually('the other customer\'s workloads scheduled', async () => (await states(others)).every((w) => w.status === 'SCHEDULED'));
    const held = await eventually('the capped customer\'s reasons', async () => {
      const rows = await states(cappedIds);
      return rows.filter((w) => w.status === 'PENDING').every((w) => w.pending_reason !== null) ? rows : null;
    });
    expect(held?.filter((w) => w.status === 'SCHEDULED')).toHaveLength(2);
    expect(held?.filter((w) => w.status === 'PENDING').map((w) => w.pending_reason)).toEqual([
      'customer at concurrency limit 2',
      'customer at concurrency limit 2',
      'customer at concurrency limit 2',
    ]);

    // The limit is raised: the next sweep reads it and the rest run.
    await h.dataSource.query(`UPDATE tiers SET max_running = 5 WHERE name = 'free'`);
    await eventually('all five scheduled after the raise', async () => (await states(cappedIds)).every((w) => w.status === 'SCHEDULED'), 10_000);
  });

  it('leaves a suspended customer\'s queued workloads unscheduled until it is reactivated', async () => {
    const suspended = await h.createCustomer('standard');
    await h.dataSource.query(`UPDATE customers SET status = 'suspended' WHERE id = $1`, [suspended]);
    await h.insertWorker({ id: 'w1', capacity: 10 });
    const held = await h.insertWorkload({ customerId: suspended, priority: 1000 });
    const other = await h.insertWorkload({ priority: 1 });
    await h.collectAssignments('w1');

    const leader = await h.startLeader({ sweepIntervalMs: 100 });
    await eventually('the active customer\'s workload scheduled', async () => (await h.workload(other)).status === 'SCHEDULED');
    // Three scheduling passes later (counted by the pass-duration histogram) it is still waiting.
    const passes = async () => (await leader.get(LeaderMetrics).passDuration.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    const seen = await passes();
    await eventually('three more scheduling passes', async () => (await passes()) >= seen + 3);
    expect(await h.workload(held)).toMatchObject({ status: 'PENDING', worker_id: null });

    await h.dataSource.query(`UPDATE customers SET status = 'active' WHERE id = $1`, [suspended]);
    await eventually('scheduled after reactivation', async () => (await h.workload(held)).status === 'SCHEDULED', 5_000);
  });

  it('deletes audit events past retention in batches, and exports running workloads per customer', async () => {
    await h.dataSource.query(
      `INSERT INTO audit_events (occurred_at, actor_type, actor_id, action)
       SELECT now() - interval '2 hours', 'system', NULL, 'old.event' FROM generate_series(1, 25)`,
    );
    await h.dataSource.query(`INSERT INTO audit_events (actor_type, actor_id, action) VALUES ('system', NULL, 'fresh.event')`);
    await h.insertWorker({ id: 'w1', capacity: 10 });
    await h.insertWorkload({ status: 'RUNNING', workerId: 'w1' });
    await h.insertWorkload({ status: 'RUNNING', workerId: 'w1' });
    const before = (await register.getSingleMetric(AUDIT_EVENTS_DELETED_METRIC)?.get())?.values[0]?.value ?? 0;

    const leader = await h.startLeader({
      auditRetentionMs: 3_600_000,
      auditRetentionBatchSize: 10,
      auditRetentionIntervalMs: 60_000,
      tenantMetricsIntervalMs: 50,
    });
    expect(leader.get(AuditRetentionService)).toBeInstanceOf(AuditRetentionService);

    await eventually('old events gone', async () => {
      const [row] = await h.dataSource.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'old.event'`);
      return row.n === 0;
    });
    const kept: Array<{ action: string }> = await h.dataSource.query(`SELECT action FROM audit_events WHERE action LIKE '%.event'`);
    expect(kept.map((r) => r.action)).toEqual(['fresh.event']);
    const after = (await register.getSingleMetric(AUDIT_EVENTS_DELETED_METRIC)?.get())?.values[0]?.value ?? 0;
    expect(after - before).toBe(25);

    const series = await eventually('the running gauge', async () => {
      const values = (await register.getSingleMetric(TENANT_RUNNING_METRIC)?.get())?.values ?? [];
      return values.length > 0 ? values : null;
    });
    expect(series?.map((v) => ({ labels: v.labels, value: v.value }))).toEqual([
      { labels: { tier: 'enterprise', customer: h.customerId }, value: 2 },
    ]);
  });
});
