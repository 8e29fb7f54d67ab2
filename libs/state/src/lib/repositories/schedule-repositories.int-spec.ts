import { planFires, tickIdempotencyKey } from '@niyanta/schedules';
import { DomainError, ErrorCode } from '@niyanta/models';
import { createTestSchema, type TestSchema } from '@niyanta/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source.factory';
import { runMigrations } from '../migration-runner';
import { LeadershipRepository, LeaseLostError, type LeaderFence } from './leadership.repository';
import { ScheduleFiringRepository, type DueSchedule, type TickPlan } from './schedule-firing.repository';
import type { ScheduleOverlap } from './schedule-row';
import { ScheduleRepository } from './schedule.repository';

const TTL_MS = 30_000;
const actor = { actorType: 'customer' as const, actorId: 'tester' };

describe('schedule repositories', () => {
  let schema: TestSchema;
  let dataSource: DataSource;
  let leadership: LeadershipRepository;
  let schedules: ScheduleRepository;
  let firing: ScheduleFiringRepository;
  let customerId: string;
  let fence: LeaderFence;

  beforeAll(async () => {
    schema = await createTestSchema('schedule_repos');
    dataSource = await createDataSource({ url: schema.url, schema: schema.schema, poolSize: 8 });
    await runMigrations(dataSource);
    leadership = new LeadershipRepository(dataSource);
    schedules = new ScheduleRepository(dataSource);
    firing = new ScheduleFiringRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.drop();
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE schedules, workloads, audit_events, coordinator_state, customers, workload_configs CASCADE`);
    await dataSource.query(`INSERT INTO workload_configs (workload_type, default_priority, max_retries) VALUES ('sleep', 100, 2)`);
    const [row] = await dataSource.query(`INSERT INTO customers (name, tier) VALUES ('acme', 'free') RETURNING id`);
    customerId = row.id;
    const grant = await leadership.tryAcquire('leader-a', TTL_MS);
    fence = { leaderId: 'leader-a', generation: (grant as { generation: number }).generation };
  });

  async function createSchedule(options: { cron?: string; overlap?: ScheduleOverlap; dueAt: Date; name?: string }): Promise<string> {
    const created = await schedules.create(
      {
        customerId,
        name: options.name ?? 'nightly',
        cron: options.cron ?? '* * * * * *',
        timezone: 'UTC',
        workload: { workload_type: 'sleep', input: { duration_ms: 5 }, labels: { from: 'schedule' } },
        overlap: options.overlap ?? 'allow',
        paused: false,
        nextRunAt: options.dueAt,
      },
      actor,
    );
    return created.id;
  }

  async function due(id: string): Promise<DueSchedule> {
    const scan = await firing.findDue(100);
    const found = scan.schedules.find((schedule) => schedule.id === id);
    if (!found) throw new Error(`schedule ${id} is not due`);
    return found;
  }

  function plan(schedule: DueSchedule, now: Date, catchUpMs = 60_000): TickPlan {
    const planned = planFires({ cron: schedule.cron, timezone: schedule.timezone }, schedule.nextRunAt, now, { catchUpMs, maxTicks: 100 });
    return { ...planned, keyOf: (tick) => tickIdempotencyKey(schedule.id, tick) };
  }

  async function scheduledWorkloads(id: string): Promise<Array<{ idempotency_key: string; status: string; priority: number; labels: Record<string, string> }>> {
    return dataSource.query(`SELECT idempotency_key, status, priority, labels FROM workloads WHERE schedule_id = $1 ORDER BY idempotency_key`, [id]);
  }

  it('fires each tick of a short gap once, with the schedule id and the tick as idempotency key', async () => {
    const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 3000);
    const id = await createSchedule({ dueAt: start });
    const schedule = await due(id);
    const outcomes = await firing.fire(fence, schedule, plan(schedule, new Date(start.getTime() + 2500)));
    expect(outcomes?.map((o) => o.outcome)).toEqual(['fired', 'fired', 'fired']);
    const rows = await scheduledWorkloads(id);
    expect(rows.map((row) => row.idempotency_key)).toEqual([0, 1, 2].map((s) => tickIdempotencyKey(id, new Date(start.getTime() + s * 1000))));
    // Defaults as a direct submission resolves them; the body's labels kept.
    expect(rows[0]).toMatchObject({ status: 'PENDING', priority: 100, labels: { from: 'schedule' } });
    const [stored] = await dataSource.query(`SELECT next_run_at, last_tick_at FROM schedules WHERE id = $1`, [id]);
    expect(stored.next_run_at.toISOString()).toBe(new Date(start.getTime() + 3000).toISOString());
  });

  it('creates nothing twice: the same plan fired again (a second leader that read the same due tick) is refused', async () => {
    const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 2000);
    const id = await createSchedule({ dueAt: start });
    const schedule = await due(id);
    const tickPlan = plan(schedule, new Date(start.getTime() + 1200));
    await firing.fire(fence, schedule, tickPlan);
    expect(await firing.fire(fence, schedule, tickPlan)).toBeNull();
    expect(await scheduledWorkloads(id)).toHaveLength(2);
  });

  it('a tick whose workload exists (fired before a crash) is not fired again', async () => {
    const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 2000);
    const id = await createSchedule({ dueAt: start });
    const schedule = await due(id);
    await firing.fire(fence, schedule, plan(schedule, start));
    // As if the schedule row had not moved on: the same tick is due again.
    await dataSource.query(`UPDATE schedules SET next_run_at = $2 WHERE id = $1`, [id, start]);
    const again = await firing.fire(fence, await due(id), plan(await due(id), new Date(start.getTime() + 1000)));
    expect(again?.map((o) => o.outcome)).toEqual(['already_fired', 'fired']);
    expect(await scheduledWorkloads(id)).toHaveLength(2);
  });

  it('a leader of a stale generation fires nothing', async () => {
    const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
    const id = await createSchedule({ dueAt: start });
    const schedule = await due(id);
    await dataSource.query(`UPDATE coordinator_state SET lease_expires_at = now() - interval '1 second'`);
    const next = await leadership.tryAcquire('leader-b', TTL_MS);
    expect(next?.generation).toBe(fence.generation + 1);
    await expect(firing.fire(fence, schedule, plan(schedule, start))).rejects.toBeInstanceOf(LeaseLostError);
    expect(await scheduledWorkloads(id)).toHaveLength(0);
    const [stored] = await dataSource.query(`SELECT next_run_at FROM schedules WHERE id = $1`, [id]);
    expect(stored.next_run_at.toISOString()).toBe(start.toISOString());
  });

  it('after a long downtime fires the latest missed tick once', async () => {
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 5_000);
    const id = await createSchedule({ cron: '* * * * *', dueAt: new Date(now.getTime() - 3 * 3_600_000 - 5_000) });
    const schedule = await due(id);
    const outcomes = await firing.fire(fence, schedule, plan(schedule, now));
    expect(outcomes).toHaveLength(1);
    const rows = await scheduledWorkloads(id);
    expect(rows.map((row) => row.idempotency_key)).toEqual([tickIdempotencyKey(id, new Date(now.getTime() - 5_000))]);
    const [event] = await dataSource.query(`SELECT details FROM audit_events WHERE action = 'schedule.fired'`);
    expect(event.details).toMatchObject({ schedule_id: id, missed_ticks_collapsed: true, generation: fence.generation });
  });

  it.each([
    ['skip', ['fired', 'skipped'], 1, 'PENDING'],
    ['allow', ['fired', 'fired'], 2, 'PENDING'],
    ['cancel_previous', ['fired', 'fired'], 2, 'CANCELLED'],
  ] as const)('overlap %s while the previous run is unfinished', async (overlap, expected, count, firstStatus) => {
    const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 2000);
    const id = await createSchedule({ dueAt: start, overlap });
    const schedule = await due(id);
    const outcomes = await firing.fire(fence, schedule, plan(schedule, new Date(start.getTime() + 1000)));
    expect(outcomes?.map((o) => o.outcome)).toEqual(expected);
    const rows = await scheduledWorkloads(id);
    expect(rows).toHaveLength(count);
    expect(rows[0]?.status).toBe(firstStatus);
  });

  it('skip fires again once the previous run finished', async () => {
    const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 2000);
    const id = await createSchedule({ dueAt: start, overlap: 'skip' });
    await firing.fire(fence, await due(id), plan(await due(id), start));
    await dataSource.query(`UPDATE workloads SET status = 'COMPLETED' WHERE schedule_id = $1`, [id]);
    const outcomes = await firing.fire(fence, await due(id), plan(await due(id), new Date(start.getTime() + 1000)));
    expect(outcomes?.map((o) => o.outcome)).toEqual(['fired']);
  });

  it('a paused schedule is not due; a trigger fires it now, once per request key', async () => {
    const id = await createSchedule({ dueAt: new Date(Date.now() - 1000) });
    await schedules.update(customerId, id, 'schedule.paused', () => ({ paused: true, nextRunAt: null }), actor);
    expect((await firing.findDue(100)).schedules).toHaveLength(0);
    const first = await schedules.trigger(customerId, id, 'request-1', actor);
    const repeat = await schedules.trigger(customerId, id, 'request-1', actor);
    expect(repeat?.workload.id).toBe(first?.workload.id);
    expect(first?.workload.scheduleId).toBe(id);
    const actions: Array<{ action: string }> = await dataSource.query(`SELECT action FROM audit_events WHERE details->>'schedule_id' = $1 ORDER BY id`, [id]);
    expect(actions.map((a) => a.action)).toEqual(['schedule.created', 'schedule.paused', 'workload.submitted', 'schedule.triggered', 'schedule.triggered']);
  });

  it('holds the tier limit on schedules and refuses a taken name', async () => {
    await dataSource.query(`UPDATE tiers SET max_schedules = 2 WHERE name = 'free'`);
    await createSchedule({ dueAt: new Date(), name: 'a' });
    await expect(createSchedule({ dueAt: new Date(), name: 'a' })).rejects.toMatchObject({ code: ErrorCode.Conflict });
    await createSchedule({ dueAt: new Date(), name: 'b' });
    const refused = await createSchedule({ dueAt: new Date(), name: 'c' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe(ErrorCode.QuotaExceeded);
    const [count] = await dataSource.query(`SELECT count(*)::int AS n FROM schedules`);
    expect(count.n).toBe(2);
    await dataSource.query(`UPDATE tiers SET max_schedules = 10 WHERE name = 'free'`);
  });
});
